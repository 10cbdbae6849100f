import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// Suspends until the process receives SIGINT or SIGTERM.
enum TerminationSignal {
    private static let sources = NIOLockedValueBox<[DispatchSourceSignalBox]>([])

    static func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "carport.signals")
            let resumed = NIOLockedValueBox(false)
            let created = [SIGINT, SIGTERM].map { code in
                signal(code, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: code, queue: queue)
                source.setEventHandler {
                    let first = resumed.withLockedValue { done in
                        defer { done = true }
                        return !done
                    }
                    if first { continuation.resume() }
                }
                source.resume()
                return DispatchSourceSignalBox(source: source)
            }
            sources.withLockedValue { $0 = created }
        }
    }
}

/// Keeps signal sources alive; they are only touched on their own queue.
private struct DispatchSourceSignalBox: @unchecked Sendable {
    let source: any DispatchSourceSignal
}
