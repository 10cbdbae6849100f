import CarportCore
import Foundation
import Vapor

/// Renders canonical errors as Smartcar v2 error bodies (smartcar.md §5.1–5.2).
enum SmartcarErrors {
    static func status(of error: CarportError) -> HTTPStatus {
        switch error.kind {
        case .authentication: .unauthorized
        case .permission: .forbidden
        case .validation, .connectedServicesAccount: .badRequest
        case .resourceNotFound: .notFound
        case .vehicleState: .conflict
        case .rateLimit: .tooManyRequests
        case .billing: HTTPStatus(statusCode: 430, reasonPhrase: "Billing Error")
        case .server: .internalServerError
        case .compatibility: .notImplemented
        case .upstream: .badGateway
        }
    }

    /// The v2 error body: `type`, `code` (may be null), `description`, `docURL`, `statusCode`, `requestId`,
    /// `resolution` object, `suggestedUserMessage`, and `detail` for validation errors.
    static func body(_ error: CarportError, requestID: String, status: HTTPStatus? = nil) -> JSONValue {
        let typeSlug = error.kind.rawValue.lowercased().replacingOccurrences(of: "_", with: "-")
        let codeSlug = error.code?.lowercased().replacingOccurrences(of: "_", with: "-") ?? "null"
        var fields: [(String, JSONValue)] = [
            ("type", .string(error.kind.rawValue)),
            ("code", error.code.map(JSONValue.string) ?? .null),
            ("description", .string(error.description)),
            ("docURL", .string("https://smartcar.com/docs/errors/api-errors/\(typeSlug)-errors#\(codeSlug)")),
            ("statusCode", .int(Int((status ?? Self.status(of: error)).code))),
            ("requestId", .string(requestID)),
            ("resolution", .object([("type", error.resolution.map { .string($0.rawValue) } ?? .null)]
                + (error.resolutionURL.map { [("url", JSONValue.string($0))] } ?? []))),
            ("suggestedUserMessage", .string(suggestedUserMessage(error))),
        ]
        if let detail = error.detail {
            fields.append(("detail", .array(detail.map {
                .object([("field", .array($0.field.map(JSONValue.string))), ("message", .string($0.message))])
            })))
        }
        return .object(fields)
    }

    /// The v3 (JSON:API) error body: one item in `errors`, with the status as a string and v2's fields beside.
    static func v3Body(_ error: CarportError, requestID: String, status: HTTPStatus? = nil) -> JSONValue {
        let status = status ?? Self.status(of: error)
        let title = error.kind.rawValue.split(separator: "_").map { $0.prefix(1) + $0.dropFirst().lowercased() }.joined(separator: " ")
        guard case .object(let v2) = body(error, requestID: requestID, status: status) else { return .null }
        let keep = v2.filter { ["type", "code", "resolution", "suggestedUserMessage"].contains($0.0) }
        let docURL = v2.first { $0.0 == "docURL" }?.1 ?? .null
        let source: [(String, JSONValue)] = error.detail?.first?.field.first.map { [("source", .object([("parameter", .string($0))]))] } ?? []
        return .object([("errors", .array([.object(
            [("status", .string(String(status.code))), ("title", .string(title)), ("detail", .string(error.description)),
             ("links", .object([("about", docURL)]))] + keep + source)]))])
    }

    /// The error's response in the face's format; `status` replaces the kind's status where no kind has it (405).
    static func response(_ error: CarportError, for request: Request, status: HTTPStatus? = nil, format: Format = .v2) -> Response {
        let response = Response(status: status ?? Self.status(of: error))
        let body = format == .v2 ? body(error, requestID: request.id, status: status) : v3Body(error, requestID: request.id, status: status)
        response.body = .init(data: (try? body.data()) ?? Data("{}".utf8))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: "SC-Request-Id", value: request.id)
        if let retryAfter = error.retryAfter { response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter)) }
        return response
    }

    /// The error bodies of the two API generations: v2 (`/v2.0`, one object) and v3 (JSON:API `errors`).
    enum Format: Sendable { case v2, v3 }

    private static func suggestedUserMessage(_ error: CarportError) -> String {
        switch error.kind {
        case .authentication, .permission: "Please reconnect your vehicle to this app."
        case .vehicleState: "Your vehicle could not do this right now. Check its state and try again."
        case .rateLimit, .upstream, .server: "Something went wrong. Please try again in a few minutes."
        case .compatibility: "This feature is not available for your vehicle."
        case .connectedServicesAccount: "Please check your vehicle's connected-services account."
        case .validation, .resourceNotFound, .billing: "Something went wrong. Please contact the app's support."
        }
    }
}

/// Turns every error inside the Smartcar face into its error format, with `SC-Request-Id` on every response.
/// Future-based: the hot path takes no extra task hop.
struct SmartcarErrorMiddleware: Middleware {
    var format: SmartcarErrors.Format = .v2

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
            response.headers.replaceOrAdd(name: "SC-Request-Id", value: request.id)
            return response
        }.flatMapErrorThrowing { error in
            Self.response(for: error, request: request, format: format)
        }
    }

    private static func response(for error: any Error, request: Request, format: SmartcarErrors.Format) -> Response {
        switch error {
        case let error as CarportError:
            return SmartcarErrors.response(error, for: request, format: format)
        case let abort as any AbortError where abort.status == .notFound:
            return SmartcarErrors.response(CarportError(.resourceNotFound, "PATH", "The requested resource does not exist."),
                                           for: request, format: format)
        case let abort as any AbortError where abort.status == .methodNotAllowed:
            return SmartcarErrors.response(CarportError(.resourceNotFound, "METHOD", abort.reason), for: request,
                                           status: .methodNotAllowed, format: format)
        case let abort as any AbortError where abort.status.code < 500:
            return SmartcarErrors.response(CarportError.validation(abort.reason), for: request, format: format)
        default:
            request.logger.error("Smartcar face: \(String(reflecting: error))")
            return SmartcarErrors.response(CarportError.internalError(), for: request, format: format)
        }
    }
}
