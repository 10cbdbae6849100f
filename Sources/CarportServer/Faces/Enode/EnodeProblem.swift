import CarportCore
import Foundation
import Vapor

/// Enode's RFC 7807 problems (`application/problem+json`, enode.md §5), with v1's duplicated `error` / `message`.
struct EnodeProblem: Error {
    let status: HTTPStatus
    let slug: String
    let title: String
    let detail: String

    init(status: HTTPStatus, slug: String, title: String, detail: String) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
    }

    static func unauthorized(_ detail: String = "Missing or invalid access token.") -> EnodeProblem {
        EnodeProblem(status: .unauthorized, slug: "unauthorized", title: "Unauthorized", detail: detail)
    }

    static func forbidden(_ detail: String) -> EnodeProblem {
        EnodeProblem(status: .forbidden, slug: "forbidden", title: "Unauthorized for resource", detail: detail)
    }

    static func notFound(_ title: String, _ detail: String) -> EnodeProblem {
        EnodeProblem(status: .notFound, slug: "not-found", title: title, detail: detail)
    }

    static func validation(_ detail: String) -> EnodeProblem {
        EnodeProblem(status: .badRequest, slug: "payload-validation-error", title: "Payload validation failed", detail: detail)
    }

    /// The Enode rendering of a canonical error.
    init(_ error: CarportError) {
        switch error.kind {
        case .authentication: self = .unauthorized()
        case .permission: self = .forbidden(error.description)
        case .validation:
            self = .validation(error.detail?.first.map { "\"\($0.field.joined(separator: "."))\": \($0.message)" } ?? error.description)
        case .resourceNotFound: self = .notFound("Not found", error.description)
        case .vehicleState, .compatibility, .connectedServicesAccount:
            self.init(status: .badRequest, slug: "bad-request", title: "Action could not be performed", detail: error.description)
        case .rateLimit:
            self.init(status: .tooManyRequests, slug: "too-many-requests", title: "Too many requests", detail: error.description)
        case .upstream:
            self.init(status: .badGateway, slug: "vendor-error", title: "Vendor error", detail: error.description)
        case .server, .billing:
            self.init(status: .internalServerError, slug: "server-error", title: "Internal server error", detail: error.description)
        }
    }

    var response: Response {
        let type = "https://docs.enode.io/problems/\(slug)"
        let body: JSONValue = .object([("type", .string(type)), ("title", .string(title)), ("detail", .string(detail)),
                                       ("error", .string(type)), ("message", .string(detail))])
        let response = Response(status: status, body: .init(data: (try? body.data()) ?? Data()))
        response.headers.replaceOrAdd(name: .contentType, value: "application/problem+json")
        return response
    }
}

/// Renders every error inside the Enode face as a problem.
struct EnodeProblemMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in
            switch error {
            case let problem as EnodeProblem: return problem.response
            case let error as CarportError: return EnodeProblem(error).response
            case let abort as any AbortError where abort.status == .notFound:
                return EnodeProblem.notFound("Not found", "No such resource.").response
            case let abort as any AbortError where abort.status == .methodNotAllowed:
                return EnodeProblem(status: .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed", detail: abort.reason).response
            default:
                request.logger.error("Enode face: \(String(reflecting: error))")
                return EnodeProblem(CarportError.internalError()).response
            }
        }
    }
}
