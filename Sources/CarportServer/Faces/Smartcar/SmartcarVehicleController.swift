import CarportCore
import Foundation
import Vapor

/// The Smartcar Vehicle API v2.0 (smartcar.md §4.2): user, vehicles, signals, commands, permissions, batch, disconnect.
struct SmartcarVehicleController {
    @Sendable func user(request: Request) async throws -> Response {
        let grant = try await request.smartcarGrant()
        return try SmartcarResponse.json(.object([("id", .string(grant.userID.uuidString.lowercased()))]))
    }

    @Sendable func vehicles(request: Request) async throws -> Response {
        let grant = try await request.smartcarGrant()
        // One order for every page, whether the grant comes from the cache or the database (which order them differently).
        let ids = grant.vehicleIDs.map { $0.uuidString.lowercased() }.sorted().map { JSONValue.string($0) }
        return try SmartcarResponse.paged(ids, key: "vehicles", request: request, defaultLimit: 10, maxLimit: 50)
    }

    static func read(_ endpoint: SmartcarReadEndpoint) -> @Sendable (Request) async throws -> Response {
        { request in
            let grant = try await request.smartcarGrant()
            let units = try SmartcarUnits(request)
            let service = request.vehicleService
            let vehicle = try await request.smartcarVehicle(grant: grant, service: service)
            try service.authorize(endpoint.permission, on: vehicle, grant: grant)
            let dates = endpoint == .serviceHistory ? try Self.dateRange(request) : nil
            let (body, reading) = try await Self.answer(endpoint, vehicle: vehicle, service: service, units: units, dates: dates)
            return try SmartcarResponse.json(body, units: units, reading: reading)
        }
    }

    /// The body of a read whose permission and budget were checked, from `readings` when a batch took them already.
    static func answer(
        _ endpoint: SmartcarReadEndpoint, vehicle: ConnectedVehicle, service: VehicleService, units: SmartcarUnits,
        dates: ClosedRange<Date>?, readings: VehicleReadings? = nil
    ) async throws -> (JSONValue, SignalReading?) {
        guard let signal = endpoint.signal else { return (endpoint.body(vehicle: vehicle, value: nil, units: units), nil) }
        let reading = if let readings { try readings.reading(signal) } else { try await service.readAuthorized(signal, of: vehicle) }
        return (endpoint.body(vehicle: vehicle, value: reading.value, units: units, dates: dates), reading)
    }

    @Sendable func charge(request: Request) async throws -> Response {
        try await command(request) { body in
            switch body["action"] as? String {
            case "START": .startCharge
            case "STOP": .stopCharge
            default: throw CarportError.validation("action must be START or STOP.", field: "action")
            }
        }
    }

    @Sendable func security(request: Request) async throws -> Response {
        try await command(request) { body in
            switch body["action"] as? String {
            case "LOCK": .lock
            case "UNLOCK": .unlock
            default: throw CarportError.validation("action must be LOCK or UNLOCK.", field: "action")
            }
        }
    }

    @Sendable func chargeLimit(request: Request) async throws -> Response {
        try await command(request) { body in
            // A JSON number, or the decimal string Smartcar's Node SDK sends ("0.9").
            let limit = jsonNumber(body["limit"])
                ?? (body["limit"] as? String).flatMap { $0.wholeMatch(of: /[0-9]{1,3}(\.[0-9]{1,16})?/) != nil ? Double($0) : nil }
            guard let limit else { throw CarportError.validation("limit must be a number between 0.5 and 1.", field: "limit") }
            return .setChargeLimit(limit)
        }
    }

    @Sendable func navigate(request: Request) async throws -> Response {
        try await command(request) { body in
            guard let latitude = jsonNumber(body["latitude"]), (-90...90).contains(latitude),
                  let longitude = jsonNumber(body["longitude"]), (-180...180).contains(longitude)
            else { throw CarportError.validation("latitude and longitude must be valid coordinates.", field: "latitude") }
            return .navigate(to: Location(latitude: latitude, longitude: longitude))
        }
    }

    private func command(_ request: Request, _ parse: ([String: Any]) throws -> VehicleCommand) async throws -> Response {
        let grant = try await request.smartcarGrant()
        let service = request.vehicleService
        let vehicle = try await request.smartcarVehicle(grant: grant, service: service)
        let command = try parse(try request.smartcarJSONObject())
        try await service.perform(command, on: vehicle, grant: grant)
        try await request.noteManualCharge(command, on: vehicle)
        await request.vehicleChanges.note(applicationID: grant.applicationID, vehicleID: vehicle.id)
        return try SmartcarResponse.json(SmartcarResponse.actionSent)
    }

    @Sendable func permissions(request: Request) async throws -> Response {
        let grant = try await request.smartcarGrant()
        _ = try await request.smartcarVehicle(grant: grant, service: request.vehicleService)
        let names = grant.permissions.map { JSONValue.string($0.rawValue) }
        return try SmartcarResponse.paged(names, key: "permissions", request: request, defaultLimit: 25, maxLimit: 100)
    }

    @Sendable func disconnect(request: Request) async throws -> Response {
        let grant = try await request.smartcarGrant()
        let service = request.vehicleService
        let vehicle = try await request.smartcarVehicle(grant: grant, service: service)
        try await service.disconnect(vehicle, grant: grant)
        return try SmartcarResponse.json(.object([("status", "success")]))
    }

    /// `startDate`/`endDate` (or `start_date`/`end_date`) of service history, as a closed range.
    private static func dateRange(_ request: Request) throws -> ClosedRange<Date>? {
        func date(_ names: String...) throws -> Date? {
            guard let text = names.lazy.compactMap({ request.query[String.self, at: $0] }).first else { return nil }
            guard let date = (try? Date(text, strategy: .iso8601)) ?? (try? Date(text + "T00:00:00Z", strategy: .iso8601)) else {
                throw CarportError.validation("\(names[0]) must be an ISO-8601 date.", field: names[0])
            }
            return date
        }
        let start = try date("startDate", "start_date"), end = try date("endDate", "end_date")
        guard start != nil || end != nil else { return nil }
        let lower = start ?? .distantPast, upper = end.map { $0.addingTimeInterval(86_399) } ?? .distantFuture
        guard lower <= upper else { throw CarportError.validation("startDate must not be after endDate.", field: "startDate") }
        return lower...upper
    }
}
