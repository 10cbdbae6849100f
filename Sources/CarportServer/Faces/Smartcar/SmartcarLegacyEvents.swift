import CarportCore
import Foundation
import Vapor

/// Legacy Smartcar webhooks, payload version 2.0 (smartcar-webhooks-v3.md §2.5): `scheduled` sends the chosen read
/// endpoints of each subscribed vehicle as batch items every `interval` seconds (the first on the first pass after
/// subscribing); `eventBased` sends `CHARGING_STARTED`, `CHARGING_STOPPED` and `CHARGING_COMPLETED` when the charge
/// state moves that way. A subscription's snapshot holds its next run (scheduled) or its last charge state
/// (eventBased), saved with the event in one transaction.
extension SmartcarEvents {
    func scheduled(_ webhook: SmartcarWebhook, vehicle: ConnectedVehicle, userID: UUID, interval: Int, endpoints: [String]) async throws {
        let now = Date()
        let next = try await store.snapshot(webhookID: webhook.id, vehicleID: vehicle.id).flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
        if let next, now < next { return }
        // The next run keeps the schedule's rhythm; after missed runs (a node was down) it starts again from now.
        var following = (next ?? now).addingTimeInterval(Double(interval))
        if following <= now { following = now.addingTimeInterval(Double(interval)) }

        let reads = endpoints.compactMap { path in SmartcarReadEndpoint(rawValue: path).map { (path, $0) } }
        let allowed = try await request.authorizationServer.permissions(userID: userID, applicationID: webhook.applicationID, vehicleID: vehicle.id)
        var refused: [Int: CarportError] = [:]
        for (index, (_, endpoint)) in reads.enumerated() where !allowed.contains(endpoint.permission) { refused[index] = .permission }
        let service = request.vehicleService
        let signals = Set(reads.indices.filter { refused[$0] == nil }.compactMap { reads[$0].1.signal })
        let readings: VehicleReadings
        do {
            readings = try await service.readAuthorized(signals, of: vehicle)
        } catch {
            let failure = error as? CarportError ?? CarportError.internalError()
            readings = VehicleReadings(results: Dictionary(uniqueKeysWithValues: signals.map { ($0, .failure(failure)) }))
        }
        let requestID = UUID().uuidString.lowercased()
        let items = await SmartcarBatch.items(reads, refused: refused, vehicle: vehicle, service: service, units: .metric,
                                              readings: readings, requestID: requestID)
        let entry: JSONValue = .object([("vehicleId", .string(vehicle.id.uuidString.lowercased())), ("requestId", .string(requestID)),
                                        ("data", .array(items))])
        let event = legacyEvent(webhook, vehicle: vehicle, name: "scheduled", type: "scheduled",
                                payload: .object([("vehicles", .array([entry]))]))
        try await save(String(following.timeIntervalSince1970), events: [event], webhook: webhook, vehicleID: vehicle.id)
    }

    func charging(_ webhook: SmartcarWebhook, vehicle: ConnectedVehicle, events wanted: [SmartcarChargingEvent]) async throws {
        // An unreadable car is compared again on a later pass.
        guard let reading = try? await request.vehicleService.readAuthorized(.charge, of: vehicle),
              case .charge(let charge) = reading.value else { return }
        let state = charge.state.rawValue
        let previous = try await store.snapshot(webhookID: webhook.id, vehicleID: vehicle.id)
        guard previous != state else { return }
        var events: [SmartcarQueuedEvent] = []
        if let previous, let change = Self.chargingEvent(from: previous, to: state), wanted.contains(change) {
            let eventID = UUID().uuidString.lowercased()
            events.append(legacyEvent(webhook, vehicle: vehicle, name: "eventBased", type: change.rawValue, eventID: eventID, payload: .object([
                ("eventId", .string(eventID)), ("vehicleId", .string(vehicle.id.uuidString.lowercased())),
                ("eventType", .string(change.rawValue)), ("eventTime", .string(SmartcarTime.format(reading.recordedAt))),
            ])))
        }
        try await save(state, events: events, webhook: webhook, vehicleID: vehicle.id)
    }

    /// The charging event a move between charge states is (nil for the first look and for moves that are none).
    static func chargingEvent(from previous: String, to state: String) -> SmartcarChargingEvent? {
        switch (previous, state) {
        case (_, "CHARGING"): .started
        case ("CHARGING", "FULLY_CHARGED"): .completed
        case ("CHARGING", _): .stopped
        default: nil
        }
    }

    private func legacyEvent(_ webhook: SmartcarWebhook, vehicle: ConnectedVehicle, name: String, type: String,
                             eventID: String = UUID().uuidString.lowercased(), payload: JSONValue) -> SmartcarQueuedEvent {
        let body: JSONValue = .object([("version", "2.0"), ("webhookId", .string(webhook.id.uuidString.lowercased())),
                                       ("eventName", .string(name)), ("mode", .string(vehicle.mode.rawValue)), ("payload", payload)])
        return SmartcarQueuedEvent(webhookID: webhook.id, applicationID: webhook.applicationID, eventID: eventID, eventType: type,
                                   payload: (try? body.data()) ?? Data("{}".utf8))
    }
}
