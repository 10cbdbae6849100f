import Foundation
import NIOConcurrencyHelpers

/// Vehicles an application asked to watch (Enode `POST /vehicles/{id}/watch`): until their watch expires the
/// webhook worker looks at them on every pass instead of every scan interval. Kept per process.
final class WatchList: Sendable {
    static let duration: Double = 300
    private let expiries = NIOLockedValueBox([WatchedVehicle: Date]())

    struct WatchedVehicle: Hashable, Sendable {
        let applicationID: UUID
        let vehicleID: UUID
    }

    func watch(applicationID: UUID, vehicleID: UUID, now: Date = Date()) {
        expiries.withLockedValue { $0[WatchedVehicle(applicationID: applicationID, vehicleID: vehicleID)] = now.addingTimeInterval(Self.duration) }
    }

    /// The vehicles still watched; expired ones are forgotten.
    func current(now: Date = Date()) -> [WatchedVehicle] {
        expiries.withLockedValue { expiries in
            expiries = expiries.filter { $0.value > now }
            return Array(expiries.keys)
        }
    }
}
