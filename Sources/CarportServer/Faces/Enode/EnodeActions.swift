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
            ("targetId", .string(vehicleID.uuidString.lowercased())), ("targetType", "vehicle"), ("kind", .string(kind.rawValue)),
            ("failureReason", failureType.map { .object([("type", .string($0)), ("detail", .string(failureDetail ?? ""))]) } ?? .null),
        ])
    }
}

/// Charging commands as actions: `POST /vehicles/{id}/charging`, `GET /vehicles/actions/{id}`,
/// `POST /vehicles/actions/{id}/cancel`. A user token (v1) gets 204 with the action's URL in `Location`; the client
/// token with `Enode-User-Id` (v1-late) gets the action itself. Each change is a `user:vendor-action:updated` event.
struct EnodeActions {
    func register(on enode: any RoutesBuilder) {
        enode.post("vehicles", ":vehicleId", "charging", use: charging)
        enode.get("vehicles", "actions", ":actionId", use: get)
        enode.post("vehicles", "actions", ":actionId", "cancel", use: cancel)
    }

    @Sendable func charging(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request)
        try caller.require(anyOf: ["control:vehicle:charging"])
        let service = request.vehicleService
        let vehicle = try await caller.vehicle(request.parameters.get("vehicleId"), service: service)
        guard let kind = (try EnodeRoutes.jsonObject(request)["action"] as? String).flatMap(ChargeAction.Kind.init(rawValue:)) else {
            throw EnodeProblem.validation("\"action\" must be one of START, STOP")
        }
        let store = request.chargeActionStore
        let now = Date()
        var action: ChargeAction
        if let pending = try await store.pending(vehicleID: vehicle.id), pending.kind == kind {
            action = pending  // the same command is already under way
        } else {
            try await service.perform(kind == .start ? .startCharge : .stopCharge, on: vehicle, grant: caller.grant)
            if var superseded = try await store.pending(vehicleID: vehicle.id) {
                superseded.end(.cancelled, failure: ("CONFLICT", "Superseded by a \(kind.rawValue) action."), at: now)
                try await Self.record(superseded, request)
            }
            action = ChargeAction(id: UUID(), applicationID: caller.grant.applicationID, userID: caller.grant.userID,
                                  vehicleID: vehicle.id, kind: kind, state: .pending, createdAt: now, updatedAt: now)
            try await Self.record(action, request)
        }
        action = try await follow(action, request: request)
        await request.noteEnodeChanges(applicationID: caller.grant.applicationID, deviceID: vehicle.id)
        guard caller.scopes != nil else { return try await respond(action, request: request) }
        let response = Response(status: .noContent)
        response.headers.replaceOrAdd(name: .location, value: "\(request.carport.configuration.publicURL)/enode/vehicles/actions/\(action.id.uuidString.lowercased())")
        return response
    }

    @Sendable func get(request: Request) async throws -> Response {
        let (action, _) = try await find(request)
        return try await respond(try await follow(action, request: request), request: request)
    }

    @Sendable func cancel(request: Request) async throws -> Response {
        var (action, _) = try await find(request)
        guard action.state == .pending else {
            throw EnodeProblem(status: .conflict, slug: "conflict", title: "Action is not pending",
                               detail: "The action is \(action.state.rawValue); only a PENDING action can be cancelled.")
        }
        action.end(.cancelled, failure: ("REQUESTED_CANCELLATION", "Cancelled by the client."), at: Date())
        try await Self.record(action, request)
        return try await respond(action, request: request)
    }

    /// The caller's action from the path, or 404.
    private func find(_ request: Request) async throws -> (ChargeAction, EnodeCaller) {
        let caller = try await EnodeCaller.user(request)
        try caller.require(anyOf: ["control:vehicle:charging"])
        let id = request.parameters.get("actionId").flatMap(UUID.init(uuidString:))
        guard let id, let action = try await request.chargeActionStore.action(id: id),
              action.applicationID == caller.grant.applicationID, action.userID == caller.grant.userID
        else { throw EnodeProblem.notFound("Action not found", "Could not find action with ID \(request.parameters.get("actionId") ?? "")") }
        return (action, caller)
    }

    /// A pending action checked against a fresh reading: confirmed once the vehicle shows it, failed after the timeout.
    private func follow(_ action: ChargeAction, request: Request) async throws -> ChargeAction {
        guard action.state == .pending else { return action }
        var action = action
        let now = Date()
        if let vehicle = try await request.connectionStore.vehicle(id: action.vehicleID, applicationID: action.applicationID),
           let reading = try? await request.vehicleService.readAuthorized(.charge, of: vehicle, maxAge: 0),
           case .charge(let charge) = reading.value, (charge.state == .charging) == (action.kind == .start) {
            action.end(.confirmed, at: now)
        } else if now.timeIntervalSince(action.createdAt) > ChargeAction.timeout {
            action.end(.failed, failure: ("NO_RESPONSE", "The vehicle did not show the change within \(Int(ChargeAction.timeout / 60)) minutes."),
                       at: now)
        } else {
            return action
        }
        try await Self.record(action, request)
        return action
    }

    /// Saves the action and tells the application's webhook (`user:vendor-action:updated`).
    static func record(_ action: ChargeAction, _ request: Request) async throws {
        try await request.chargeActionStore.save(action)
        let userID = try await request.authorizationServer.externalID(userID: action.userID) ?? ""
        let event: JSONValue = .object([
            ("event", "user:vendor-action:updated"), ("createdAt", .string(EnodeTime.format(action.updatedAt))),
            ("user", .object([("id", .string(userID))])), ("vendorAction", action.body(externalUserID: userID)),
        ])
        try await request.webhookDispatcher.enqueue([try event.data()], applicationID: action.applicationID)
    }

    private func respond(_ action: ChargeAction, request: Request) async throws -> Response {
        let userID = try await request.authorizationServer.externalID(userID: action.userID) ?? ""
        return try Response.json(action.body(externalUserID: userID))
    }
}
