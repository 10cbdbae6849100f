import Foundation
import NIOConcurrencyHelpers

/// Counts failed brand sign-ins per client address and blocks an address after too many in a window.
/// In memory: each node limits on its own, which bounds guessing per node; the per-flow limit is stored.
final class SignInThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = NIOLockedValueBox<[String: [Date]]>([:])

    init(limit: Int = 20, window: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `address` may try again, or nil when it may try now.
    func retryAfter(_ address: String, now: Date = Date()) -> Int? {
        failures.withLockedValue { table in
            let recent = (table[address] ?? []).filter { now.timeIntervalSince($0) < window }
            table[address] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return max(1, Int((window - now.timeIntervalSince(oldest)).rounded(.up)))
        }
    }

    func recordFailure(_ address: String, now: Date = Date()) {
        failures.withLockedValue { $0[address, default: []].append(now) }
    }
}
