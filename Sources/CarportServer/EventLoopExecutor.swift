import NIOCore
import NIOPosix

/// Swift concurrency's global executor replaced by the server's event loops (`MultiThreadedEventLoopGroup.singleton`,
/// which Vapor serves on). Enqueued jobs stay on the loop they come from, so an async route handler runs where its
/// request was read and answers without a thread hop. Nothing on these loops may block: database drivers do their
/// blocking work on `NIOThreadPool`.
public enum EventLoopExecutor {
    /// Call once, first thing in `main`, before any task runs. False when the runtime does not offer the hook.
    @discardableResult
    public static func adopt() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
