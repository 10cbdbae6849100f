import CarportCore
import Foundation
import Vapor

/// Jedlix errors (jedlix.md §7): `application/json` (the Android SDK parses nothing else) with non-null `title`
/// and `detail` (the iOS SDK requires both), plus `type`, `status` and `instance`.
struct JedlixProblem: Error {
    let status: HTTPStatus
    let title: String
    let detail: String

    static func unauthorized(_ detail: String) -> JedlixProblem { .init(status: .unauthorized, title: "Unauthorized", detail: detail) }
    static func forbidden(_ detail: String) -> JedlixProblem { .init(status: .forbidden, title: "Forbidden", detail: detail) }
    static func notFound(_ title: String, _ detail: String) -> JedlixProblem { .init(status: .notFound, title: title, detail: detail) }
    static func badRequest(_ detail: String) -> JedlixProblem { .init(status: .badRequest, title: "Invalid request", detail: detail) }
    static func conflict(_ title: String, _ detail: String) -> JedlixProblem { .init(status: .conflict, title: title, detail: detail) }

    /// The Jedlix rendering of a canonical error.
    init(_ error: CarportError) {
        switch error.kind {
        case .authentication: self = .unauthorized(error.description)
        case .permission: self = .forbidden(error.description)
        case .validation:
            self = .badRequest(error.detail?.first.map { "\"\($0.field.joined(separator: "."))\": \($0.message)" } ?? error.description)
        case .resourceNotFound: self = .notFound("Not found", error.description)
        case .vehicleState, .compatibility, .connectedServicesAccount:
            self.init(status: .badRequest, title: "The vehicle cannot do this now", detail: error.description)
        case .rateLimit: self.init(status: .tooManyRequests, title: "Too many requests", detail: error.description)
        case .upstream: self.init(status: .badGateway, title: "The brand did not answer", detail: error.description)
        case .server, .billing: self.init(status: .internalServerError, title: "Internal server error", detail: error.description)
        }
    }

    init(status: HTTPStatus, title: String, detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    /// The RFC 9110 section of the status, as ASP.NET's problem details name it (429 is RFC 6585's).
    private var type: String {
        status == .tooManyRequests ? "https://tools.ietf.org/html/rfc6585#section-4"
            : "https://tools.ietf.org/html/rfc9110#section-15.\(status.code / 100 + 1).\(status.code % 100 + 1)"
    }

    func response(instance: String) -> Response {
        let body: JSONValue = .object([
            ("type", .string(type)),
            ("title", .string(title)), ("status", .int(Int(status.code))), ("detail", .string(detail)),
            ("instance", .string(instance)),
        ])
        let response = Response(status: status, body: .init(data: (try? body.data()) ?? Data()))
        response.headers.contentType = .json
        return response
    }
}

/// Renders every error inside the Jedlix face as a problem.
struct JedlixProblemMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let problem: JedlixProblem
            switch error {
            case let error as JedlixProblem: problem = error
            case let error as CarportError: problem = JedlixProblem(error)
            case let abort as any AbortError where abort.status == .notFound: problem = .notFound("Not found", "No such resource.")
            case let abort as any AbortError where abort.status == .methodNotAllowed:
                problem = JedlixProblem(status: .methodNotAllowed, title: "Method not allowed", detail: abort.reason)
            case let abort as any AbortError where abort.status == .payloadTooLarge: problem = .badRequest("The body is too large.")
            default:
                request.logger.error("Jedlix face: \(String(reflecting: error))")
                problem = JedlixProblem(CarportError.internalError())
            }
            let response = problem.response(instance: request.url.path)
            if let retry = (error as? CarportError)?.retryAfter { response.headers.replaceOrAdd(name: .retryAfter, value: String(retry)) }
            return response
        }
    }
}

/// Jedlix datetimes: UTC with exactly six fractional digits (`2024-05-01T10:00:00.000000`), as the SDKs parse them.
enum JedlixTime {
    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, micros)
    }
}
