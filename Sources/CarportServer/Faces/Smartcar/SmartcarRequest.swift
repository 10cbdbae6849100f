import CarportCore
import Foundation
import Vapor

/// Request helpers of the Smartcar face: bearer grant, vehicle, JSON bodies and responses with Smartcar headers.
extension Request {
    /// The grant behind the bearer access token, or AUTHENTICATION.
    func smartcarGrant() async throws -> Grant {
        guard let token = headers.bearerAuthorization?.token,
              let grant = try await authorizationServer.grant(forAccessToken: token)
        else { throw CarportError.authentication }
        return grant
    }

    /// The vehicle named in the path, if the grant covers it (looked up with the handler's own vehicle service:
    /// building one is a handful of storage lookups, which the read path does not pay twice).
    func smartcarVehicle(grant: Grant, service: VehicleService) async throws -> ConnectedVehicle {
        try await service.vehicle(parameters.get("vehicleID").flatMap { UUID(uuidString: $0) }, grant: grant)
    }

    /// The JSON body as an object, or VALIDATION.
    func smartcarJSONObject() throws -> [String: Any] {
        guard let object = jsonObjectBody else { throw CarportError.validation("The body must be a JSON object.", field: "body") }
        return object
    }

    /// HTTP Basic credentials, or AUTHENTICATION.
    func smartcarBasicCredentials() throws -> BasicAuthorization {
        guard let basic = headers.basicAuthorization else { throw CarportError.authentication }
        return basic
    }
}

enum SmartcarResponse {
    /// A JSON response with `SC-Unit-System`, and `SC-Data-Age` / `SC-Fetched-At` when a reading is behind it.
    static func json(_ body: JSONValue, units: SmartcarUnits? = nil, reading: SignalReading? = nil,
                     status: HTTPStatus = .ok) throws -> Response {
        let response = try Response.json(body, status: status)
        for (name, value) in headers(units: units, reading: reading) { response.headers.replaceOrAdd(name: name, value: value) }
        return response
    }

    static func headers(units: SmartcarUnits?, reading: SignalReading?) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let units { headers.append(("SC-Unit-System", units.rawValue)) }
        if let reading {
            headers.append(("SC-Data-Age", SmartcarTime.format(reading.recordedAt)))
            headers.append(("SC-Fetched-At", SmartcarTime.format(reading.fetchedAt)))
        }
        return headers
    }

    static let actionSent: JSONValue = .object([("status", "success"), ("message", "Successfully sent request to vehicle")])

    /// `{"<listKey>": [...], "paging": {"count", "offset"}}` for `limit` / `offset` query parameters.
    static func paged(_ items: [JSONValue], key: String, request: Request, defaultLimit: Int, maxLimit: Int) throws -> Response {
        let limit = try integer(request, "limit", default: defaultLimit, range: 1...maxLimit)
        let offset = try integer(request, "offset", default: 0, range: 0...Int.max)
        let page = offset < items.count ? Array(items[offset..<(offset + min(limit, items.count - offset))]) : []
        return try json(.object([(key, .array(page)), ("paging", .object([("count", .int(items.count)), ("offset", .int(offset))]))]))
    }

    static func integer(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.query[String.self, at: name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw CarportError.validation("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound).", field: name)
        }
        return number
    }
}
