import CarportCore
import Vapor

/// Where Connect starts: `/oauth/authorize` (Smartcar Connect), `/oauth/reauthenticate`, `/enode/oauth2/auth`
/// (Enode Link). Each validates its parameters, opens a flow bound to this browser and sends the owner to it.
struct AuthorizeEndpoints {
    enum Kind { case smartcar, reauthenticate, enode }

    static func handler(_ kind: Kind) -> @Sendable (Request) async throws -> Response {
        { request in try await start(kind, request: request) }
    }

    private static func start(_ kind: Kind, request: Request) async throws -> Response {
        let parser = AuthorizationRequestParser(query: FormParameters(request.url.query), registry: request.applicationRegistry)
        let client: AuthorizationRequestParser.Client
        do {
            client = try await parser.client()
        } catch let page as AuthorizationRequestParser.ErrorPage {
            return ConnectResponses.errorPage(title: "This link does not work", message: page.message, status: .badRequest)
        }
        let service = request.connectService
        let authorization: AuthorizationRequest
        do {
            switch kind {
            case .smartcar:
                authorization = try parser.smartcarRequest(client)
            case .reauthenticate where parser.responseType == "code":
                authorization = try parser.smartcarRequest(client)
            case .reauthenticate where !parser.hasVehicleID:
                authorization = try parser.brandPermissionUpdateRequest(client)
            case .reauthenticate:
                var vehicle: ConnectedVehicle?
                if let id = parser.vehicleID {
                    vehicle = try await request.connectionStore.vehicle(id: id, applicationID: client.application.id)
                }
                authorization = try parser.reauthenticationRequest(client, vehicle: vehicle)
            case .enode:
                let link = EnodeLinkState.open(client.state, applicationID: client.application.id, box: request.carport.secretBox)
                authorization = try parser.enodeRequest(client, user: link?.userID, vendor: link?.vendor, ownerName: link?.userName)
            }
        } catch let error as OAuthError {
            return request.redirect(to: RedirectURL.build(client.redirectURI, [
                ("error", error.code), ("error_description", error.description), ("state", client.state),
                ("iss", request.carport.configuration.publicURL),
            ]), redirectType: .normal)
        }
        let browser = BrowserCookie.secret(of: request) ?? BrowserCookie.newSecret()
        switch try await service.start(authorization, applicationName: client.application.name, browserSecret: browser) {
        case .redirect(let url):
            return request.redirect(to: url, redirectType: .normal)
        case .page(let flow, _):
            let response = request.redirect(to: "/connect/\(flow.id.uuidString.lowercased())", redirectType: .normal)
            BrowserCookie.set(browser, on: response, secure: request.carport.configuration.publicURL.hasPrefix("https:"))
            return response
        }
    }
}

/// The cookie that binds Connect flows to the browser that started them.
enum BrowserCookie {
    static let name = "carport_browser"

    static func secret(of request: Request) -> String? {
        guard let value = request.cookies[name]?.string, value.count >= 43 else { return nil }
        return value
    }

    static func newSecret() -> String { SecretToken.generate(prefix: "") }

    static func set(_ secret: String, on response: Response, secure: Bool) {
        response.cookies[name] = HTTPCookies.Value(
            string: secret, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}
