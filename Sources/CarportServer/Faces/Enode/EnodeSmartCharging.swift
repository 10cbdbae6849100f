import CarportCore
import Foundation
import Vapor

/// Smart charging on the Enode face (enode-current.md §2.8): the policy with `minimumChargeLimit`, the v1-late
/// status, the plan (the current or last one; `latest` names it too) and the smart override. The platform's
/// control loop (`SmartChargingLoop`) does the charging; these endpoints set what it follows and show what it does.
struct EnodeSmartCharging {
    func register(on vehicle: any RoutesBuilder) {
        vehicle.put("smart-charging-policy", use: setPolicy)
        vehicle.get("smart-charging-status", use: status)
        vehicle.get("smart-charging-plans", ":planId", use: plan)
        vehicle.post("smart-override", use: startOverride)
        vehicle.delete("smart-override", use: endOverride)
    }

    /// Where smart charging is enabled without a deadline: full by 07:00 UTC.
    static let defaultDeadlineMinutes = 7 * 60
    static let scope = EnodeVehicleBody.Field.smartChargingPolicy.scope

    /// `PUT /vehicles/{id}/smart-charging-policy {isEnabled?, deadline?, minimumChargeLimit?}`: merged into the
    /// stored policy (a null deadline clears it; enabled without one, the deadline is 07:00) and echoed; the control
    /// loop looks at the vehicle at once. A vehicle that cannot start and stop charging cannot be enabled.
    @Sendable func setPolicy(request: Request) async throws -> Response {
        let (_, vehicle) = try await EnodeCaller.vehicle(request, anyOf: [Self.scope])
        let body = try EnodeRoutes.jsonObject(request)
        let store = request.smartChargingStore
        var policy = try await store.policy(vehicleID: vehicle.id)
        if let value = body["isEnabled"] {
            guard let enabled = jsonBool(value) else { throw EnodeProblem.validation("\"isEnabled\" must be a boolean") }
            policy.isEnabled = enabled
        }
        if let value = body["deadline"] {
            if value is NSNull {
                policy.deadlineMinutes = nil
            } else {
                guard let text = value as? String, let minutes = SmartChargingPolicy.minutes(of: text) else {
                    throw EnodeProblem.validation("\"deadline\" must be a time HH:MM (24-hour clock, UTC)")
                }
                policy.deadlineMinutes = minutes
            }
        }
        if let value = body["minimumChargeLimit"] {
            guard let percent = (value as? NSNumber).flatMap({ jsonBool(value) == nil ? $0.doubleValue : nil }),
                  (0...100).contains(percent) else {
                throw EnodeProblem.validation("\"minimumChargeLimit\" must be a percentage, 0-100")
            }
            policy.minimumChargeLevel = percent > 0 ? percent / 100 : nil
        }
        if policy.isEnabled, policy.deadlineMinutes == nil { policy.deadlineMinutes = Self.defaultDeadlineMinutes }
        if policy.isEnabled, !(try await request.vehicleService.capabilities(of: vehicle).commands.contains(.charge)) {
            throw EnodeProblem.validation("the vehicle cannot start and stop charging, so it cannot charge smartly")
        }
        try await store.save(policy, vehicleID: vehicle.id, applicationID: vehicle.applicationID)
        return try Response.json(Self.policy(policy))
    }

    static func policy(_ policy: SmartChargingPolicy) -> JSONValue {
        .object([("isEnabled", .bool(policy.isEnabled)), ("deadline", policy.deadline.map(JSONValue.string) ?? .null),
                 ("minimumChargeLimit", .number(((policy.minimumChargeLevel ?? 0) * 100).rounded()))])
    }

    /// `GET /vehicles/{id}/smart-charging-status`.
    @Sendable func status(request: Request) async throws -> Response {
        let (caller, vehicle) = try await EnodeCaller.vehicle(request, anyOf: [Self.scope])
        let userID = try await request.authorizationServer.externalID(userID: caller.grant.userID) ?? ""
        let schedule = try await request.smartChargingStore.schedule(vehicleID: vehicle.id)
        let policy = try await request.smartChargingStore.policy(vehicleID: vehicle.id)
        let state: SmartChargingState = policy.isActive ? schedule?.state ?? .considering : .disabled
        let considering: JSONValue
        if case .considering = state, let schedule {
            let reading = await SmartChargingLoop(request: request).observe(vehicle)
            let car = try? reading.get()
            considering = .object([("isPluggedIn", .bool(car?.isPluggedIn ?? false)), ("isCharging", .bool(car?.isCharging ?? false)),
                                   ("atChargingLocation", .bool(car?.locationID != nil)), ("hasTimeEstimate", .bool(schedule.observedPowerKW != nil))])
        } else {
            considering = .null
        }
        let override = try await request.smartChargingStore.override(vehicleID: vehicle.id)
        return try Response.json(.object([
            ("updatedAt", .string(EnodeTime.format(Date()))), ("vehicleId", .string(vehicle.id.uuidString.lowercased())),
            ("userId", .string(userID)), ("vendor", .string(vehicle.identity.make)), ("state", .string(state.name)),
            ("stateChangedAt", .string(EnodeTime.format(schedule?.stateChangedAt ?? Date()))), ("consideration", considering),
            ("plan", schedule?.plan.map { Self.plan($0, vehicle: vehicle, userID: userID) } ?? .null),
            ("smartOverride", override.map { Self.override($0.0, since: $0.1, endedAt: nil, vehicle: vehicle, userID: userID) } ?? .null),
        ]))
    }

    /// `GET /vehicles/{id}/smart-charging-plans/{planId|latest}`: the vehicle's current or last plan.
    @Sendable func plan(request: Request) async throws -> Response {
        let (caller, vehicle) = try await EnodeCaller.vehicle(request, anyOf: [Self.scope])
        let asked = request.parameters.get("planId") ?? ""
        guard let plan = try await request.smartChargingStore.schedule(vehicleID: vehicle.id)?.plan, plan.kind != .full || asked != "latest",
              asked == "latest" || UUID(uuidString: asked) == plan.id
        else { throw EnodeProblem.notFound("Smart charging plan not found", "Could not find smart charging plan \(asked)") }
        let userID = try await request.authorizationServer.externalID(userID: caller.grant.userID) ?? ""
        return try Response.json(Self.plan(plan, vehicle: vehicle, userID: userID))
    }

    static func plan(_ plan: ChargingPlan, vehicle: ConnectedVehicle, userID: String) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(EnodeTime.format($0)) } ?? .null }
        let first = plan.windows.first
        return .object([
            ("id", .string(plan.id.uuidString.lowercased())), ("vehicleId", .string(vehicle.id.uuidString.lowercased())),
            ("userId", .string(userID)),
            ("locationId", plan.locationID.map { .string($0.uuidString.lowercased()) } ?? .null), ("vendor", .string(vehicle.identity.make)),
            ("currency", .string(plan.currency)), ("nonSmartCost", .number(Self.money(plan.nonSmartCost))),
            ("smartCost", .number(Self.money(plan.smartCost))),
            ("stopAt", time(first.map { $0.start > plan.createdAt ? plan.createdAt : $0.end } ?? plan.createdAt)),
            ("startAt", time(first.map { $0.start > plan.createdAt ? $0.start : plan.windows.dropFirst().first?.start ?? $0.start })),
            ("estimatedFinishAt", time(plan.estimatedFinishAt ?? plan.deadline)),
            ("stopConfirmedAt", time(plan.stopConfirmedAt)), ("startConfirmedAt", time(plan.startConfirmedAt)),
            ("endedAt", time(plan.endedAt)), ("finalState", plan.finalState.map { .string("PLAN:ENDED:\($0.rawValue)") } ?? .null),
            ("failureCondition", plan.failureCondition.map { .string($0.rawValue) } ?? .null),
            ("chargingWindows", .array(plan.windows.map { .object([("startAt", time($0.start)), ("endAt", time($0.end))]) })),
        ])
    }

    static func money(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// `POST /vehicles/{id}/smart-override`: charge now until full or unplugged.
    @Sendable func startOverride(request: Request) async throws -> Response {
        let (caller, vehicle) = try await EnodeCaller.vehicle(request, anyOf: [Self.scope, ChargeAction.TargetType.vehicle.controlScope])
        let now = Date()
        try await request.smartChargingStore.setOverride(.charge, vehicleID: vehicle.id, applicationID: vehicle.applicationID, now: now)
        let userID = try await request.authorizationServer.externalID(userID: caller.grant.userID) ?? ""
        return try Response.json(Self.override(.charge, since: now, endedAt: nil, vehicle: vehicle, userID: userID))
    }

    /// `DELETE /vehicles/{id}/smart-override`: back to the plan; 404 without an override.
    @Sendable func endOverride(request: Request) async throws -> Response {
        let (caller, vehicle) = try await EnodeCaller.vehicle(request, anyOf: [Self.scope, ChargeAction.TargetType.vehicle.controlScope])
        guard let (kind, since) = try await request.smartChargingStore.override(vehicleID: vehicle.id) else {
            throw EnodeProblem.notFound("Smart override not found", "The vehicle has no smart override.")
        }
        let now = Date()
        try await request.smartChargingStore.setOverride(nil, vehicleID: vehicle.id, applicationID: vehicle.applicationID, now: now)
        let userID = try await request.authorizationServer.externalID(userID: caller.grant.userID) ?? ""
        return try Response.json(Self.override(kind, since: since, endedAt: now, vehicle: vehicle, userID: userID))
    }

    static func override(_ kind: SmartChargingSchedule.Override, since: Date, endedAt: Date?, vehicle: ConnectedVehicle, userID: String) -> JSONValue {
        .object([("createdAt", .string(EnodeTime.format(since))), ("endedAt", endedAt.map { .string(EnodeTime.format($0)) } ?? .null),
                 ("targetType", "vehicle"), ("targetId", .string(vehicle.id.uuidString.lowercased())), ("vendorActionId", .null),
                 ("userId", .string(userID)), ("vendor", .string(vehicle.identity.make))])
    }

    /// The reason on the charge state while smart charging runs the car (nil: the car's own reason stands).
    static func reason(_ schedule: SmartChargingSchedule?) -> String? {
        guard let schedule else { return nil }
        if let override = schedule.override { return override == .stop ? "MANUALLY_STOPPED" : "MANUALLY_STARTED" }
        switch schedule.state {
        case .executing(.stopped), .executing(.stopping), .executing(.startFailed): return "SMART_CHARGING_DELAY"
        case .executing(.started), .executing(.starting), .executing(.stopFailed):
            return schedule.plan?.kind == .deadline ? "SMART_CHARGING_DEADLINE" : "SMART_CHARGING_ACTIVE"
        default: return nil
        }
    }
}
