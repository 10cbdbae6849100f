// The Smartcar "getting started" tutorial as a Vapor app, against a local Carport instead of Smartcar's cloud.
//
//   SMARTCAR_CLIENT_ID=… SMARTCAR_CLIENT_SECRET=… swift run getting-started
//
// then open http://localhost:8001/login. Environment: CARPORT_URL (default http://127.0.0.1:8000),
// SMARTCAR_REDIRECT_URI (default http://localhost:8001/exchange; register it with the app), PORT (default 8001).
import Foundation
import Vapor

struct Settings {
    let carport: String
    let clientID: String
    let clientSecret: String
    let redirectURI: String
    let port: Int

    static func fromEnvironment() throws -> Settings {
        let environment = ProcessInfo.processInfo.environment
        guard let clientID = environment["SMARTCAR_CLIENT_ID"], let clientSecret = environment["SMARTCAR_CLIENT_SECRET"] else {
            throw Abort(.internalServerError, reason: "set SMARTCAR_CLIENT_ID and SMARTCAR_CLIENT_SECRET")
        }
        let port = Int(environment["PORT"] ?? "") ?? 8001
        return Settings(
            carport: environment["CARPORT_URL"] ?? "http://127.0.0.1:8000", clientID: clientID, clientSecret: clientSecret,
            redirectURI: environment["SMARTCAR_REDIRECT_URI"] ?? "http://localhost:\(port)/exchange", port: port)
    }
}

/// The tutorial keeps the one access token in memory.
actor TokenHolder {
    var accessToken: String?
    func set(_ token: String) { accessToken = token }
}

struct TokenResponse: Content {
    let access_token: String
}

struct VehicleList: Content {
    let vehicles: [String]
}

struct Attributes: Content {
    let id: String
    let make: String
    let model: String
    let year: Int
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
}

let settings = try Settings.fromEnvironment()
let app = try await Application.make(.production)
app.http.server.configuration.hostname = "127.0.0.1"
app.http.server.configuration.port = settings.port
let tokens = TokenHolder()

app.get("login") { request -> Response in
    var components = URLComponents(string: settings.carport + "/oauth/authorize")
    components?.queryItems = [
        URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: settings.clientID),
        URLQueryItem(name: "redirect_uri", value: settings.redirectURI), URLQueryItem(name: "scope", value: "read_vehicle_info"),
        URLQueryItem(name: "mode", value: "test"),
    ]
    return request.redirect(to: components?.string ?? settings.carport)
}

app.get("exchange") { request -> Response in
    guard let code = request.query[String.self, at: "code"] else {
        throw Abort(.badRequest, reason: request.query[String.self, at: "error_description"] ?? "no code")
    }
    let response = try await request.client.post(URI(string: settings.carport + "/oauth/token")) { token in
        token.headers.basicAuthorization = BasicAuthorization(username: settings.clientID, password: settings.clientSecret)
        try token.content.encode(["grant_type": "authorization_code", "code": code, "redirect_uri": settings.redirectURI],
                                 as: .urlEncodedForm)
    }
    guard response.status == .ok else { throw Abort(.badGateway, reason: "token exchange failed: \(response.status)") }
    await tokens.set(try response.content.decode(TokenResponse.self).access_token)
    return request.redirect(to: "/vehicle")
}

app.get("vehicle") { request -> Response in
    guard let token = await tokens.accessToken else { return request.redirect(to: "/login") }
    let bearer = HTTPHeaders([("Authorization", "Bearer \(token)")])
    let list = try await request.client.get(URI(string: settings.carport + "/v2.0/vehicles"), headers: bearer)
        .content.decode(VehicleList.self)
    guard let id = list.vehicles.first else { throw Abort(.notFound, reason: "no vehicle connected") }
    let attributes = try await request.client.get(URI(string: settings.carport + "/v2.0/vehicles/\(id)"), headers: bearer)
        .content.decode(Attributes.self)
    let rows = [("Id", attributes.id), ("Make", attributes.make), ("Model", attributes.model), ("Year", String(attributes.year))]
    let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Your vehicle</title></head><body><table>"
        + rows.map { "<tr><th>\($0.0)</th><td>\(escape($0.1))</td></tr>" }.joined() + "</table></body></html>"
    let response = Response(status: .ok, body: .init(string: html))
    response.headers.contentType = .html
    return response
}

try await app.execute()
try await app.asyncShutdown()
