import CarportCore
import Foundation
import Vapor

/// Smartcar webhook events of subscribed vehicles (smartcar-webhooks-v3.md §2.5): `VEHICLE_STATE` with the trigger
/// `FIRST_DELIVERY` on subscribing (and on enabling again), then whenever a trigger signal changes, carrying every
/// subscribed signal; `VEHICLE_ERROR` when reading the vehicle fails with a canonical error and `RESOLVED` when it
/// reads again. Each subscription keeps the trigger values and error its last event came from; the new snapshot and
/// its events are saved in one transaction, so a crash reports a change once or on a later scan, never twice.
struct SmartcarEvents {
    let request: Request

    var store: FluentSmartcarWebhookStore { FluentSmartcarWebhookStore(resolveDatabase: { [db = request.db] in db }) }

    /// What a subscription's last event was computed from.
    struct Snapshot: Equatable {
        var values: [String: JSONValue]
        /// `TYPE:CODE` of the canonical error reading the vehicle failed with, if it did.
        var error: String?

        var text: String {
            let pairs = values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            let object: JSONValue = .object([("values", .object(pairs)), ("error", error.map { .string($0) } ?? .null)])
            return (try? object.data()).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }

        init(values: [String: JSONValue], error: String?) {
            self.values = values
            self.error = error
        }

        /// Each value is kept as the compact JSON text of its body, so values compare as the same serializer wrote them.
        init?(text: String?) {
            guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
            values = (object["values"] as? [String: String] ?? [:]).mapValues { .string($0) }
            error = object["error"] as? String
        }
    }

    /// The first delivery to a vehicle that was just subscribed (or whose webhook was enabled again).
    func firstDelivery(_ webhook: SmartcarWebhook, vehicleID: UUID) async {
        do {
            try await examine(webhook, vehicleID: vehicleID, first: true)
        } catch {
            request.logger.warning("Smartcar webhook first delivery failed: \(error)")
        }
    }

    /// A first delivery to every vehicle subscribed to a webhook that just went live (enabled again, or verified).
    func wentLive(from before: SmartcarWebhook, to webhook: SmartcarWebhook) async {
        guard !before.isLive, webhook.isLive, let vehicles = try? await store.subscribedVehicles(webhookID: webhook.id) else { return }
        for vehicleID in vehicles { await firstDelivery(webhook, vehicleID: vehicleID) }
    }

    /// Every application with a live webhook, scanned in turn.
    func scanAll() async throws {
        let applications = Set(try await store.webhooks(applicationID: nil).filter(\.isLive).map(\.applicationID))
        for applicationID in applications { try await scan(applicationID: applicationID) }
    }

    /// Looks at every vehicle (or just `vehicleID`) subscribed to the application's live webhooks, subscribing
    /// every vehicle first for webhooks that take all of them.
    func scan(applicationID: UUID, vehicleID only: UUID? = nil) async throws {
        for webhook in try await store.webhooks(applicationID: applicationID) where webhook.isLive {
            let subscribed = Set(try await store.subscribedVehicles(webhookID: webhook.id, among: only))
            if webhook.subscribesAllVehicles {
                for connection in try await request.vehicleService.connections(applicationID: applicationID, vehicleID: only, userID: nil)
                where !subscribed.contains(connection.vehicleID) {
                    if try await store.subscribe(webhookID: webhook.id, vehicleID: connection.vehicleID, at: Date()) {
                        try await examine(webhook, vehicleID: connection.vehicleID, first: true)
                    }
                }
            }
            for vehicleID in subscribed {
                try await examine(webhook, vehicleID: vehicleID, first: false)
            }
        }
    }

    private func examine(_ webhook: SmartcarWebhook, vehicleID: UUID, first: Bool) async throws {
        guard webhook.isLive,
              let vehicle = try await request.connectionStore.vehicle(id: vehicleID, applicationID: webhook.applicationID),
              let owner = try await request.vehicleService.connections(applicationID: webhook.applicationID, vehicleID: vehicleID, userID: nil).first
        else { return }
        switch webhook.kind {
        case .current(let triggers, let signals):
            try await state(webhook, vehicle: vehicle, userID: owner.userID, triggers: triggers, signals: signals, first: first)
        case .scheduled(let interval, let endpoints):
            try await scheduled(webhook, vehicle: vehicle, userID: owner.userID, interval: interval, endpoints: endpoints)
        case .eventBased(let events):
            try await charging(webhook, vehicle: vehicle, events: events)
        }
    }

    /// `VEHICLE_STATE` and `VEHICLE_ERROR` of a current webhook's subscription.
    private func state(_ webhook: SmartcarWebhook, vehicle: ConnectedVehicle, userID: UUID, triggers: [SmartcarSignalCode],
                       signals: [SmartcarSignalCode], first: Bool) async throws {
        let vehicleID = vehicle.id
        let sources = Set((triggers + signals).map(\.source))
        var results: [SignalKind: Result<SignalReading, CarportError>] = [:]
        do {
            results = try await request.vehicleService.readAuthorized(sources, of: vehicle).results
        } catch let error as CarportError {
            for source in sources { results[source] = .failure(error) }
        }
        let failure = triggers.lazy.compactMap { code -> CarportError? in
            guard case .failure(let error)? = results[code.source], error.kind != .compatibility else { return nil }
            return error
        }.first
        var values: [String: JSONValue] = [:]
        for code in triggers {
            if case .success(let reading)? = results[code.source], let body = SmartcarSignalBody.body(code, reading.value),
               let text = try? body.data() {
                values[code.rawValue] = .string(String(decoding: text, as: UTF8.self))
            }
        }
        let snapshot = Snapshot(values: values, error: failure.map { "\($0.kind.rawValue):\($0.code ?? "")" })
        let previous = Snapshot(text: try await store.snapshot(webhookID: webhook.id, vehicleID: vehicleID))
        guard first || snapshot != previous else { return }

        let envelope = Envelope(webhook: webhook, vehicle: vehicle, userID: userID)
        var events: [SmartcarQueuedEvent] = []
        if first {
            events.append(envelope.state(triggers: nil, signals: signals, results: results))
        } else if let previous {
            if snapshot.error != previous.error {
                if let old = previous.error { events.append(envelope.error(old, state: "RESOLVED", triggers: triggers)) }
                if let failure { events.append(envelope.error(failure, state: "ERROR", triggers: triggers)) }
            }
            let changed = triggers.filter { code in snapshot.values[code.rawValue].map { $0 != previous.values[code.rawValue] } ?? false }
            if !changed.isEmpty { events.append(envelope.state(triggers: changed, signals: signals, results: results)) }
        }
        try await save(snapshot.text, events: events, webhook: webhook, vehicleID: vehicleID)
    }

    /// The subscription's new snapshot and the events it produced, in one transaction.
    func save(_ snapshot: String, events: [SmartcarQueuedEvent], webhook: SmartcarWebhook, vehicleID: UUID) async throws {
        try await request.db.transaction { database in
            try await FluentSmartcarWebhookStore.saveSnapshot(snapshot, webhookID: webhook.id, vehicleID: vehicleID, in: database)
            try await FluentSmartcarWebhookStore.enqueue(events, in: database)
        }
        if !events.isEmpty { request.carport.outboxBell.ring() }
    }

    /// The 4.0 envelope of one webhook's events about one vehicle.
    struct Envelope {
        let webhook: SmartcarWebhook
        let vehicle: ConnectedVehicle
        let userID: UUID

        private var ids: (user: JSONValue, vehicle: JSONValue) {
            (.object([("id", .string(userID.uuidString.lowercased()))]),
             .object([("id", .string(vehicle.id.uuidString.lowercased())), ("make", .string(vehicle.identity.make)),
                      ("model", .string(vehicle.identity.model)), ("year", .int(vehicle.identity.year)),
                      ("vin", .string(vehicle.identity.vin)), ("mode", .string(vehicle.mode.rawValue.uppercased()))]))
        }

        /// `VEHICLE_STATE`: `triggers` nil for the first delivery.
        func state(triggers: [SmartcarSignalCode]?, signals: [SmartcarSignalCode],
                   results: [SignalKind: Result<SignalReading, CarportError>]) -> SmartcarQueuedEvent {
            let named: [JSONValue] = triggers.map { codes in
                codes.map { .object(SmartcarSignalBody.naming($0)) }
            } ?? [.object([("code", "FIRST_DELIVERY")])]
            let topLevel: [JSONValue] = triggers.map { codes in
                codes.map { .object([("type", "SIGNAL_UPDATED"), ("signal", .object(SmartcarSignalBody.naming($0)))]) }
            } ?? [.object([("type", "FIRST_DELIVERY")])]
            let data: JSONValue = .object([("user", ids.user), ("vehicle", ids.vehicle),
                                           ("signals", .array(signals.map { SmartcarSignalBody.signal($0, results[$0.source]) })),
                                           ("triggers", .array(named))])
            return event("VEHICLE_STATE", [("triggers", .array(topLevel)), ("data", data)], meta: [("signalCount", .int(signals.count))])
        }

        /// `VEHICLE_ERROR` in state `ERROR` or `RESOLVED`; `error` is the canonical error, or its `TYPE:CODE`.
        func error(_ error: CarportError, state: String, triggers: [SmartcarSignalCode]) -> SmartcarQueuedEvent {
            self.error(type: error.kind.rawValue, code: error.code, description: error.description, state: state, triggers: triggers)
        }

        func error(_ text: String, state: String, triggers: [SmartcarSignalCode]) -> SmartcarQueuedEvent {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            return error(type: parts.first ?? text, code: parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil,
                         description: "The problem is resolved.", state: state, triggers: triggers)
        }

        private func error(type: String, code: String?, description: String, state: String, triggers: [SmartcarSignalCode]) -> SmartcarQueuedEvent {
            let item: JSONValue = .object([
                ("type", .string(type)), ("code", code.map { .string($0) } ?? .null), ("state", .string(state)),
                ("description", .string(description)), ("suggestedUserMessage", .string(description)),
                ("docURL", .string("https://smartcar.com/docs/errors/api-errors/\(type.lowercased().replacingOccurrences(of: "_", with: "-"))-errors")),
                ("resolution", .object([("type", .null)])),
                ("signals", .array(triggers.map { .object(SmartcarSignalBody.naming($0)) })),
            ])
            return event("VEHICLE_ERROR", [("data", .object([("user", ids.user), ("vehicle", ids.vehicle), ("errors", .array([item]))]))], meta: [])
        }

        /// Compact JSON with `meta` last and left open, so each attempt closes it with its own delivery id and time.
        private func event(_ type: String, _ fields: [(String, JSONValue)], meta extra: [(String, JSONValue)]) -> SmartcarQueuedEvent {
            let eventID = UUID().uuidString.lowercased()
            let head: JSONValue = .object([("eventId", .string(eventID)), ("eventType", .string(type)),
                                           ("vehicleId", .string(vehicle.id.uuidString.lowercased()))] + fields)
            let meta: JSONValue = .object([("version", "4.0"), ("webhookId", .string(webhook.id.uuidString.lowercased())),
                                           ("webhookName", .string(webhook.name)), ("mode", .string(vehicle.mode.rawValue.uppercased()))] + extra)
            var body = (try? head.data()) ?? Data("{}".utf8)
            body.removeLast()  // the closing brace
            var metaText = (try? meta.data()) ?? Data("{}".utf8)
            metaText.removeLast()
            body += Data(#","meta":"#.utf8) + metaText + SmartcarQueuedEvent.openMetaSuffix
            return SmartcarQueuedEvent(webhookID: webhook.id, applicationID: webhook.applicationID, eventID: eventID, eventType: type, payload: body)
        }
    }
}

extension Request {
    var smartcarEvents: SmartcarEvents { SmartcarEvents(request: self) }

    var smartcarDispatcher: SmartcarWebhookDispatcher {
        let registry = applicationRegistry
        return SmartcarWebhookDispatcher(
            store: FluentSmartcarWebhookStore(resolveDatabase: { [db] in db }),
            transport: HTTPWebhookTransport(allowPrivateNetworks: carport.configuration.webhookPrivateNetworks),
            key: { try await registry.managementTokenKey(applicationID: $0) }, leaseSeconds: carport.configuration.leaseSeconds)
    }
}
