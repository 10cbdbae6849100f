import Foundation
import Vapor

/// Tesla's SSO: `/oauth2/v3/authorize` (login form with the `tesla-auth.sid` cookie, scope consent) and
/// `/oauth2/v3/token` (authorization_code with PKCE, refresh_token with rotation, client_credentials).
struct FakeAuthRoutes: RouteCollection {
    let cloud: FakeCloud

    func boot(routes: any RoutesBuilder) throws {
        let oauth = routes.grouped("oauth2", "v3")
        oauth.get("authorize", use: showLogin)
        oauth.post("authorize", use: submitLogin)
        oauth.post("token", use: token)
    }

    private struct AuthorizeQuery: Content {
        var client_id: String?
        var redirect_uri: String?
        var response_type: String?
        var scope: String?
        var state: String?
        var code_challenge: String?
        var code_challenge_method: String?
        var prompt_missing_scopes: String?
    }

    private func validated(_ request: Request) async throws -> AuthorizeQuery {
        let query = try request.query.decode(AuthorizeQuery.self)
        guard query.response_type == "code", let client = query.client_id, let redirect = query.redirect_uri,
              client == cloud.options.clientID || client == "ownerapi",
              await cloud.isKnownRedirect(clientID: client, redirectURI: redirect)
        else { throw Abort(.badRequest, reason: "Unknown client_id, redirect_uri or response_type") }
        if query.code_challenge != nil, query.code_challenge_method != "S256" {
            throw Abort(.badRequest, reason: "code_challenge_method must be S256")
        }
        return query
    }

    @Sendable func showLogin(request: Request) async throws -> Response {
        let query = try await validated(request)
        let (sid, csrf) = await cloud.startLogin()
        let response = page(query: query, csrf: csrf, transaction: FakeCloud.random(), message: nil, status: .ok)
        response.headers.add(name: .setCookie, value: "tesla-auth.sid=s%3A\(sid); Path=/; HttpOnly; SameSite=Lax")
        return response
    }

    @Sendable func submitLogin(request: Request) async throws -> Response {
        let query = try await validated(request)
        let form = FakeHTTP.parameters(request)
        let sid = (request.cookies["tesla-auth.sid"]?.string ?? "").replacingOccurrences(of: "s%3A", with: "")
            .replacingOccurrences(of: "s:", with: "")
        let requested = Set((query.scope ?? "").split(separator: " ").map(String.init))
        let alwaysGranted = requested.intersection(["openid", "offline_access", "email"])
        let granted = form["scope_choice"] == nil
            ? requested : alwaysGranted.union(Set(FakeHTTP.strings(form["granted_scope"])).intersection(requested))
        do {
            let code = try await cloud.login(
                sid: sid, csrf: form["_csrf"] as? String ?? "", email: form["identity"] as? String ?? "",
                password: form["credential"] as? String ?? "", clientID: query.client_id ?? "",
                redirectURI: query.redirect_uri ?? "", granted: granted, challenge: query.code_challenge)
            var components = URLComponents(string: query.redirect_uri ?? "")!
            components.queryItems = (components.queryItems ?? []) + [
                URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: query.state),
                URLQueryItem(name: "issuer", value: cloud.options.authIssuer),
            ]
            let location = components.url!.absoluteString
            let response = Response(status: .found, body: .init(string: "Found. Redirecting to \(location)"))
            response.headers.replaceOrAdd(name: .location, value: location)
            return response
        } catch {
            guard let csrf = await cloud.csrf(sid: sid) else {
                return Response(status: .forbidden, body: .init(string: "Your session expired; start again."))
            }
            return page(query: query, csrf: csrf, transaction: form["transaction_id"] as? String ?? "",
                        message: error.description, status: .unauthorized)
        }
    }

    @Sendable func token(request: Request) async throws -> Response {
        let form = FakeHTTP.parameters(request)
        let clientID = form["client_id"] as? String ?? ""
        return await FakeHTTP.guarded {
            let tokens: FakeCloud.TokenSet
            switch form["grant_type"] as? String {
            case "authorization_code":
                tokens = try await cloud.exchange(
                    code: form["code"] as? String ?? "", clientID: clientID, secret: form["client_secret"] as? String,
                    redirectURI: form["redirect_uri"] as? String ?? "", verifier: form["code_verifier"] as? String)
            case "refresh_token":
                tokens = try await cloud.refresh(token: form["refresh_token"] as? String ?? "", clientID: clientID)
            case "client_credentials":
                tokens = try await cloud.partnerToken(
                    clientID: clientID, secret: form["client_secret"] as? String,
                    scopes: (form["scope"] as? String ?? "").split(separator: " ").map(String.init))
            default:
                throw FakeFailure(400, "unsupported_grant_type", "grant_type must be authorization_code, refresh_token or client_credentials")
            }
            var body: [String: Any] = ["access_token": tokens.accessToken, "expires_in": tokens.expiresIn, "token_type": "Bearer"]
            if let refresh = tokens.refreshToken { body["refresh_token"] = refresh }
            if let id = tokens.idToken { body["id_token"] = id }
            if let state = form["state"] as? String { body["state"] = state }
            return FakeHTTP.json(body)
        }
    }

    private func page(query: AuthorizeQuery, csrf: String, transaction: String, message: String?, status: HTTPStatus) -> Response {
        let scopes = (query.scope ?? "").split(separator: " ").map(String.init)
            .filter { !["openid", "offline_access", "email"].contains($0) }
        let boxes = scopes.map {
            #"<label><input type="checkbox" name="granted_scope" value="\#($0.htmlEscaped)" checked> \#($0.htmlEscaped)</label><br>"#
        }.joined()
        let html = """
        <!doctype html><html><head><meta charset="utf-8"><title>Tesla SSO – Sign In</title></head><body>
        <h1>Sign in to Tesla</h1>\(message.map { "<p class=\"error\">\($0.htmlEscaped)</p>" } ?? "")
        <form method="post" id="form">
        <input type="hidden" name="_csrf" value="\(csrf.htmlEscaped)">
        <input type="hidden" name="_phase" value="authenticate">
        <input type="hidden" name="_process" value="1">
        <input type="hidden" name="transaction_id" value="\(transaction.htmlEscaped)">
        <input type="hidden" name="cancel" value="">
        <input type="hidden" name="scope_choice" value="1">
        <label>Email <input id="form-input-identity" name="identity" type="email"></label>
        <label>Password <input id="form-input-credential" name="credential" type="password"></label>
        <fieldset><legend>Allow this app to access</legend>\(boxes)</fieldset>
        <button id="form-submit-continue" type="submit">Sign In</button>
        </form></body></html>
        """
        let response = Response(status: status, body: .init(string: html))
        response.headers.contentType = .html
        return response
    }
}
