import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// `GET /compatibility` and `/compatibility/matrix` (client credentials by HTTP Basic).
struct SmartcarCompatibility {
    @Sendable func vin(request: Request) async throws -> Response {
        let application = try await authenticate(request)
        guard let text = request.query[String.self, at: "vin"], text.wholeMatch(of: /[A-HJ-NPR-Za-hj-npr-z0-9]{17}/) != nil else {
            throw CarportError.validation("vin must be 17 letters (not I, O or Q) and digits.", field: "vin")
        }
        let vin = text.uppercased()
        guard let scope = request.query[String.self, at: "scope"],
              let permissions = try? PermissionRequest.parseSmartcarScope(scope).permissions
        else { throw CarportError.validation("scope must list known permissions.", field: "scope") }
        // Carport's brands are offered in Smartcar's regions only; a country outside them has no compatible make.
        let country = request.query[String.self, at: "country"] ?? "US"
        guard country.wholeMatch(of: /[A-Za-z]{2}/) != nil else {
            throw CarportError.validation("country must be a two-letter ISO 3166-1 code.", field: "country")
        }
        let served = SmartcarRegion(country: country) != nil
        let capabilities = served ? try await request.vehicleService.capabilities(vin: vin, applicationID: application.id) : nil
        let items: [JSONValue] = permissions.map { permission in
            let capable = capabilities.map { Self.allows($0, permission) } ?? false
            return .object([
                ("permission", .string(permission.rawValue)),
                ("endpoint", .string(Self.endpoint(for: permission))),
                ("capable", .bool(capable)),
                ("reason", capable ? .null : .string(capabilities == nil ? "MAKE_NOT_COMPATIBLE" : "VEHICLE_NOT_CAPABLE")),
            ])
        }
        let compatible = capabilities != nil && permissions.allSatisfy { Self.allows(capabilities!, $0) }
        let reason: JSONValue = compatible ? .null : .string(capabilities == nil ? "MAKE_NOT_COMPATIBLE" : "VEHICLE_NOT_COMPATIBLE")
        return try SmartcarResponse.json(.object([("compatible", .bool(compatible)), ("reason", reason), ("capabilities", .array(items))]))
    }

    @Sendable func matrix(request: Request) async throws -> Response {
        _ = try await authenticate(request)
        let text = request.query[String.self, at: "region"] ?? "US"
        guard let region = SmartcarRegion(rawValue: text.uppercased()) else {
            throw CarportError.validation("region must be US, CA or EUROPE.", field: "region")
        }
        // `make` and `scope` are space-separated lists (several makes; permissions every listed model must allow).
        let makes = request.query[String.self, at: "make"].map { Set($0.uppercased().split(separator: " ").map(String.init)) }
        let type = request.query[String.self, at: "type"]?.uppercased()
        var scope: [Permission] = []
        if let text = request.query[String.self, at: "scope"] {
            guard let permissions = try? PermissionRequest.parseSmartcarScope(text).permissions else {
                throw CarportError.validation("scope must list known permissions.", field: "scope")
            }
            scope = permissions
        }
        var result: [(String, JSONValue)] = []
        for brand in SimulatedCatalog.brands where (makes?.contains(brand.make) ?? true) && SimulatedCatalog.regions(make: brand.make).contains(region) {
            let models = SimulatedCatalog.models(make: brand.make).filter { model in
                (type == nil || model.powertrain.rawValue.uppercased() == type)
                    && scope.allSatisfy { Self.allows(SimulatedCatalog.capabilities(of: model.powertrain), $0) }
            }
            guard !models.isEmpty else { continue }
            result.append((brand.make, .array(models.map { model in
                let capabilities = SimulatedCatalog.capabilities(of: model.powertrain)
                let permissions = Permission.allCases.filter { Self.allows(capabilities, $0) }
                return .object([
                    ("model", .string(model.name)), ("startYear", .int(model.year)), ("endYear", .int(model.year)),
                    ("type", .string(model.powertrain.rawValue.uppercased())),
                    ("endpoints", .array(Set(permissions.map(Self.endpoint)).sorted().map(JSONValue.string))),
                    ("permissions", .array(permissions.map { .string($0.rawValue) })),
                ])
            })))
        }
        return try SmartcarResponse.json(.object(result))
    }

    private func authenticate(_ request: Request) async throws -> RegisteredApplication {
        let basic = try request.smartcarBasicCredentials()
        guard let application = try await request.applicationRegistry.authenticate(clientID: basic.username, secret: basic.password)
        else { throw CarportError.authentication }
        return application
    }

    static func allows(_ capabilities: VehicleCapabilities, _ permission: Permission) -> Bool {
        if [.readVehicleInfo, .readVIN, .readUserProfile].contains(permission) { return true }
        return capabilities.signals.contains { $0.permission == permission }
            || capabilities.commands.contains { VehicleCommand.permission(of: $0) == permission }
    }

    static func endpoint(for permission: Permission) -> String {
        SmartcarReadEndpoint.allCases.first { $0.permission == permission && $0 != .nominalCapacity }.map(\.rawValue)
            ?? ["control_charge": "/charge", "control_security": "/security",
                "control_navigation": "/navigation/destination"][permission.rawValue] ?? "/"
    }
}
