import CarportCore
import Vapor

/// JSON shapes of the token, revocation and introspection endpoints (RFC 6749 §5, RFC 7662).
struct TokenResponseBody: Content {
    var access_token: String
    var token_type: String
    var expires_in: Int
    var refresh_token: String?
    var scope: String

    init(_ response: TokenResponse, tokenType: String) {
        access_token = response.accessToken
        token_type = tokenType
        expires_in = response.expiresIn
        refresh_token = response.refreshToken
        scope = response.scope
    }
}

struct OAuthErrorBody: Content {
    var error: String
    var error_description: String
}

struct IntrospectionBody: Content {
    var active: Bool
    var scope: String?
    var client_id: String?
    var token_type: String?
    var exp: Int?
    var iat: Int?
    var sub: String?
}

extension Response {
    /// A JSON response that must never be cached (RFC 6749 §5.1).
    static func noStoreJSON(_ body: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(body, as: .json)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: .pragma, value: "no-cache")
        return response
    }

    static func oauthError(_ error: OAuthError, basicChallenge: Bool = false) throws -> Response {
        let status: HTTPStatus = error.code == "invalid_client" ? .unauthorized : .badRequest
        let response = try noStoreJSON(OAuthErrorBody(error: error.code, error_description: error.description), status: status)
        if basicChallenge { response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Basic realm=\"carport\"") }
        return response
    }
}
