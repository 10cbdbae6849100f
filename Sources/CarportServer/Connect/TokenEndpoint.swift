import CarportCore
import Vapor

/// `POST /oauth/token`, `/oauth/revoke`, `/oauth/introspect` and the RFC 8414 metadata.
/// The Enode face mounts the same token endpoint with its own dialect.
struct TokenEndpoint: Sendable {
    /// What differs between the faces that serve a token endpoint.
    struct Dialect: Sendable {
        var tokenType: String
        var applicationTokenLifetime: Double

        static let smartcar = Dialect(tokenType: "Bearer", applicationTokenLifetime: 3600)
        static let enode = Dialect(tokenType: "bearer", applicationTokenLifetime: 3599)
    }

    let dialect: Dialect

    @Sendable func token(request: Request) async throws -> Response {
        try await withClient(request) { client, form in
            guard form.repeatedNames.isEmpty else {
                throw OAuthError.invalidRequest("Parameters must not repeat: \(form.repeatedNames.joined(separator: ", ")).")
            }
            let server = request.authorizationServer
            let response: TokenResponse
            switch form.nonEmpty("grant_type") {
            case "authorization_code":
                guard let code = form.nonEmpty("code") else { throw OAuthError.invalidRequest("code is required.") }
                response = try await server.exchangeCode(
                    client: client, code: code, redirectURI: form["redirect_uri"], codeVerifier: form["code_verifier"])
            case "refresh_token":
                guard let token = form.nonEmpty("refresh_token") else {
                    throw OAuthError.invalidRequest("refresh_token is required.")
                }
                response = try await server.refresh(client: client, refreshToken: token)
            case "client_credentials":
                response = try await server.applicationToken(client: client, lifetime: dialect.applicationTokenLifetime)
            case let type?:
                throw OAuthError.unsupportedGrantType(type)
            case nil:
                throw OAuthError.invalidRequest("grant_type is required.")
            }
            return try .noStoreJSON(TokenResponseBody(response, tokenType: dialect.tokenType))
        }
    }

    /// RFC 7009: 200 whether or not the token existed.
    @Sendable func revoke(request: Request) async throws -> Response {
        try await withClient(request) { client, form in
            guard let token = form.nonEmpty("token") else { throw OAuthError.invalidRequest("token is required.") }
            try await request.authorizationServer.revoke(client: client, token: token)
            let response = Response(status: .ok)
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        }
    }

    /// RFC 7662.
    @Sendable func introspect(request: Request) async throws -> Response {
        try await withClient(request) { client, form in
            guard let token = form.nonEmpty("token") else { throw OAuthError.invalidRequest("token is required.") }
            guard let details = try await request.authorizationServer.introspect(client: client, token: token) else {
                return try .noStoreJSON(IntrospectionBody(active: false))
            }
            return try .noStoreJSON(IntrospectionBody(
                active: true, scope: details.scope, client_id: details.clientID,
                token_type: details.kind == .refresh ? "refresh_token" : "Bearer",
                exp: details.expiresAt, iat: details.issuedAt, sub: details.subject))
        }
    }

    /// Parses the form, authenticates the client and renders OAuth errors.
    private func withClient(
        _ request: Request, _ body: (RegisteredApplication, FormParameters) async throws -> Response
    ) async throws -> Response {
        guard request.headers.contentType == .urlEncodedForm else {
            return try .oauthError(.invalidRequest("Send the parameters as application/x-www-form-urlencoded."))
        }
        let form = FormParameters(request.body.string)
        do {
            let client = try await ClientAuthentication.authenticate(request, form: form, registry: request.applicationRegistry)
            return try await body(client, form)
        } catch let failure as ClientAuthentication.Failure {
            return try .oauthError(failure.error, basicChallenge: failure.method == .basic)
        } catch let error as OAuthError {
            return try .oauthError(error)
        }
    }
}

/// RFC 8414 authorization server metadata.
struct AuthorizationServerMetadata: Content {
    var issuer: String
    var authorization_endpoint: String
    var token_endpoint: String
    var revocation_endpoint: String
    var introspection_endpoint: String
    var response_types_supported = ["code"]
    var response_modes_supported = ["query"]
    var grant_types_supported = ["authorization_code", "refresh_token", "client_credentials"]
    var code_challenge_methods_supported = ["S256"]
    var token_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post"]
    var revocation_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post"]
    var introspection_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post"]
    var scopes_supported = Permission.allCases.map(\.rawValue)
    var authorization_response_iss_parameter_supported = true

    init(publicURL: String) {
        issuer = publicURL
        authorization_endpoint = "\(publicURL)/oauth/authorize"
        token_endpoint = "\(publicURL)/oauth/token"
        revocation_endpoint = "\(publicURL)/oauth/revoke"
        introspection_endpoint = "\(publicURL)/oauth/introspect"
    }
}
