import CarportCore
import Foundation
import Vapor

/// Turns what an application's users have connected into Enode firehose events (enode.md §4) by comparing each
/// vehicle and charger with its last snapshot: new → `user:vehicle:discovered` (the whole device), changed →
/// `user:vehicle:updated` (only the changed fields; timestamps alone are no change), gone → `user:vehicle:deleted`;
/// `user:charger:…` likewise. Applications without a webhook get no events and keep no snapshots.
struct EnodeEvents {
    let webhooks: any WebhookStore
    let snapshots: FluentDeviceSnapshotStore
    /// Where the devices, their owners and bodies come from.
    let request: Request

    /// Compares every device of the application (or just `deviceID`) and queues the events; returns them. One scan
    /// per application at a time: in-process by a lock, across nodes by the lease `enode-scan:<application>`.
    /// The new snapshots and the events they produced are saved in one transaction, so a crash reports a change
    /// either once or on a later scan, never lost and never twice.
    @discardableResult
    func scan(applicationID: UUID, deviceID: UUID? = nil) async throws -> [Data] {
        // Twice the work lease: a scan reads every device, each read bounded by its connector's timeouts.
        let scanLease = 2 * request.carport.configuration.leaseSeconds
        guard try await webhooks.endpoint(applicationID: applicationID) != nil else { return [] }  // no lease for nothing
        return try await request.carport.webhookScanLocks.withLock(applicationID.uuidString) {
            try await request.leaseStore.withLease("enode-scan:\(applicationID.uuidString.lowercased())",
                                                   duration: scanLease, wait: 30) {
                try await scanNow(applicationID: applicationID, deviceID: deviceID)
            }
        }
    }

    private func scanNow(applicationID: UUID, deviceID: UUID?) async throws -> [Data] {
        guard try await webhooks.endpoint(applicationID: applicationID) != nil else { return [] }
        let previous = try await snapshots.snapshots(applicationID: applicationID).filter { deviceID == nil || $0.deviceID == deviceID }
        var present = Set<UUID>()  // still connected, readable now or not
        var current: [(snapshot: DeviceSnapshot, body: JSONValue)] = []
        func add(_ kind: DeviceSnapshot.Kind, _ id: UUID, user: UUID, _ body: () async throws -> JSONValue) async throws {
            guard present.insert(id).inserted, let userID = try await request.authorizationServer.externalID(userID: user),
                  let body = try? await body()  // unreadable now (asleep, brand down): compared on a later scan
            else { return }
            current.append((DeviceSnapshot(kind: kind, deviceID: id, userExternalID: userID, body: try body.data()), body))
        }
        for connection in try await request.vehicleService.connections(applicationID: applicationID, vehicleID: deviceID, userID: nil) {
            guard let vehicle = try await request.connectionStore.vehicle(id: connection.vehicleID, applicationID: applicationID) else { continue }
            try await add(.vehicle, vehicle.id, user: connection.userID) {
                try await EnodeVehicleBody(vehicle: vehicle, userID: connection.userID, request: request).body(fields: EnodeVehicleBody.Field.allCases)
            }
        }
        for charger in try await request.chargerStore.chargers(applicationID: applicationID) where deviceID == nil || charger.id == deviceID {
            try await add(.charger, charger.id, user: charger.userID) {
                try await EnodeChargers.body(charger, fields: EnodeChargers.Field.allCases, request: request)
            }
        }
        var events: [JSONValue] = []
        var changed: [DeviceSnapshot] = []
        for (snapshot, body) in current {
            if let before = previous.first(where: { $0.deviceID == snapshot.deviceID }) {
                guard let changes = try Self.changes(from: before.body, to: body) else { continue }
                events.append(Self.event(snapshot.kind, "updated", userID: snapshot.userExternalID, device: changes))
            } else {
                events.append(Self.event(snapshot.kind, "discovered", userID: snapshot.userExternalID, device: body))
            }
            changed.append(snapshot)
        }
        let gone = previous.filter { !present.contains($0.deviceID) }
        for device in gone {
            events.append(Self.event(device.kind, "deleted", userID: device.userExternalID,
                                     device: .object([("id", .string(device.deviceID.uuidString.lowercased()))])))
        }
        let encoded = try events.map { try $0.data() }
        guard !encoded.isEmpty else { return [] }
        let box = request.carport.secretBox
        let saved = changed
        try await request.db.transaction { database in
            let snapshots = FluentDeviceSnapshotStore(resolveDatabase: { database })
            for snapshot in saved { try await snapshots.save(snapshot, applicationID: applicationID) }
            for device in gone { try await snapshots.delete(deviceID: device.deviceID, applicationID: applicationID) }
            try await FluentWebhookStore.enqueue(encoded, applicationID: applicationID, in: database, box: box)
        }
        request.carport.outboxBell.ring()
        return encoded
    }

    /// Scans every application that has a webhook.
    func scanAll() async throws {
        for endpoint in try await webhooks.endpoints() {
            try await scan(applicationID: endpoint.applicationID)
        }
    }

    /// `user:<kind>:<change>` with the device under its kind's key.
    static func event(_ kind: DeviceSnapshot.Kind, _ change: String, userID: String, device: JSONValue, at time: Date = Date()) -> JSONValue {
        .object([("event", .string("user:\(kind.rawValue):\(change)")), ("createdAt", .string(EnodeTime.format(time))),
                 ("user", .object([("id", .string(userID))])), (kind.rawValue, device)])
    }

    /// The fields of `body` that differ from the snapshot, with `id` and `lastSeen` (and a changed sub-object's
    /// `lastUpdated`); nil when only timestamps moved.
    static func changes(from snapshot: Data, to body: JSONValue) throws -> JSONValue? {
        guard case .object(let pairs) = body,
              let old = try JSONSerialization.jsonObject(with: snapshot) as? [String: Any],
              let new = try JSONSerialization.jsonObject(with: try body.data()) as? [String: Any]
        else { return nil }
        let timestamps: Set<String> = ["lastSeen", "lastUpdated"]
        var changed: [(String, JSONValue)] = []
        for (key, value) in pairs where !timestamps.contains(key) && key != "id" {
            if case .object(let inner) = value, let oldInner = old[key] as? [String: Any], let newInner = new[key] as? [String: Any] {
                let keys = inner.map(\.0).filter { !timestamps.contains($0) && !same(oldInner[$0], newInner[$0]) }
                guard !keys.isEmpty else { continue }
                changed.append((key, .object(inner.filter { keys.contains($0.0) || $0.0 == "lastUpdated" })))
            } else if !same(old[key], new[key]) {
                changed.append((key, value))
            }
        }
        guard !changed.isEmpty else { return nil }
        let keep = pairs.filter { $0.0 == "id" || $0.0 == "lastSeen" }
        return .object(keep + changed)
    }

    private static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case (let a?, let b?): (a as? NSObject)?.isEqual(b) ?? false
        default: false
        }
    }
}

extension Request {
    var webhookStore: FluentWebhookStore { FluentWebhookStore(resolveDatabase: { [db] in db }, box: carport.secretBox) }

    var webhookDispatcher: WebhookDispatcher {
        WebhookDispatcher(store: webhookStore, transport: HTTPWebhookTransport(allowPrivateNetworks: carport.configuration.webhookPrivateNetworks),
                          policy: carport.configuration.webhookRetry, leaseSeconds: carport.configuration.leaseSeconds)
    }

    var enodeEvents: EnodeEvents {
        EnodeEvents(webhooks: webhookStore, snapshots: FluentDeviceSnapshotStore(resolveDatabase: { [db] in db }), request: self)
    }

    var chargeActionStore: FluentChargeActionStore { FluentChargeActionStore(resolveDatabase: { [db] in db }) }


}
