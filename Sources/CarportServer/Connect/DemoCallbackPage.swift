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
            pages.message(
                title: "Your car is connected",
                text: "The demo application received this authorization code. It is valid for 10 minutes; exchange it for tokens with the demo app's client id and secret:",
                code: [code, "curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=authorization_code -d code=\(code) "
                    + "-d redirect_uri=\(publicURL)/demo/callback \(publicURL)/oauth/token"])
        }
    }
}
