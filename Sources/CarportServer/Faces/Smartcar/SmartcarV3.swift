import CarportCore
import Foundation
import Vapor

/// The Smartcar Vehicle API v3 (smartcar-webhooks-v3.md §3) under `/v3/vehicles/{id}`: the vehicle and its signals
/// in JSON:API shapes, and commands answered as command executions. The user's bearer token authorizes, as the
/// SDK sends it; errors are v3 (`errors` list) and every answer carries `SC-Request-Id`.
struct SmartcarV3Routes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let vehicle = routes.grouped(SmartcarErrorMiddleware(format: .v3)).grouped("v3", "vehicles", ":vehicleID")
        vehicle.get(use: SmartcarV3.vehicle)
        vehicle.get("signals", use: SmartcarV3.signals)
        vehicle.get("signals", ":code", use: SmartcarV3.signal)
        for command in SmartcarV3Command.allCases {
            vehicle.post(["commands"] + command.rawValue.pathComponents, use: SmartcarV3.perform(command))
        }
    }
}

enum SmartcarV3 {
    static let maxPageSize = 100

    @Sendable static func vehicle(request: Request) async throws -> Response {
        let (grant, service, vehicle) = try await context(request)
        try service.authorize(.readVehicleInfo, on: vehicle, grant: grant)
        let capabilities = try await service.capabilities(of: vehicle)
        return try SmartcarResponse.json(resource(vehicle, capabilities: capabilities, request: request))
    }

    /// Every signal the grant may read and the vehicle reports, from one snapshot, paged by `page` and `pageSize`.
    @Sendable static func signals(request: Request) async throws -> Response {
        let (grant, service, vehicle) = try await context(request)
        try service.spendBudget(on: vehicle, grant: grant)
        let capabilities = try await service.capabilities(of: vehicle)
        let codes = SmartcarSignalCode.allCases.filter {
            grant.permissions.contains($0.source.permission) && capabilities.signals.contains($0.source)
        }
        let page = try SmartcarResponse.integer(request, "page", default: 1, range: 1...Int.max)
        let size = try SmartcarResponse.integer(request, "pageSize", default: maxPageSize, range: 1...maxPageSize)
        let (start, overflow) = (page - 1).multipliedReportingOverflow(by: size)
        let shown = !overflow && start < codes.count ? Array(codes[start..<min(codes.count, start + size)]) : []
        let readings = try await service.readAuthorized(Set(shown.map(\.source)), of: vehicle)
        let base = "\(selfURL(vehicle, request: request))/signals"
        let last = max(1, (codes.count + size - 1) / size)
        func link(_ number: Int?) -> JSONValue { number.map { .string("\(base)?page=\($0)&pageSize=\(size)") } ?? .null }
        let body: JSONValue = .object([
            ("data", .array(shown.map { signal($0, readings.results[$0.source], base: base) })),
            ("meta", .object([("page", .int(page)), ("pageSize", .int(size)), ("totalCount", .int(codes.count))])),
            ("links", .object([("self", link(page)), ("first", link(1)), ("previous", link(page > 1 ? min(page - 1, last) : nil)),
                               ("next", link(page < last ? page + 1 : nil)), ("last", link(last))])),
            ("included", .object([("vehicle", resource(vehicle, capabilities: capabilities, request: request))])),
        ])
        return try SmartcarResponse.json(body)
    }

    /// One signal by code; a signal the vehicle cannot report answers with status `UNAVAILABLE`.
    @Sendable static func signal(request: Request) async throws -> Response {
        let (grant, service, vehicle) = try await context(request)
        let text = request.parameters.get("code") ?? ""
        guard let code = SmartcarSignalCode(rawValue: text) else {
            throw CarportError(.resourceNotFound, "SIGNAL", "There is no signal \(text); known: \(SmartcarSignalCode.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        try service.authorize(code.source.permission, on: vehicle, grant: grant)
        let readings = try await service.readAuthorized([code.source], of: vehicle)
        return try SmartcarResponse.json(signal(code, readings.results[code.source], base: "\(selfURL(vehicle, request: request))/signals"))
    }

    static func perform(_ command: SmartcarV3Command) -> @Sendable (Request) async throws -> Response {
        { request in
            let (grant, service, vehicle) = try await context(request)
            let attributes = try command.takesParameters ? parameters(request) : [:]
            let parsed = try command.command(attributes)
            let started = Date()
            try await service.perform(parsed, on: vehicle, grant: grant)
            try await request.noteManualCharge(parsed, on: vehicle)
            let finished = Date()
            await request.vehicleChanges.note(applicationID: grant.applicationID, vehicleID: vehicle.id)
            let parameters: [(String, JSONValue)] = attributes.sorted { $0.key < $1.key }.compactMap { key, value in
                jsonNumber(value).map { (key, .number($0)) }
            }
            return try SmartcarResponse.json(.object([("data", .object([
                ("id", .string("exec_\(UUID().uuidString.lowercased())")), ("type", "command-execution"),
                ("attributes", .object([("commandType", .string(command.type)), ("status", .object([("value", "SUCCESS")])),
                                        ("executionMode", "sync"), ("parameters", .object(parameters))])),
                ("meta", .object([("executedAt", .string(SmartcarTime.format(started))), ("completedAt", .string(SmartcarTime.format(finished))),
                                  ("durationInSeconds", .int(Int(finished.timeIntervalSince(started).rounded(.up))))])),
            ]))]))
        }
    }

    private static func context(_ request: Request) async throws -> (Grant, VehicleService, ConnectedVehicle) {
        let grant = try await request.smartcarGrant()
        let service = request.vehicleService
        return (grant, service, try await request.smartcarVehicle(grant: grant, service: service))
    }

    /// `data.attributes` of a command's body.
    private static func parameters(_ request: Request) throws -> [String: Any] {
        guard let data = try request.smartcarJSONObject()["data"] as? [String: Any], let attributes = data["attributes"] as? [String: Any] else {
            throw CarportError.validation("The body must be {\"data\": {\"attributes\": {...}}}.", field: "data")
        }
        return attributes
    }

    private static func selfURL(_ vehicle: ConnectedVehicle, request: Request) -> String {
        "\(request.carport.configuration.publicURL)/v3/vehicles/\(vehicle.id.uuidString.lowercased())"
    }

    /// The vehicle resource: make, model, year, mode and powertrain (from what it reports: battery, fuel or both).
    private static func resource(_ vehicle: ConnectedVehicle, capabilities: VehicleCapabilities, request: Request) -> JSONValue {
        let battery = capabilities.signals.contains(.battery), fuel = capabilities.signals.contains(.fuel)
        let powertrain: JSONValue = battery && fuel ? "PHEV" : battery ? "BEV" : fuel ? "ICE" : .null
        return .object([
            ("id", .string(vehicle.id.uuidString.lowercased())), ("type", "vehicle"),
            ("attributes", .object([("make", .string(vehicle.identity.make)), ("model", .string(vehicle.identity.model)),
                                    ("year", .int(vehicle.identity.year)), ("mode", .string(vehicle.mode.rawValue.uppercased())),
                                    ("powertrainType", powertrain)])),
            ("links", .object([("self", .string(selfURL(vehicle, request: request)))])),
        ])
    }

    private static func signal(_ code: SmartcarSignalCode, _ result: Result<SignalReading, CarportError>?, base: String) -> JSONValue {
        let state = SmartcarSignalBody.state(code, result)
        return .object([
            ("id", .string(code.rawValue)), ("type", "signal"),
            ("attributes", .object(SmartcarSignalBody.naming(code) + [("status", state.status), ("body", state.body)])),
            ("meta", state.meta ?? .object([])), ("links", .object([("self", .string("\(base)/\(code.rawValue)"))])),
        ])
    }
}

/// The v3 commands Carport performs, by path under `/commands`.
enum SmartcarV3Command: String, CaseIterable {
    case startCharge = "charge/start", stopCharge = "charge/stop", setChargeLimit = "charge/set-limit"
    case lock = "security/lock", unlock = "security/unlock", setDestination = "navigation/set-destination"

    /// `charge-start`, `security-lock`, … as `commandType` names them.
    var type: String { rawValue.replacingOccurrences(of: "/", with: "-") }
    var takesParameters: Bool { self == .setChargeLimit || self == .setDestination }

    /// The canonical command; v3 limits are percentages (50–100).
    func command(_ attributes: [String: Any]) throws -> VehicleCommand {
        switch self {
        case .startCharge: return .startCharge
        case .stopCharge: return .stopCharge
        case .lock: return .lock
        case .unlock: return .unlock
        case .setChargeLimit:
            guard let percent = jsonNumber(attributes["percent"]), (50...100).contains(percent) else {
                throw CarportError.validation("percent must be a number between 50 and 100.", field: "percent")
            }
            return .setChargeLimit(percent / 100)
        case .setDestination:
            guard let latitude = jsonNumber(attributes["latitude"]), (-90...90).contains(latitude),
                  let longitude = jsonNumber(attributes["longitude"]), (-180...180).contains(longitude)
            else { throw CarportError.validation("latitude and longitude must be valid coordinates.", field: "latitude") }
            return .navigate(to: Location(latitude: latitude, longitude: longitude))
        }
    }
}
