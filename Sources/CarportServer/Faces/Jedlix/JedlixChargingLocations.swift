import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// Charging locations and their chargers (jedlix.md §3 #12–#18, §8). Creating a location is Carport's
/// `POST /users/{u}/charging-locations` (`coordinates`, `address`); chargers arrive through charger sessions.
struct JedlixChargingLocations {
    func register(on user: any RoutesBuilder) {
        user.post("charging-locations", use: create)
        user.get("charging-locations", use: list)
        let location = user.grouped("charging-locations", ":locationId")
        location.get(use: get)
        location.delete(use: delete)
        location.get("chargers", use: locationChargers)
        location.get("chargers", ":chargerId", use: charger)
        location.delete("chargers", ":chargerId", use: deleteCharger)
        location.get("chargers", ":chargerId", "state", use: chargerState)
        user.get("chargers", use: userChargers)
    }

    @Sendable func create(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        let body = try request.jedlixBody()
        guard let coordinates = body["coordinates"] as? [String: Any] else {
            throw JedlixProblem.badRequest("\"coordinates\" is required: {\"latitude\": …, \"longitude\": …}.")
        }
        var address: PostalAddress?
        if let value = body["address"], !(value is NSNull) {
            guard let object = value as? [String: Any] else { throw JedlixProblem.badRequest("\"address\" must be an object.") }
            address = try Self.address(object)
        }
        if let value = body["name"], !(value is NSNull), !(value is String) {
            throw JedlixProblem.badRequest("\"name\" must be a string.")
        }
        let name = (body["name"] as? String) ?? Self.name(of: address)
        let location = try await request.chargingLocationService.create(
            userID: caller.grant.userID, name: name, latitude: jsonNumber(coordinates["latitude"]),
            longitude: jsonNumber(coordinates["longitude"]), address: address)
        return try Response.json(try await Self.body(location, caller: caller, request: request), status: .created)
    }

    /// `GET /users/{u}/charging-locations?area=&region=&country=`: the filters match the address.
    @Sendable func list(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        let filters: [(String, KeyPath<PostalAddress, String?>)] = [("area", \.area), ("region", \.region), ("country", \.country)]
        var bodies: [JSONValue] = []
        for location in try await request.chargingLocationService.list(userID: caller.grant.userID) where filters.allSatisfy({ name, path in
            guard let wanted = request.query[String.self, at: name] else { return true }
            return location.address?[keyPath: path]?.caseInsensitiveCompare(wanted) == .orderedSame
        }) {
            bodies.append(try await Self.body(location, caller: caller, request: request))
        }
        return try Response.json(.array(bodies))
    }

    @Sendable func get(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        let location = try await caller.chargingLocation(request.parameters.get("locationId"), request: request)
        return try Response.json(try await Self.body(location, caller: caller, request: request))
    }

    @Sendable func delete(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        let location = try await caller.chargingLocation(request.parameters.get("locationId"), request: request)
        try await request.chargingLocationService.delete(location.id, userID: caller.grant.userID)
        return Response(status: .noContent)
    }

    @Sendable func locationChargers(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        let location = try await caller.chargingLocation(request.parameters.get("locationId"), request: request)
        let chargers = try await request.chargerStore.chargers(userID: caller.grant.userID)
        return try Response.json(.array(try await Self.bodies(chargers.filter { $0.chargingLocationID == location.id }, request: request)))
    }

    @Sendable func userChargers(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        return try Response.json(.array(try await Self.bodies(try await request.chargerStore.chargers(userID: caller.grant.userID), request: request)))
    }

    @Sendable func charger(request: Request) async throws -> Response {
        let (_, charger) = try await Self.charger(request)
        return try Response.json(try await Self.body(charger, request: request))
    }

    @Sendable func chargerState(request: Request) async throws -> Response {
        let (_, charger) = try await Self.charger(request)
        return try Response.json(Self.state(try await ChargerReading.of(charger, request: request)))
    }

    @Sendable func deleteCharger(request: Request) async throws -> Response {
        let (caller, charger) = try await Self.charger(request)
        _ = try request.jedlixBody()
        _ = try await request.chargerStore.delete(id: charger.id, userID: caller.grant.userID)
        return Response(status: .noContent)
    }

    // MARK: - Bodies

    static func body(_ location: ChargingLocation, caller: JedlixCaller, request: Request) async throws -> JSONValue {
        let id = location.id.uuidString.lowercased()
        let address = location.address ?? PostalAddress()
        let parts: [(String, String?)] = [("street", address.street), ("postalCode", address.postalCode), ("houseNumber", address.houseNumber),
                                          ("city", address.city), ("region", address.region), ("country", address.country), ("area", address.area)]
        let supplier: JSONValue = location.energyContract.map { contract in
            .object([("chargingLocationId", .string(id)), ("name", .string(contract.supplierName)),
                     ("energySupplierId", .string(contract.supplierID)), ("contractNumber", .string(contract.contractNumber)),
                     ("meterCode", contract.meterCode.map(JSONValue.string) ?? .null)])
        } ?? .null
        let chargers = try await request.chargerStore.chargers(userID: caller.grant.userID)
            .filter { $0.chargingLocationID == location.id }
        return .object([
            ("id", .string(id)), ("userId", .string(caller.externalUserID)),
            ("coordinates", .object([("latitude", .number(location.latitude)), ("longitude", .number(location.longitude))])),
            ("address", .object(parts.map { ($0.0, $0.1.map(JSONValue.string) ?? .null) })),
            ("energySupplierDetails", supplier), ("tariffDetails", .null),
            ("chargers", .array(try await bodies(chargers, request: request))),
            ("createdAt", .string(JedlixTime.format(location.createdAt))), ("updatedAt", .string(JedlixTime.format(location.updatedAt))),
        ])
    }

    static func bodies(_ chargers: [Charger], request: Request) async throws -> [JSONValue] {
        var bodies: [JSONValue] = []
        for charger in chargers { bodies.append(try await body(charger, request: request)) }
        return bodies
    }

    static func body(_ charger: Charger, request: Request) async throws -> JSONValue {
        let reading = try await ChargerReading.of(charger, request: request)
        return .object([
            ("id", .string(charger.id.uuidString.lowercased())),
            ("chargingLocationId", .string(charger.chargingLocationID.uuidString.lowercased())),
            ("detail", .object([("brand", .string(reading.vendor ?? SimulatedChargers.brands.first { $0.make == charger.brand }?.displayName
                                                  ?? charger.brand)),
                                ("model", .string(reading.model ?? charger.model))])),
            ("chargerState", state(reading)),
        ])
    }

    /// ChargerState: `timeStamp` without a fraction (`yyyy-MM-dd'T'HH:mm:ss`, UTC), as the SDK parses it.
    static func state(_ reading: ChargerReading) -> JSONValue {
        let state = reading.state
        return .object([("chargeState", .string(state.status.rawValue)), ("chargePower", state.powerKW.map(JSONValue.number) ?? .null),
                        ("timeStamp", .string(String(JedlixTime.format(state.recordedAt).prefix(19))))])
    }

    // MARK: - Helpers

    private static func charger(_ request: Request) async throws -> (JedlixCaller, Charger) {
        let caller = try await JedlixCaller.user(request)
        let location = try await caller.chargingLocation(request.parameters.get("locationId"), request: request)
        let id = request.parameters.get("chargerId")
        guard let charger = try await request.chargerStore.charger(id: id.flatMap(UUID.init(uuidString:)) ?? UUID(), userID: caller.grant.userID),
              charger.chargingLocationID == location.id
        else { throw JedlixProblem.notFound("Charger not found", "The charging location has no charger with id \(id ?? "").") }
        return (caller, charger)
    }

    /// A location created without a name is named after its street, house number and city (at most 200 code
    /// points), or "Home" when those have nothing visible.
    private static func name(of address: PostalAddress?) -> String {
        let words = address.map { [$0.street, $0.houseNumber, $0.city].compactMap { $0 }.joined(separator: " ") } ?? ""
        let name = String(String.UnicodeScalarView(words.unicodeScalars.prefix(200)))
        let visible = name.unicodeScalars.contains { !$0.properties.isWhitespace && $0.properties.generalCategory != .control }
        return visible ? name : "Home"
    }

    private static func address(_ object: [String: Any]) throws -> PostalAddress {
        func part(_ key: String) throws -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let text = value as? String, text.unicodeScalars.count <= 200 else {
                throw JedlixProblem.badRequest("\"address.\(key)\" must be a string of at most 200 characters.")
            }
            return text
        }
        return PostalAddress(street: try part("street"), houseNumber: try part("houseNumber"), postalCode: try part("postalCode"),
                             city: try part("city"), region: try part("region"), country: try part("country"), area: try part("area"))
    }
}
