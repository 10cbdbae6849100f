import CarportCore
import Foundation
import NIOConcurrencyHelpers

/// Connected vehicles by id, kept in memory for `ttl` seconds; the store drops an entry when it changes the vehicle
/// and the peers are told.
final class VehicleCache: Sendable {
    private let ttl: Double
    private let entries = NIOLockedValueBox<[UUID: (vehicle: ConnectedVehicle, until: Date)]>([:])
    private let peers: (any CachePeers)?

    init(ttl: Double = 30, peers: (any CachePeers)? = nil) {
        self.ttl = ttl
        self.peers = peers
    }

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

    func remove(id: UUID, announce: Bool = true) {
        _ = entries.withLockedValue { $0.removeValue(forKey: id) }
        if announce { peers?.announce(.vehicle(id)) }
    }

    func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }
}
