import Vapor

/// Puts the request id on every response as `X-Request-Id` (Vapor takes the caller's id when one is sent).
/// Future-based rather than async: the hot path takes no extra task hop.
struct RequestIDMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            response.headers.replaceOrAdd(name: .xRequestId, value: request.id)
            return response
        }
    }
}
