import FluentKit
import NIOCore
import NIOPosix

/// SQLite behind one connection, on an event loop of its own, whichever loop asks. SQLite lets one writer in at a
/// time: with a connection per event loop, a second writer waited for the lock in SQLite's busy handler (sleeping
/// 1 ms and up, for a lock held some 100 µs), each connection re-read the pages the other had changed, and every
/// refresh grant fought for the lock. One connection queues statements in the pool instead, keeps one warm page
/// cache, and needs its pragmas set once. Its own loop answers the blocking thread pool at once rather than
/// behind the HTTP work of a server loop.
struct SingleConnectionSQLite: DatabaseConfiguration {
    var wrapped: any DatabaseConfiguration

    var middleware: [any AnyModelMiddleware] {
        get { wrapped.middleware }
        set { wrapped.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let own = Databases(threadPool: databases.threadPool, on: group)
        return Driver(wrapped: wrapped.makeDriver(for: own), group: group, eventLoop: group.next())
    }

    private struct Driver: DatabaseDriver {
        let wrapped: any DatabaseDriver
        let group: MultiThreadedEventLoopGroup
        let eventLoop: any EventLoop

        func makeDatabase(with context: DatabaseContext) -> any Database {
            wrapped.makeDatabase(with: DatabaseContext(
                configuration: context.configuration, logger: context.logger, eventLoop: eventLoop,
                history: context.history, pageSizeLimit: context.pageSizeLimit, shouldTrace: context.shouldTrace))
        }

        func shutdown() {
            wrapped.shutdown()
            try? group.syncShutdownGracefully()
        }

        func shutdownAsync() async {
            await wrapped.shutdownAsync()
            try? await group.shutdownGracefully()
        }
    }
}
