import CarportCore
import Foundation
import Vapor

/// `GET/DELETE /users/{u}/vehicles[/{id}]` (jedlix.md §3 #9–#11, §8).
struct JedlixVehicles {
    func register(on user: any RoutesBuilder) {
        user.get("vehicles", use: list)
        user.get("vehicles", ":vehicleId", use: get)
        user.delete("vehicles", ":vehicleId", use: delete)
    }

    @Sendable func list(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        var bodies: [JSONValue] = []
        for id in caller.grant.vehicleIDs {
            bodies.append(try await Self.body(try await caller.vehicle(id.uuidString, service: request.vehicleService), caller: caller, request: request))
        }
        return try Response.json(.array(bodies))
    }

    @Sendable func get(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        let vehicle = try await caller.vehicle(request.parameters.get("vehicleId"), service: request.vehicleService)
        return try Response.json(try await Self.body(vehicle, caller: caller, request: request))
    }

    /// Disconnects the vehicle from the user → 204; the user may then connect another one.
    @Sendable func delete(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        _ = try request.jedlixBody()
        let vehicle = try await caller.vehicle(request.parameters.get("vehicleId"), service: request.vehicleService)
        try await request.vehicleService.disconnect(applicationID: caller.application.id, vehicleID: vehicle.id, userID: caller.grant.userID)
        return Response(status: .noContent)
    }

    /// A vehicle as the SDKs decode it: `isConnected` is false while the brand refuses Carport's credentials.
    static func body(_ vehicle: ConnectedVehicle, caller: JedlixCaller, request: Request) async throws -> JSONValue {
        let service = request.vehicleService
        try service.spendBudget(on: vehicle, grant: caller.grant)
        let connectedAt = try await service.connections(applicationID: caller.application.id, vehicleID: vehicle.id, userID: caller.grant.userID)
            .map(\.connectedAt).min() ?? Date()
        let capabilities = try await service.capabilities(of: vehicle)
        var isConnected = true
        var chargeState: JSONValue = .null
        do {
            chargeState = try await Self.chargeState(vehicle, service: service, capabilities: capabilities)
        } catch let error as CarportError where error.kind == .connectedServicesAccount {
            isConnected = false
        } catch let error as CarportError where [.vehicleState, .upstream, .compatibility].contains(error.kind) {
            chargeState = .null
        }
        let brand = request.connectors.allBrands.first { $0.make == vehicle.identity.make }?.displayName ?? vehicle.identity.make
        return .object([
            ("id", .string(vehicle.id.uuidString.lowercased())), ("createdAt", .string(JedlixTime.format(connectedAt))),
            ("details", .object([("brand", .string(brand)), ("model", .string(vehicle.identity.model)),
                                 ("version", .string(String(vehicle.identity.year)))])),
            ("isConnected", .bool(isConnected)), ("isConnectable", true),
            ("capabilities", .array(Self.capabilities(capabilities).map(JSONValue.string))),
            ("chargeState", chargeState),
        ])
    }

    /// Jedlix capability names for what the vehicle's connector can do.
    static func capabilities(_ capabilities: VehicleCapabilities) -> [String] {
        var names: [String] = []
        if capabilities.signals.contains(.charge) { names.append("chargeState") }
        if capabilities.signals.contains(.battery) { names.append("stateOfCharge") }
        if capabilities.commands.contains(.charge) { names += ["charge", "startStopCharging"] }
        if capabilities.signals.contains(.location) { names.append("geoLocation") }
        if capabilities.commands.contains(.chargeLimit) { names.append("desiredStateOfCharge") }
        names.append("pullTelemetry")
        return names
    }

    private static func chargeState(_ vehicle: ConnectedVehicle, service: VehicleService, capabilities: VehicleCapabilities) async throws -> JSONValue {
        guard capabilities.signals.contains(.battery), capabilities.signals.contains(.charge) else { return .null }
        let readings = try await service.readAuthorized([.battery, .charge], of: vehicle)
        let batteryReading = try readings.reading(.battery), chargeReading = try readings.reading(.charge)
        guard case .battery(let battery) = batteryReading.value, case .charge(let charge) = chargeReading.value else { return .null }
        let state = !charge.isPluggedIn ? "disconnected"
            : charge.state == .charging ? "charging" : charge.state == .fullyCharged ? "complete" : "stopped"
        return .object([
            ("batteryLevel", .int(Int((battery.percentRemaining * 100).rounded()))), ("range", .int(Int(battery.rangeKm.rounded()))),
            ("chargeState", .string(state)),
            ("updatedAt", .string(JedlixTime.format(max(batteryReading.recordedAt, chargeReading.recordedAt)))),
        ])
    }
}
