import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// The user's home chargers (enode.md §3.2, 1.4): list and get with `field[]` selection (charging: EnodeActions).
/// Chargers come from Carport's charger connect step (simulated charger brands) at one of the user's locations.
struct EnodeChargers {
    enum Field: String, CaseIterable {
        case chargeState, information, location
    }

    static let readScopes = ["charger:charge_state", "charger:information"]

    func register(on enode: any RoutesBuilder) {
        enode.get("chargers", use: list)
        enode.get("chargers", ":chargerId", use: get)
    }

    @Sendable func list(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request, anyOf: Self.readScopes)
        let fields = try Self.fields(request)
        let chargers = try await request.chargerStore.chargers(userID: caller.grant.userID)
        var bodies: [JSONValue] = []
        for charger in chargers { bodies.append(try await Self.body(charger, fields: fields, request: request)) }
        return try Response.json(.array(bodies))
    }

    @Sendable func get(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request, anyOf: Self.readScopes)
        let charger = try await Self.charger(request.parameters.get("chargerId"), request: request, caller: caller)
        return try Response.json(try await Self.body(charger, fields: try Self.fields(request), request: request))
    }

    static func charger(_ id: String?, request: Request, caller: EnodeCaller) async throws -> Charger {
        guard let uuid = id.flatMap(UUID.init(uuidString:)),
              let charger = try await request.chargerStore.charger(id: uuid, userID: caller.grant.userID)
        else { throw EnodeProblem.notFound("Charger not found", "Could not find charger with ID \(id ?? "")") }
        return charger
    }

    static func fields(_ request: Request) throws -> [Field] {
        let query = FormParameters(request.url.query)
        return try (query.all("field[]") + query.all("field")).map { name in
            guard let field = Field(rawValue: name) else {
                throw EnodeProblem.validation("\"field\" must be one of \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return field
        }
    }

    static func body(_ charger: Charger, fields: [Field], request: Request) async throws -> JSONValue {
        let reading = try await ChargerReading.of(charger, request: request)
        let state = reading.state
        var pairs: [(String, JSONValue)] = [("id", .string(charger.id.uuidString.lowercased())), ("isReachable", .bool(reading.isReachable)),
                                            ("lastSeen", .string(EnodeTime.format(state.recordedAt)))]
        for field in Field.allCases where fields.contains(field) {
            switch field {
            case .chargeState:
                let charging = state.status == .charging
                pairs.append(("chargeState", .object([("isPluggedIn", .bool(state.status != .disconnected)), ("isCharging", .bool(charging)),
                                                      ("chargeRate", charging ? .number(state.powerKW ?? 0) : .null)])))
            case .information:
                let brand = reading.vendor ?? SimulatedChargers.brands.first { $0.make == charger.brand }?.displayName ?? charger.brand
                pairs.append(("information", .object([("id", .string(charger.id.uuidString.lowercased())), ("brand", .string(brand)),
                                                      ("model", .string(reading.model ?? charger.model)),
                                                      ("year", .int(Calendar(identifier: .gregorian).component(.year, from: charger.createdAt)))])))
            case .location:
                let location = try await request.chargingLocationService.get(charger.chargingLocationID, userID: charger.userID)
                pairs.append(("location", .object([("chargingLocationId", .string(location.id.uuidString.lowercased())),
                                                   ("longitude", .number(location.longitude)), ("latitude", .number(location.latitude))])))
            }
        }
        return .object(pairs)
    }
}
