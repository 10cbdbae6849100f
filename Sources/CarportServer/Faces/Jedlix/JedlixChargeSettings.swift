import CarportCore
import Foundation
import Vapor

/// Smart charging on the Jedlix face (jedlix.md §9; the reference does not give the paths, so Carport serves them
/// under the vehicle): `GET|PUT /users/{u}/vehicles/{v}/charge-settings` — smart charging on or off, departure
/// times per weekday in the owner's time zone, the direct-charging level (charged at once) and the desired level —
/// and `GET /users/{u}/vehicles/{v}/charging-sessions`, the sessions smart charging ran (the current or last plan).
/// The settings are the vehicle's one smart-charging policy, the same the Enode face edits.
struct JedlixChargeSettings {
    func register(on user: any RoutesBuilder) {
        user.get("vehicles", ":vehicleId", "charge-settings", use: show)
        user.put("vehicles", ":vehicleId", "charge-settings", use: update)
        user.get("vehicles", ":vehicleId", "charging-sessions", use: sessions)
    }

    @Sendable func show(request: Request) async throws -> Response {
        let (_, vehicle) = try await Self.vehicle(request)
        return try Response.json(Self.body(try await request.smartChargingStore.policy(vehicleID: vehicle.id), vehicle: vehicle))
    }

    /// Replaces the settings (`departureTimes` is required; the other fields keep their value when left out).
    @Sendable func update(request: Request) async throws -> Response {
        let (_, vehicle) = try await Self.vehicle(request)
        let body = try request.jedlixBody()
        var policy = try await request.smartChargingStore.policy(vehicleID: vehicle.id)
        guard let days = body["departureTimes"] as? [String: Any] else {
            throw JedlixProblem.badRequest("\"departureTimes\" is required: an object of weekday → \"HH:mm\" (or null), e.g. {\"monday\":\"07:30\"}.")
        }
        var departures: [Int: Int] = [:]
        for (name, value) in days {
            guard let index = SmartChargingPolicy.weekdayNames.firstIndex(of: name.lowercased()) else {
                throw JedlixProblem.badRequest("\"departureTimes\" has an unknown weekday \"\(name)\"; use sunday … saturday.")
            }
            if value is NSNull { continue }
            guard let text = value as? String, let minutes = SmartChargingPolicy.minutes(of: text) else {
                throw JedlixProblem.badRequest("the departure time of \(name) must be \"HH:mm\" (24-hour clock) or null.")
            }
            departures[index + 1] = minutes
        }
        policy.departures = departures
        if let value = body["isSmartChargingEnabled"] {
            guard let enabled = jsonBool(value) else { throw JedlixProblem.badRequest("\"isSmartChargingEnabled\" must be a boolean.") }
            policy.isEnabled = enabled
        }
        if let value = body["timeZone"], !(value is NSNull) {
            guard let name = value as? String, TimeZone(identifier: name) != nil else {
                throw JedlixProblem.badRequest("\"timeZone\" must be an IANA time zone such as \"Europe/Amsterdam\".")
            }
            policy.timeZone = name
        }
        if let level = try Self.level(body, "directChargingBatteryLevel", 0...100) { policy.minimumChargeLevel = level > 0 ? level / 100 : nil }
        if let level = try Self.level(body, "desiredBatteryLevel", 50...100) { policy.targetLevel = level / 100 }
        for flag in ["isSolarOptimizationEnabled", "isBidirectionalChargingEnabled"] where body[flag].flatMap(jsonBool) == true {
            throw JedlixProblem.badRequest("\"\(flag)\" is not supported by Carport; leave it out or false.")
        }
        if policy.isEnabled, departures.isEmpty {
            throw JedlixProblem.badRequest("smart charging needs at least one departure time.")
        }
        if policy.isEnabled, !(try await request.vehicleService.capabilities(of: vehicle).commands.contains(.charge)) {
            throw JedlixProblem.badRequest("the vehicle cannot start and stop charging, so it cannot charge smartly.")
        }
        try await request.smartChargingStore.save(policy, vehicleID: vehicle.id, applicationID: vehicle.applicationID)
        return try Response.json(Self.body(policy, vehicle: vehicle))
    }

    /// The session of the current or last plan: managed (smart) at one of the owner's locations.
    @Sendable func sessions(request: Request) async throws -> Response {
        let (_, vehicle) = try await Self.vehicle(request)
        guard let schedule = try await request.smartChargingStore.schedule(vehicleID: vehicle.id), let plan = schedule.plan else {
            return try Response.json(.array([]))
        }
        func time(_ date: Date?) -> JSONValue { date.map { .string(JedlixTime.format($0)) } ?? .null }
        return try Response.json(.array([.object([
            ("id", .string(plan.id.uuidString.lowercased())), ("vehicleId", .string(vehicle.id.uuidString.lowercased())),
            ("chargingLocationId", plan.locationID.map { .string($0.uuidString.lowercased()) } ?? .null),
            ("isManaged", true), ("isFinished", .bool(!plan.isActive)), ("state", .string(schedule.state.name)),
            ("startDateTime", time(plan.createdAt)), ("endDateTime", time(plan.endedAt)), ("departureDateTime", time(plan.deadline)),
            ("estimatedFinishDateTime", time(plan.estimatedFinishAt)),
            ("desiredBatteryLevel", .int(Int((plan.targetLevel * 100).rounded()))), ("energyKWh", .number((plan.energyKWh * 100).rounded() / 100)),
            ("currency", .string(plan.currency)), ("smartCost", .number(EnodeSmartCharging.money(plan.smartCost))),
            ("nonSmartCost", .number(EnodeSmartCharging.money(plan.nonSmartCost))),
            ("chargingWindows", .array(plan.windows.map { .object([("startDateTime", time($0.start)), ("endDateTime", time($0.end))]) })),
        ])]))
    }

    static func body(_ policy: SmartChargingPolicy, vehicle: ConnectedVehicle) -> JSONValue {
        .object([
            ("vehicleId", .string(vehicle.id.uuidString.lowercased())), ("isSmartChargingEnabled", .bool(policy.isEnabled)),
            ("departureTimes", .object(SmartChargingPolicy.weekdayNames.enumerated().map { index, name in
                (name, policy.departures[index + 1].map { .string(SmartChargingPolicy.clock($0)) } ?? .null)
            })),
            ("timeZone", .string(policy.timeZone ?? "UTC")),
            ("directChargingBatteryLevel", .int(Int(((policy.minimumChargeLevel ?? 0) * 100).rounded()))),
            ("desiredBatteryLevel", policy.targetLevel.map { .int(Int(($0 * 100).rounded())) } ?? .null),
            ("enableSmartChargingAt", .null), ("isSolarOptimizationEnabled", false), ("isBidirectionalChargingEnabled", false),
        ])
    }

    static func vehicle(_ request: Request) async throws -> (JedlixCaller, ConnectedVehicle) {
        let caller = try await JedlixCaller.user(request)
        return (caller, try await caller.vehicle(request.parameters.get("vehicleId"), service: request.vehicleService))
    }

    static func level(_ body: [String: Any], _ name: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let value = body[name], !(value is NSNull) else { return nil }
        guard jsonBool(value) == nil, let number = (value as? NSNumber)?.doubleValue, range.contains(number) else {
            throw JedlixProblem.badRequest("\"\(name)\" must be a percentage, \(Int(range.lowerBound))-\(Int(range.upperBound)).")
        }
        return number
    }
}
