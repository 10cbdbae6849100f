import Vapor

/// `GET /demo/callback`: where the demo application's Connect flow lands; shows the code or the error.
struct DemoCallbackPage {
    @Sendable static func show(request: Request) -> Response {
        let query = FormParameters(request.url.query)
        if let error = query["error"] {
            return ConnectResponses.errorPage(
                title: "Connect ended with \(error)", message: query["error_description"] ?? "", status: .ok)
        }
        let code = query["code"] ?? ""
        let publicURL = request.carport.configuration.publicURL
        return ConnectResponses.page { pages in
            pages.message(title: "Your car is connected", lines: [
                "The demo application received this authorization code (valid for 10 minutes):",
                code,
                "Exchange it for tokens with: curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=authorization_code -d code=\(code) -d redirect_uri=\(publicURL)/demo/callback \(publicURL)/oauth/token",
            ])
        }
    }
}
