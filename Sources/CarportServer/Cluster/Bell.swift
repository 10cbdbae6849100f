import Foundation

/// Wakes a worker of this node as soon as it has work (events queued, a charger command asked for), instead of at
/// its next poll; other nodes still poll, or hear of it through PostgreSQL `NOTIFY`.
final class Bell: @unchecked Sendable {
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
