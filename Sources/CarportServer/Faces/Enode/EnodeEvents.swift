import CarportCore
import Foundation
import Vapor

/// Turns what an application's users have connected into Enode firehose events (enode.md §4) by comparing each
/// vehicle with its last snapshot: new → `user:vehicle:discovered` (whole vehicle), changed →
/// `user:vehicle:updated` (only the changed fields; timestamps alone are no change), gone → `user:vehicle:deleted`.
/// Applications without a webhook get no events and keep no snapshots.
struct EnodeEvents {
    let webhooks: any WebhookStore
    let dispatcher: WebhookDispatcher
    let snapshots: FluentVehicleSnapshotStore
    /// Where the vehicles, their owners and bodies come from.
    let request: Request

    /// Compares every vehicle of the application (or just `vehicleID`) and queues the events; returns them.
    @discardableResult
    func scan(applicationID: UUID, vehicleID: UUID? = nil) async throws -> [Data] {
        guard try await webhooks.endpoint(applicationID: applicationID) != nil else { return [] }
        let connected = try await request.vehicleService.connections(applicationID: applicationID, vehicleID: vehicleID, userID: nil)
        let previous = try await snapshots.snapshots(applicationID: applicationID)
            .filter { vehicleID == nil || $0.vehicleID == vehicleID }
        var events: [JSONValue] = []
        var seen = Set<UUID>()
        for connection in connected where seen.insert(connection.vehicleID).inserted {
            guard let vehicle = try await request.connectionStore.vehicle(id: connection.vehicleID, applicationID: applicationID),
                  let userID = try await request.authorizationServer.externalID(userID: connection.userID),
                  let body = try? await EnodeVehicleBody(vehicle: vehicle, userID: connection.userID, request: request)
                      .body(fields: EnodeVehicleBody.Field.allCases)
            else { continue }  // unreadable now (asleep, brand down): compared on a later scan
            let data = try body.data()
            let before = previous.first { $0.vehicleID == connection.vehicleID }
            if let before {
                guard let changed = try Self.changes(from: before.body, to: body) else { continue }
                events.append(Self.event("user:vehicle:updated", userID: userID, vehicle: changed))
            } else {
                events.append(Self.event("user:vehicle:discovered", userID: userID, vehicle: body))
            }
            try await snapshots.save(VehicleSnapshot(vehicleID: connection.vehicleID, userExternalID: userID, body: data),
                                     applicationID: applicationID)
        }
        for gone in previous where !seen.contains(gone.vehicleID) {
            events.append(Self.event("user:vehicle:deleted", userID: gone.userExternalID,
                                     vehicle: .object([("id", .string(gone.vehicleID.uuidString.lowercased()))])))
            try await snapshots.delete(vehicleID: gone.vehicleID, applicationID: applicationID)
        }
        let encoded = try events.map { try $0.data() }
        try await dispatcher.enqueue(encoded, applicationID: applicationID)
        return encoded
    }

    /// Scans every application that has a webhook.
    func scanAll() async throws {
        for endpoint in try await webhooks.endpoints() {
            try await scan(applicationID: endpoint.applicationID)
        }
    }

    static func event(_ name: String, userID: String, vehicle: JSONValue, at time: Date = Date()) -> JSONValue {
        .object([("event", .string(name)), ("createdAt", .string(EnodeTime.format(time))),
                 ("user", .object([("id", .string(userID))])), ("vehicle", vehicle)])
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
        WebhookDispatcher(store: webhookStore, transport: HTTPWebhookTransport(), policy: carport.configuration.webhookRetry)
    }

    var enodeEvents: EnodeEvents {
        EnodeEvents(webhooks: webhookStore, dispatcher: webhookDispatcher,
                    snapshots: FluentVehicleSnapshotStore(resolveDatabase: { [db] in db }), request: self)
    }

    var chargeActionStore: FluentChargeActionStore { FluentChargeActionStore(resolveDatabase: { [db] in db }) }

    var smartChargingStore: FluentSmartChargingStore { FluentSmartChargingStore(resolveDatabase: { [db] in db }) }

    /// Looks for changes of one vehicle (or all the application's) right after the face changed something; a
    /// failure here never fails the request (the periodic scan catches up).
    func noteEnodeChanges(applicationID: UUID, vehicleID: UUID? = nil) async {
        do {
            try await enodeEvents.scan(applicationID: applicationID, vehicleID: vehicleID)
        } catch {
            logger.warning("webhook scan failed: \(error)")
        }
    }
}
