import AsyncHTTPClient
import Crypto
import CarportCore
import Foundation
import NIOCore
import Testing
import TeslaFleetFake
import VaporTesting
@testable import CarportServer

/// A fake Tesla cloud on a loopback port and a Carport configured for it (live mode), with helpers to walk
/// Connect through Tesla's own login page over real HTTP.
struct TeslaWorld {
    let carport: Application
    let fakeOrigin: String
    static let domain = "carport.example"
    /// The public half of a fresh partner command key (tesla-http-proxy would hold the private half).
    static var partnerPublicKeyPEM: String { P256.Signing.PrivateKey().publicKey.pemRepresentation }
    static let callback = "http://127.0.0.1:8000/connect/oem/callback"

    static func run(
        fake change: @escaping (inout FakeOptions) -> Void = { _ in }, carport extra: [String: String] = [:],
        _ body: (TeslaWorld) async throws -> Void
    ) async throws {
        let port = try await LoopbackPort.free()
        let fake = try await TeslaFleetFake.start(port: port) { options in
            options.redirectURIs = [callback]
            options.wakeSeconds = 0.3
            options.faultTimeoutSeconds = 2
            change(&options)
        }
        let origin = "http://127.0.0.1:\(port)"
        let environment = [
            "CARPORT_TESLA_CLIENT_ID": "carport-fleet-client", "CARPORT_TESLA_CLIENT_SECRET": "carport-fleet-secret",
            "CARPORT_TESLA_DOMAIN": domain, "CARPORT_TESLA_AUTHORIZE_URL": "\(origin)/oauth2/v3/authorize",
            "CARPORT_TESLA_TOKEN_URL": "\(origin)/oauth2/v3/token",
            "CARPORT_TESLA_REGIONS": "na=\(origin)/fleet/na,eu=\(origin)/fleet/eu",
            "CARPORT_TESLA_PROXY_URL": "\(origin)/proxy", "CARPORT_TESLA_PAIRING_URL": "\(origin)/_ak",
            "CARPORT_TESLA_TIMEOUT": "1", "CARPORT_TESLA_WAKE_TIMEOUT": "3", "CARPORT_TESLA_WAKE_POLL": "0.2",
        ].merging(extra) { _, new in new }
        do {
            // The partner domain's web root serves its public key, which Tesla fetches at registration.
            let hosted = try await http(.PUT, "\(origin)/_fake/domains/\(domain)/public-key", body: partnerPublicKeyPEM)
            guard hosted.status == 204 else { throw TestSetupError("the fake did not host the partner key (\(hosted.status))") }
            try await TestCarport.withApp(environment: environment) { app in
                try await body(TeslaWorld(carport: app, fakeOrigin: origin))
            }
        } catch {
            try await fake.stop()
            throw error
        }
        try await fake.stop()
    }

    /// Follows Connect for a live-mode application up to Tesla's login, signs in there with `scopes` ticked, and
    /// returns what Carport answers on the callback.
    func signInAtTesla(
        _ driver: inout ConnectDriver, entry: String, email: String = "owner@example.com", scopes: [String]? = nil
    ) async throws -> ConnectDriver.Page {
        var page = try await driver.start(entry)
        if page.status == .seeOther, !(page.location ?? "").hasPrefix("/connect/") { return page }
        let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
        if page.body.contains("continue-button") { page = try await driver.submit(page, flowPath: flowPath, action: "continue", []) }
        if page.body.contains("brand-list-item") { page = try await driver.submit(page, flowPath: flowPath, action: "brand", [("brand", "TESLA")]) }
        return try await teslaRoundTrip(&driver, from: page, flowPath: flowPath, email: email, scopes: scopes)
    }

    /// From the "Continue to Tesla" page: Tesla's login form (cookie `tesla-auth.sid`), then back to Carport.
    func teslaRoundTrip(
        _ driver: inout ConnectDriver, from page: ConnectDriver.Page, flowPath: String, email: String, scopes: [String]?
    ) async throws -> ConnectDriver.Page {
        #expect(page.body.contains("external-sign-in-button"), "expected the Tesla sign-in step")
        let toTesla = try await driver.post("\(flowPath)/external", form: [("csrf_token", try #require(page.csrfToken))])
        let authorizeURL = try #require(toTesla.location)
        #expect(authorizeURL.hasPrefix("\(fakeOrigin)/oauth2/v3/authorize"))
        let login = try await Self.http(.GET, authorizeURL)
        let cookie = try #require(login.headers.first(name: "Set-Cookie")?.split(separator: ";").first.map(String.init))
        let html = login.body
        var form = ["_csrf", "_phase", "_process", "transaction_id", "cancel", "scope_choice"].map { name in
            (name, Self.hiddenValue(name, in: html) ?? "")
        }
        form += [("identity", email), ("credential", "tesla-password")]
        let offered = ConnectDriver.values(named: "granted_scope", in: html)
        form += (scopes ?? offered).map { ("granted_scope", $0) }
        let back = try await Self.http(.POST, authorizeURL, headers: [("Cookie", cookie)], form: form)
        #expect(back.status == 302, "Tesla login answered \(back.status): \(back.body)")
        let callback = try #require(back.headers.first(name: "Location"))
        #expect(callback.hasPrefix(Self.callback))
        let result = try await driver.get(ConnectDriver.path(callback))
        if result.status == .seeOther, let location = result.location, location.hasPrefix("/connect/") {
            return try await driver.get(location)
        }
        return result
    }

    /// Connects the live-mode `client` to `email`'s Teslas with `scope`; returns the final redirect's query.
    func connect(_ client: TestClient, scope: String, email: String = "owner@example.com", teslaScopes: [String]? = nil) async throws -> [String: String] {
        var driver = ConnectDriver(app: carport)
        var page = try await signInAtTesla(&driver, entry: client.authorizePath([("mode", "live")], scope: scope), email: email,
                                           scopes: teslaScopes)
        if page.status == .seeOther { return try page.redirectQuery() }
        let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
        if page.body.contains("vehicles-continue-button") {
            page = try await driver.submit(page, flowPath: flowPath, action: "vehicles",
                                           ConnectDriver.values(named: "vin", in: page.body).map { ("vin", $0) })
        }
        let result = try await driver.submit(page, flowPath: flowPath, action: "consent",
                                             [("decision", "approve")] + ConnectDriver.values(named: "permission", in: page.body).map { ("permission", $0) })
        return try result.redirectQuery()
    }

    /// Connect, code exchange and the session for the vehicle with `vin`.
    func session(scope: String, vin: String = "5YJ3E1EA5NF000001", email: String = "owner@example.com",
                 teslaScopes: [String]? = nil) async throws -> (SmartcarSession, [String: String]) {
        let client = try await TestClient.register(carport, mode: .live)
        let redirect = try await connect(client, scope: scope, email: email, teslaScopes: teslaScopes)
        let code = try #require(redirect["code"], "Connect ended with \(redirect)")
        let (_, _, tokens) = try await client.tokenRequest(carport, [("grant_type", "authorization_code"), ("code", code),
                                                                     ("redirect_uri", client.redirectURI)])
        let token = try #require(tokens["access_token"] as? String)
        let probe = SmartcarSession(app: carport, client: client, token: token, vehicleID: "")
        let (_, _, list) = try await probe.call(.GET, "/v2.0/vehicles")
        for id in list["vehicles"] as? [String] ?? [] {
            let candidate = SmartcarSession(app: carport, client: client, token: token, vehicleID: id)
            let (_, _, body) = try await candidate.call(.GET, "/v2.0/vehicles/{id}/vin")
            if body["vin"] as? String == vin { return (candidate, redirect) }
        }
        throw TestSetupError("vehicle \(vin) is not connected")
    }

    /// The Carport vehicle behind a session.
    func connectedVehicle(_ session: SmartcarSession, vin: String = "5YJ3E1EA5NF000001") async throws -> ConnectedVehicle {
        let application = try #require(try await carport.applicationRegistry.find(clientID: session.client.id))
        return try #require(try await FluentConnectionStore(database: carport.db).vehicle(
            vin: vin, mode: .live, applicationID: application.id))
    }

    // MARK: The fake's test hooks

    func fake(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil) async throws -> (status: Int, body: [String: Any]) {
        let data = try json.map { try JSONSerialization.data(withJSONObject: $0) }
        let reply = try await Self.http(method, fakeOrigin + path, headers: [("Content-Type", "application/json")],
                                        body: data.map { String(decoding: $0, as: UTF8.self) })
        return (reply.status, (try? JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]) ?? [:])
    }

    func car(_ vin: String) async throws -> [String: Any] { try await fake(.GET, "/_fake/vehicles/\(vin)").body }

    // MARK: HTTP

    struct Reply { let status: Int; let headers: [(String, String)]; let body: String }

    static func http(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], form: [(String, String)]? = nil,
                     body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let form {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form.map { "\($0.0)=\(RedirectURL.encode($0.1))" }.joined(separator: "&")))
        } else if let body {
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await noRedirects.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                     body: String(buffer: bytes))
    }

    /// A client that shows redirects instead of following them (the test plays the browser).
    private static let noRedirects = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(redirectConfiguration: .disallow))

    static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }
}

extension Array where Element == (String, String) {
    func first(name: String) -> String? { first { $0.0.lowercased() == name.lowercased() }?.1 }
}
