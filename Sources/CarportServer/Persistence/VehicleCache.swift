import CarportCore
import Foundation
import NIOConcurrencyHelpers

/// Connected vehicles by id, kept in memory for `ttl` seconds; the store drops an entry when it changes the vehicle.
final class VehicleCache: Sendable {
    private let ttl: Double
    private let entries = NIOLockedValueBox<[UUID: (vehicle: ConnectedVehicle, until: Date)]>([:])

    init(ttl: Double = 30) { self.ttl = ttl }

    func vehicle(id: UUID, now: Date = Date()) -> ConnectedVehicle? {
        entries.withLockedValue { entries in
            guard let entry = entries[id], entry.until > now else { return nil }
            return entry.vehicle
        }
    }

    func store(_ vehicle: ConnectedVehicle, now: Date = Date()) {
        entries.withLockedValue { entries in
            if entries.count >= 100_000 { entries.removeAll(keepingCapacity: true) }
            entries[vehicle.id] = (vehicle, now.addingTimeInterval(ttl))
        }
    }

    func remove(id: UUID) {
        _ = entries.withLockedValue { $0.removeValue(forKey: id) }
    }
}
