import CarportCore
import Foundation
import Vapor

/// Authenticates the OAuth client of a token-endpoint request: HTTP Basic or `client_secret_post`, not both.
struct ClientAuthentication {
    /// How the client authenticated, so a failure can be answered the same way (`WWW-Authenticate` for Basic).
    enum Method { case basic, post }

    struct Failure: Error {
        let error: OAuthError
        let method: Method?
    }

    static func authenticate(
        _ request: Request, form: FormParameters, registry: ApplicationRegistry
    ) async throws -> RegisteredApplication {
        let basic = request.headers.basicAuthorization
        let postID = form["client_id"], postSecret = form["client_secret"]
        if basic != nil, postSecret != nil {
            throw Failure(error: .invalidRequest("Use one client authentication method, not two."), method: .basic)
        }
        let method: Method
        let clientID: String, secret: String
        if let basic {
            method = .basic
            clientID = PercentDecoding.decode(basic.username, plusAsSpace: false) ?? basic.username
            secret = PercentDecoding.decode(basic.password, plusAsSpace: false) ?? basic.password
        } else if let postID, let postSecret {
            method = .post
            clientID = postID
            secret = postSecret
        } else {
            throw Failure(error: .invalidClient("Client authentication is required."), method: nil)
        }
        guard let application = try await registry.authenticate(clientID: clientID, secret: secret) else {
            throw Failure(error: .invalidClient(), method: method)
        }
        return application
    }
}
