import CarportConnectors
import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Calls to the Enode face, and a user linked through Enode Link the way the seed's app does it.
enum EnodeClient {
    struct Linked {
        let client: TestClient
        let userToken: String
        let clientToken: String
    }

    static func call(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, headers extra: HTTPHeaders = [:],
                      json: String? = nil) async throws -> (HTTPStatus, HTTPHeaders, Any?) {
        var headers = extra
        if let token { headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
        if json != nil { headers.replaceOrAdd(name: .contentType, value: "application/json") }
        var result: (HTTPStatus, HTTPHeaders, Any?)?
        try await app.testing().test(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            result = (response.status, response.headers,
                      try? JSONSerialization.jsonObject(with: Data(buffer: response.body), options: .fragmentsAllowed))
        }
        return try #require(result)
    }

    /// Client token → link → Enode Link (vendor preselected) → user token.
    static func link(_ app: Application, userID: String = "user-42", scope: String = "all offline_access",
                     email: String = "enode@example.com", password: String = "pw", vendor: String = "TESLA",
                     mode: ApplicationMode = .test, client existing: TestClient? = nil) async throws -> Linked {
        let client: TestClient
        if let existing { client = existing } else { client = try await TestClient.register(app, mode: mode) }
        let (_, _, clientJSON) = try await client.tokenRequest(app, [("grant_type", "client_credentials")], path: "/enode/oauth2/token")
        let clientToken = try #require(clientJSON["access_token"] as? String)
        let (status, _, linked) = try await Self.call(app, .POST, "/enode/users/\(userID)/link", token: clientToken, json: #"{"vendor":"\#(vendor)"}"#)
        #expect(status == .ok)
        let linkState = try #require((linked as? [String: Any])?["linkState"] as? String)
        var driver = ConnectDriver(app: app)
        let path = "/enode/oauth2/auth?response_type=code&client_id=\(client.id)&redirect_uri=\(RedirectURL.encode(client.redirectURI))"
            + "&scope=\(RedirectURL.encode(scope))&state=\(RedirectURL.encode(linkState))"
        let redirect = try await driver.connect(path, make: vendor, email: email, password: password)
        let query = ConnectDriver.query(redirect)
        #expect(query["state"] == linkState)
        let (_, _, tokens) = try await client.tokenRequest(app, [("grant_type", "authorization_code"), ("code", query["code"] ?? ""),
                                                                 ("redirect_uri", client.redirectURI)], path: "/enode/oauth2/token")
        return Linked(client: client, userToken: try #require(tokens["access_token"] as? String), clientToken: clientToken)
    }

    /// A simulated car (Tesla Model 3 of `sim@example.com`) linked through Enode Link by `user-42`.
    static func linkSimulated(_ app: Application, stateOfCharge: Double = 0.4) async throws
        -> (linked: Linked, vin: String, applicationID: UUID, simulator: SimulatorService) {
        let client = try await TestClient.register(app, mode: .simulated)
        let applicationID = try #require(UUID(uuidString: client.id))
        let simulator = Request(application: app, on: app.eventLoopGroup.next()).simulator
        let created = try await simulator.create(applicationID: applicationID, make: "TESLA", model: "Model 3", vin: nil,
                                                 ownerEmail: "sim@example.com", stateOfCharge: stateOfCharge)
        let linked = try await link(app, email: "sim@example.com", password: created.password, client: client)
        return (linked, created.record.car.vin, applicationID, simulator)
    }

    /// Links a simulated Zaptec charger at the user's charging location through Enode Link's hosted page; returns
    /// the session id and where the page flow ended.
    static func linkCharger(_ app: Application, clientToken: String, userID: String = "user-42",
                            username: String = "home@example.com") async throws -> (sessionID: String, end: String?) {
        let (status, _, link) = try await call(app, .POST, "/enode/users/\(userID)/link", token: clientToken, json: #"{"vendor":"zaptec"}"#)
        #expect(status == .ok)
        let sessionID = try #require((link as? [String: Any])?["linkState"] as? String)
        let linkURL = try #require((link as? [String: Any])?["linkUrl"] as? String)
        var driver = ConnectDriver(app: app)
        var page = try await driver.get(ConnectDriver.path(linkURL))
        for _ in 0..<10 {
            if let next = page.location {
                if next.contains("/connect-sessions/done") { break }
                page = try await driver.get(ConnectDriver.path(next))
                continue
            }
            let key = try #require(TeslaWorld.hiddenValue("key", in: page.body))
            if page.body.contains("charger-brand") {
                page = try await driver.post("/connect-sessions/\(sessionID)/charger/sign-in",
                                             form: [("key", key), ("brand", "ZAPTEC"), ("username", username), ("password", "pw")])
            } else {
                let serial = try #require(ConnectDriver.values(named: "serial", in: page.body).first)
                page = try await driver.post("/connect-sessions/\(sessionID)/charger/choose", form: [("key", key), ("serial", serial)])
            }
        }
        return (sessionID, page.location)
    }
}
