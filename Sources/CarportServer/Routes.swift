import Vapor

/// Every route group of the server, in one place.
enum Routes {
    static func register(on app: Application) throws {
        try app.register(collection: OpsController())

        let pages = app.grouped(PageSecurityMiddleware())
        pages.get("oauth", "authorize", use: AuthorizeEndpoints.handler(.smartcar))
        pages.get("oauth", "reauthenticate", use: AuthorizeEndpoints.handler(.reauthenticate))
        pages.get("enode", "oauth2", "auth", use: AuthorizeEndpoints.handler(.enode))
        pages.get("demo", "callback", use: DemoCallbackPage.show)
        try pages.register(collection: ConnectPagesController())
        try pages.register(collection: SessionPagesController())

        let smartcarTokens = TokenEndpoint(dialect: .smartcar)
        app.post("oauth", "token", use: smartcarTokens.token)
        app.post("oauth", "revoke", use: smartcarTokens.revoke)
        app.post("oauth", "introspect", use: smartcarTokens.introspect)
        app.post("enode", "oauth2", "token", use: TokenEndpoint(dialect: .enode).token)
        app.get(".well-known", "oauth-authorization-server") { request in
            AuthorizationServerMetadata(publicURL: request.carport.configuration.publicURL)
        }

        try app.register(collection: SimulatorController())
        try app.register(collection: TariffController())
        try app.register(collection: EnodeRoutes())
        try app.register(collection: SmartcarRoutes())
        try app.register(collection: SmartcarV3Routes())
        try app.register(collection: OCPPEndpoint())
        try app.register(collection: JedlixRoutes())
        // Every face's OpenAPI document in one place (the Enode one also at `/enode/openapi.yaml`).
        for face in FaceOpenAPI.allCases { app.get("openapi", "\(face.rawValue).yaml", use: face.document) }
    }
}
