import CarportConnectors
import CarportCore
import Foundation
import Vapor

extension ChargeAction {
    /// The Action object (enode.md §6.1).
    func body(externalUserID: String) -> JSONValue {
        .object([
            ("id", .string(id.uuidString.lowercased())), ("userId", .string(externalUserID)), ("state", .string(state.rawValue)),
            ("createdAt", .string(EnodeTime.format(createdAt))), ("updatedAt", .string(EnodeTime.format(updatedAt))),
            ("completedAt", completedAt.map { .string(EnodeTime.format($0)) } ?? .null),
            ("targetId", .string(targetID.uuidString.lowercased())), ("targetType", .string(targetType.rawValue)),
            ("kind", .string(kind.rawValue)),
            ("failureReason", failureType.map { .object([("type", .string($0)), ("detail", .string(failureDetail ?? ""))]) } ?? .null),
        ])
    }
}

extension ChargeAction.TargetType {
    /// The path segment of its devices (`vehicles`, `chargers`).
    var collection: String { rawValue + "s" }
    /// The scope that controls its charging.
    var controlScope: String { "control:\(rawValue):charging" }
}

/// Charging commands as actions: `POST /vehicles/{id}/charging` and `POST /chargers/{id}/charging`,
/// `GET /{vehicles|chargers}/actions/{id}`, `POST …/actions/{id}/cancel`. A user token (v1) gets 204 with the
/// action's URL in `Location`; the client token with `Enode-User-Id` (v1-late) gets the action itself. Each change
/// is a `user:vendor-action:updated` event.
struct EnodeActions {
    func register(on enode: any RoutesBuilder) {
        enode.post("vehicles", ":vehicleId", "charging", use: vehicleCharging)
        enode.post("chargers", ":chargerId", "charging", use: chargerCharging)
        for type in ChargeAction.TargetType.allCases {
            let actions = enode.grouped(PathComponent(stringLiteral: type.collection), "actions", ":actionId")
            actions.get(use: get(type))
            actions.post("cancel", use: cancel(type))
        }
    }

    @Sendable func vehicleCharging(request: Request) async throws -> Response {
        let (caller, vehicle) = try await EnodeCaller.vehicle(request, anyOf: [ChargeAction.TargetType.vehicle.controlScope])
        let kind = try Self.kind(request)
        return try await start(kind, on: .vehicle, id: vehicle.id, caller: caller, request: request) {
            let command: VehicleCommand = kind == .start ? .startCharge : .stopCharge
            try await request.vehicleService.perform(command, on: vehicle, grant: caller.grant)
            try await request.noteManualCharge(command, on: vehicle)
        }
    }

    /// Refused (400) when no car is plugged in to the charger, or a START when the car is full.
    @Sendable func chargerCharging(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request, anyOf: [ChargeAction.TargetType.charger.controlScope])
        let charger = try await EnodeChargers.charger(request.parameters.get("chargerId"), request: request, caller: caller)
        let kind = try Self.kind(request)
        if charger.brand == OCPPChargers.brand {
            guard let ocpp = try await FluentOCPPChargerStore(resolveDatabase: { [db = request.db] in db }).charger(chargePointID: charger.serial)
            else { throw Self.refused("The OCPP charger is no longer registered.") }
            return try await start(kind, on: .charger, id: charger.id, caller: caller, request: request) {
                try await OCPPChargingControl(calls: OCPPCalls(request: request)).charge(kind == .start, ocpp)
            }
        }
        let state = SimulatedChargers.state(of: charger)
        if state.status == .disconnected { throw Self.refused("No vehicle is plugged in to the charger.") }
        if kind == .start && state.status == .complete { throw Self.refused("The plugged-in vehicle is fully charged.") }
        return try await start(kind, on: .charger, id: charger.id, caller: caller, request: request) {
            try await request.chargerStore.setCommandedCharging(kind == .start, id: charger.id, userID: caller.grant.userID)
        }
    }

    func get(_ type: ChargeAction.TargetType) -> @Sendable (Request) async throws -> Response {
        { request in
            let action = try await Self.find(type, request)
            return try await Self.respond(try await Self.follow(action, request: request), request: request)
        }
    }

    func cancel(_ type: ChargeAction.TargetType) -> @Sendable (Request) async throws -> Response {
        { request in
            var action = try await Self.find(type, request)
            guard action.state == .pending else {
                throw EnodeProblem(status: .conflict, slug: "conflict", title: "Action is not pending",
                                   detail: "The action is \(action.state.rawValue); only a PENDING action can be cancelled.")
            }
            action.end(.cancelled, failure: ("REQUESTED_CANCELLATION", "Cancelled by the client."), at: Date())
            guard try await Self.record(action, request) else {
                throw EnodeProblem(status: .conflict, slug: "conflict", title: "Action is not pending",
                                   detail: "The action ended while it was being cancelled; only a PENDING action can be cancelled.")
            }
            return try await Self.respond(action, request: request)
        }
    }

    /// Reuses the device's pending action of the same kind, or sends the command and starts a new action (cancelling
    /// a pending one of the other kind), then checks it once and answers.
    private func start(_ kind: ChargeAction.Kind, on type: ChargeAction.TargetType, id: UUID, caller: EnodeCaller, request: Request,
                       send: () async throws -> Void) async throws -> Response {
        let store = request.chargeActionStore
        let now = Date()
        var action: ChargeAction
        if let pending = try await store.pending(targetID: id), pending.kind == kind {
            action = pending  // the same command is already under way
        } else {
            var failure: OCPPChargingControl.Failure?
            do { try await send() } catch let refused as OCPPChargingControl.Failure { failure = refused }
            if failure == nil, var superseded = try await store.pending(targetID: id) {
                superseded.end(.cancelled, failure: ("CONFLICT", "Superseded by a \(kind.rawValue) action."), at: now)
                _ = try await Self.record(superseded, request)  // false: it ended meanwhile
            }
            action = ChargeAction(id: UUID(), applicationID: caller.grant.applicationID, userID: caller.grant.userID,
                                  targetType: type, targetID: id, kind: kind, state: .pending, createdAt: now, updatedAt: now)
            _ = try await Self.record(action, request)
            // A charger that is offline or refused: the action exists and has failed, as the client can read.
            if let failure {
                action.end(.failed, failure: ("COMMAND_FAILED", failure.description), at: now)
                _ = try await Self.record(action, request)
            }
        }
        action = try await Self.follow(action, request: request)
        await request.vehicleChanges.note(applicationID: caller.grant.applicationID, vehicleID: id)
        guard caller.scopes != nil else { return try await Self.respond(action, request: request) }
        let response = Response(status: .noContent)
        response.headers.replaceOrAdd(name: .location, value: "\(request.carport.configuration.publicURL)/enode/\(type.collection)/actions/\(action.id.uuidString.lowercased())")
        return response
    }

    static func kind(_ request: Request) throws -> ChargeAction.Kind {
        guard let kind = (try EnodeRoutes.jsonObject(request)["action"] as? String).flatMap(ChargeAction.Kind.init(rawValue:)) else {
            throw EnodeProblem.validation("\"action\" must be one of START, STOP")
        }
        return kind
    }

    static func refused(_ detail: String) -> EnodeProblem {
        EnodeProblem(status: .badRequest, slug: "bad-request", title: "Action could not be performed", detail: detail)
    }

    /// The caller's action of this device type from the path, or 404.
    private static func find(_ type: ChargeAction.TargetType, _ request: Request) async throws -> ChargeAction {
        let caller = try await EnodeCaller.user(request, anyOf: [type.controlScope])
        let id = request.parameters.get("actionId").flatMap(UUID.init(uuidString:))
        guard let id, let action = try await request.chargeActionStore.action(id: id), action.targetType == type,
              action.applicationID == caller.grant.applicationID, action.userID == caller.grant.userID
        else { throw EnodeProblem.notFound("Action not found", "Could not find action with ID \(request.parameters.get("actionId") ?? "")") }
        return action
    }

    /// A pending action checked against the device now: confirmed once it shows the change, failed after the timeout.
    private static func follow(_ action: ChargeAction, request: Request) async throws -> ChargeAction {
        guard action.state == .pending else { return action }
        var action = action
        let now = Date()
        if try await isCharging(action, request: request) == (action.kind == .start) {
            action.end(.confirmed, at: now)
        } else if now.timeIntervalSince(action.createdAt) > ChargeAction.timeout {
            action.end(.failed, failure: ("NO_RESPONSE", "The device did not show the change within \(Int(ChargeAction.timeout / 60)) minutes."),
                       at: now)
        } else {
            return action
        }
        guard try await record(action, request) else {
            return try await request.chargeActionStore.action(id: action.id) ?? action  // ended by another request or node
        }
        return action
    }

    /// Whether the action's device charges now (a fresh reading); nil when it cannot be read.
    private static func isCharging(_ action: ChargeAction, request: Request) async throws -> Bool? {
        switch action.targetType {
        case .vehicle:
            guard let vehicle = try await request.connectionStore.vehicle(id: action.targetID, applicationID: action.applicationID),
                  let reading = try? await request.vehicleService.readAuthorized(.charge, of: vehicle, maxAge: 0),
                  case .charge(let charge) = reading.value
            else { return nil }
            return charge.state == .charging
        case .charger:
            guard let charger = try await request.chargerStore.charger(id: action.targetID, userID: action.userID) else { return nil }
            return try await ChargerReading.of(charger, request: request).state.status == .charging
        }
    }

    /// Saves the action and, in the same transaction, tells the application's webhook (`user:vendor-action:updated`).
    /// False (nothing saved, nothing told) when the action had already ended.
    static func record(_ action: ChargeAction, _ request: Request) async throws -> Bool {
        let userID = try await request.authorizationServer.externalID(userID: action.userID) ?? ""
        let event: JSONValue = .object([
            ("event", "user:vendor-action:updated"), ("createdAt", .string(EnodeTime.format(action.updatedAt))),
            ("user", .object([("id", .string(userID))])), ("vendorAction", action.body(externalUserID: userID)),
        ])
        let hasWebhook = try await request.webhookStore.endpoint(applicationID: action.applicationID) != nil
        let box = request.carport.secretBox
        return try await request.db.transaction { database in
            guard try await FluentChargeActionStore(resolveDatabase: { database }).save(action) else { return false }
            if hasWebhook {
                try await FluentWebhookStore.enqueue([try event.data()], applicationID: action.applicationID, in: database, box: box)
            }
            return true
        }
    }

    private static func respond(_ action: ChargeAction, request: Request) async throws -> Response {
        let userID = try await request.authorizationServer.externalID(userID: action.userID) ?? ""
        return try Response.json(action.body(externalUserID: userID))
    }
}
