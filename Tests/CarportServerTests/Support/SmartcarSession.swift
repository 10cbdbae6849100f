import CarportConnectors
import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// A connected vehicle and its access token, for calling the Smartcar face in-process.
struct SmartcarSession {
    let app: Application
    let client: TestClient
    let token: String
    let vehicleID: String

    static let allReads = "read_vehicle_info read_vin read_battery read_charge read_fuel read_location read_odometer read_security "
        + "read_tires read_engine_oil read_service_history read_diagnostics control_charge control_security control_navigation"

    /// Connects one test-mode vehicle of `email` (brand `make`) with `scope`.
    static func connect(_ app: Application, scope: String = allReads, make: String = "TESLA", email: String = "owner@example.com",
                        mode: String = "test", password: String = "pw", client: TestClient? = nil) async throws -> SmartcarSession {
        let registered: TestClient
        if let client { registered = client } else { registered = try await TestClient.register(app) }
        let client = registered
        var driver = ConnectDriver(app: app)
        let redirect = try await driver.connect(client.authorizePath([("mode", mode)], scope: scope), make: make, email: email, password: password)
        let code = try #require(ConnectDriver.query(redirect)["code"], "Connect ended with \(redirect)")
        let (_, _, tokens) = try await client.tokenRequest(app, [("grant_type", "authorization_code"), ("code", code),
                                                                 ("redirect_uri", client.redirectURI)])
        let token = try #require(tokens["access_token"] as? String)
        let session = SmartcarSession(app: app, client: client, token: token, vehicleID: "")
        let (_, _, list) = try await session.call(HTTPMethod.GET, "/v2.0/vehicles")
        let vehicleID = try #require((list["vehicles"] as? [String])?.first)
        return SmartcarSession(app: app, client: client, token: token, vehicleID: vehicleID)
    }

    /// A simulated Tesla Model 3 of `email` in a new simulated-mode application, connected with `scope`.
    static func connectSimulated(_ app: Application, email: String, scope: String = allReads, stateOfCharge: Double = 0.4) async throws
        -> (session: SmartcarSession, car: SimulatorService.Created) {
        let client = try await TestClient.register(app, mode: .simulated)
        let car = try await Request(application: app, on: app.eventLoopGroup.next()).simulator.create(
            applicationID: try #require(UUID(uuidString: client.id)), make: "TESLA", model: "Model 3", vin: nil,
            ownerEmail: email, stateOfCharge: stateOfCharge)
        let session = try await connect(app, scope: scope, make: "TESLA", email: email, mode: "simulated", password: car.password, client: client)
        return (session, car)
    }

    struct Result {
        let status: HTTPStatus
        let headers: HTTPHeaders
        let body: Any?
        var json: [String: Any] { body as? [String: Any] ?? [:] }
    }

    /// Calls the API with this session's bearer token (or `token`); `path` may use `{id}` for the vehicle.
    func call(_ method: HTTPMethod, _ path: String, json body: String? = nil, headers extra: HTTPHeaders = [:],
              token: String? = nil) async throws -> (HTTPStatus, HTTPHeaders, [String: Any]) {
        let result = try await raw(method, path, json: body, headers: extra, token: token)
        return (result.status, result.headers, result.json)
    }

    func raw(_ method: HTTPMethod, _ path: String, json body: String? = nil, headers extra: HTTPHeaders = [:],
             token: String? = nil) async throws -> Result {
        var headers = extra
        if headers.first(name: .authorization) == nil { headers.replaceOrAdd(name: .authorization, value: "Bearer \(token ?? self.token)") }
        if body != nil { headers.replaceOrAdd(name: .contentType, value: "application/json") }
        var result: Result?
        try await app.testing().test(method, path.replacingOccurrences(of: "{id}", with: vehicleID), headers: headers,
                                     body: body.map { ByteBuffer(string: $0) }) { response in
            let parsed = try? JSONSerialization.jsonObject(with: Data(buffer: response.body), options: .fragmentsAllowed)
            result = Result(status: response.status, headers: response.headers, body: parsed)
        }
        return try #require(result)
    }

    /// Asserts a Smartcar v2 error with this status, type and code.
    func expectError(_ result: (HTTPStatus, HTTPHeaders, [String: Any]), _ status: HTTPStatus, _ type: String, _ code: String?,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let (actual, headers, json) = result
        #expect(actual == status, sourceLocation: sourceLocation)
        #expect(headers.contentType == .json, sourceLocation: sourceLocation)
        #expect(json["type"] as? String == type, sourceLocation: sourceLocation)
        #expect(json["code"] as? String == code, sourceLocation: sourceLocation)
        #expect(json["statusCode"] as? Int == Int(status.code), sourceLocation: sourceLocation)
        #expect((json["requestId"] as? String) == headers.first(name: "SC-Request-Id"), sourceLocation: sourceLocation)
        #expect(json["resolution"] is [String: Any], sourceLocation: sourceLocation)
        #expect((json["docURL"] as? String)?.hasPrefix("https://") == true, sourceLocation: sourceLocation)
        #expect(json["suggestedUserMessage"] is String, sourceLocation: sourceLocation)
    }
}
