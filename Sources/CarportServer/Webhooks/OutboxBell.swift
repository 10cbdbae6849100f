import Foundation

/// Wakes this node's webhook worker as soon as events are queued, instead of at its next poll (other nodes still
/// poll: the outbox in the database is what they share).
final class OutboxBell: @unchecked Sendable {
    private let lock = NSLock()
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    func ring() {
        lock.lock()
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.resume()
        } else {
            rung = true
            lock.unlock()
        }
    }

    /// Returns when rung (at once if rung since the last wait) or after `seconds`; one waiter at a time.
    func wait(seconds: Double) async {
        let timer = Task {
            guard (try? await Task.sleep(for: .seconds(seconds))) != nil else { return }
            self.ring()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if rung {
                rung = false
                lock.unlock()
                continuation.resume()
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
        timer.cancel()
    }
}
