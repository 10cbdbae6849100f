import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Drives the Connect pages in-process like a browser: keeps the cookie, reads CSRF tokens, follows 303s.
struct ConnectDriver {
    let app: Application
    var cookie: String?

    init(app: Application) { self.app = app }

    struct Page {
        let status: HTTPStatus
        let headers: HTTPHeaders
        let body: String
        var location: String? { headers.first(name: .location) }

        /// Query parameters of the redirect this response makes.
        func redirectQuery() throws -> [String: String] {
            guard let location else { throw TestSetupError("expected a redirect, got \(status)") }
            return ConnectDriver.query(location)
        }

        var csrfToken: String? {
            guard let range = body.range(of: "name=\"csrf_token\" value=\"") else { return nil }
            return String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    mutating func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> Page {
        try await send(.GET, path, headers: headers, body: nil)
    }

    mutating func post(_ path: String, form: [(String, String)]) async throws -> Page {
        let body = form.map { "\(RedirectURL.encode($0.0))=\(RedirectURL.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: body)
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: String?) async throws -> Page {
        var headers = headers
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "\(BrowserCookie.name)=\(cookie)") }
        var page: Page?
        try await app.testing().test(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            page = Page(status: response.status, headers: response.headers, body: response.body.string)
        }
        let result = try #require(page)
        if let value = result.headers.setCookie?[BrowserCookie.name]?.string { cookie = value }
        return result
    }

    /// The path part of an absolute or relative URL (the testing client wants paths).
    static func path(_ url: String) -> String {
        guard let components = URLComponents(string: url), components.host != nil else { return url }
        return components.path + (components.query.map { "?\($0)" } ?? "")
    }

    /// Query parameters of a redirect.
    static func query(_ url: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in URLComponents(string: url)?.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }

    /// Starts at `/oauth/authorize` (or another entry) and returns the first page of the flow, or the redirect.
    mutating func start(_ entry: String) async throws -> Page {
        let first = try await get(entry)
        guard first.status == .seeOther, let location = first.location, location.hasPrefix("/connect/") else { return first }
        return try await get(location)
    }

    /// Posts a form of the current flow page and follows the 303 back to the flow when there is one.
    mutating func submit(_ page: Page, flowPath: String, action: String, _ fields: [(String, String)]) async throws -> Page {
        let token = try #require(page.csrfToken)
        let result = try await post("\(flowPath)/\(action)", form: [("csrf_token", token)] + fields)
        if result.status == .seeOther, let location = result.location, location.hasPrefix("/connect/") {
            return try await get(location)
        }
        return result
    }

    /// A whole flow: preamble → brand → sign-in → (vehicles) → consent decision. Returns the final redirect URL.
    mutating func connect(
        _ entry: String, make: String = "TESLA", email: String = "owner@example.com", password: String = "pw",
        vins: [String]? = nil, decision: String = "approve", permissions: [String]? = nil
    ) async throws -> String {
        var page = try await start(entry)
        if page.status == .seeOther { return try #require(page.location) }
        let flowPath = try #require(Self.flowPath(in: page.body))
        page = try await submit(page, flowPath: flowPath, action: "continue", [])
        if page.body.contains("class=\"brand-list-item\"") {
            page = try await submit(page, flowPath: flowPath, action: "brand", [("brand", make)])
        }
        page = try await submit(page, flowPath: flowPath, action: "sign-in", [("username", email), ("password", password)])
        if page.status == .seeOther { return try #require(page.location) }
        if page.body.contains("vehicles-continue-button") {
            let chosen = vins ?? Self.values(named: "vin", in: page.body)
            page = try await submit(page, flowPath: flowPath, action: "vehicles", chosen.map { ("vin", $0) })
        }
        #expect(page.body.contains("approval-button"), "expected the consent page")
        let checked = permissions ?? Self.values(named: "permission", in: page.body)
        let result = try await submit(page, flowPath: flowPath, action: "consent",
                                      [("decision", decision)] + checked.map { ("permission", $0) })
        #expect(result.status == .seeOther)
        return try #require(result.location)
    }

    static func flowPath(in body: String) -> String? {
        guard let range = body.range(of: "action=\"/connect/") else { return nil }
        let id = body[range.upperBound...].prefix { $0 != "/" && $0 != "\"" }
        return "/connect/\(id)"
    }

    /// Values of inputs with this name that the browser would submit (checked or hidden).
    static func values(named name: String, in body: String) -> [String] {
        body.components(separatedBy: "<input").dropFirst().compactMap { tag in
            let tag = String(tag.prefix { $0 != ">" })
            guard tag.contains("name=\"\(name)\""), tag.contains("checked") || tag.contains("type=\"hidden\""),
                  let range = tag.range(of: "value=\"") else { return nil }
            return String(tag[range.upperBound...].prefix { $0 != "\"" })
        }
    }
}

/// An application registered for a test, with its credentials.
struct TestClient {
    let credentials: IssuedApplicationCredentials
    var id: String { credentials.clientId }
    var redirectURI: String { credentials.redirectUris[0] }

    static func register(_ app: Application, redirectURIs: [String] = ["https://app.example/callback"],
                         mode: ApplicationMode = .test) async throws -> TestClient {
        TestClient(credentials: try await app.applicationRegistry.create(name: "Test App", redirectURIs: redirectURIs, mode: mode))
    }

    func authorizePath(_ parameters: [(String, String)] = [], scope: String = "read_battery read_vehicle_info",
                       state: String = "xyz") -> String {
        let base: [(String, String)] = [("response_type", "code"), ("client_id", id), ("redirect_uri", redirectURI),
                                        ("scope", scope), ("mode", "test"), ("state", state)]
        var merged = base.filter { key, _ in !parameters.contains { $0.0 == key } } + parameters
        merged.removeAll { $0.1 == "<omit>" }
        return "/oauth/authorize?" + merged.map { "\($0.0)=\(RedirectURL.encode($0.1))" }.joined(separator: "&")
    }

    var basicAuthorization: String {
        "Basic " + Data("\(id):\(credentials.clientSecret)".utf8).base64EncodedString()
    }

    /// POSTs a form to a token-style endpoint with HTTP Basic client authentication.
    func tokenRequest(_ app: Application, _ fields: [(String, String)], path: String = "/oauth/token",
                      authorization: String? = nil) async throws -> (HTTPStatus, HTTPHeaders, [String: Any]) {
        var result: (HTTPStatus, HTTPHeaders, [String: Any])?
        let body = fields.map { "\($0.0)=\(RedirectURL.encode($0.1))" }.joined(separator: "&")
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
        headers.replaceOrAdd(name: .authorization, value: authorization ?? basicAuthorization)
        if authorization == "" { headers.remove(name: .authorization) }
        try await app.testing().test(.POST, path, headers: headers, body: ByteBuffer(string: body)) { response in
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            result = (response.status, response.headers, json)
        }
        return try #require(result)
    }

    /// Runs Connect and exchanges the code; returns the token response.
    func connectAndExchange(_ app: Application, parameters: [(String, String)] = [], scope: String = "read_battery read_vehicle_info",
                            verifier: String? = nil) async throws -> [String: Any] {
        var driver = ConnectDriver(app: app)
        let redirect = try await driver.connect(authorizePath(parameters, scope: scope))
        let code = try #require(ConnectDriver.query(redirect)["code"])
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)]
        if let verifier { fields.append(("code_verifier", verifier)) }
        let (status, _, json) = try await tokenRequest(app, fields)
        #expect(status == .ok)
        return json
    }
}
