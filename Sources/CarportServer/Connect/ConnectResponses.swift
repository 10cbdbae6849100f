import CarportCore
import Vapor

/// HTML responses of the Connect pages, each with its own CSP nonce.
enum ConnectResponses {
    static func page(_ render: (ConnectPages) -> String, status: HTTPStatus = .ok) -> Response {
        let nonce = SecretToken.generate(prefix: "")
        let response = Response(status: status, body: .init(string: render(ConnectPages(nonce: nonce))))
        response.headers.contentType = .html
        response.headers.replaceOrAdd(name: .contentSecurityPolicy, value: PageSecurityMiddleware.policy(nonce: nonce))
        return response
    }

    static func errorPage(title: String, message: String, status: HTTPStatus) -> Response {
        page({ $0.error(title: title, message: message) }, status: status)
    }
}
