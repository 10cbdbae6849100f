import Foundation
import NIOConcurrencyHelpers

/// A clock that moves only when a test advances it, so back-off tests do not depend on how busy the machine is.
/// It starts at the real time of its creation.
final class SteppedClock: Sendable {
    private let current = NIOLockedValueBox(Date())

    func now() -> Date { current.withLockedValue { $0 } }

    func advance(seconds: Double) {
        current.withLockedValue { $0 = $0.addingTimeInterval(seconds) }
    }
}
