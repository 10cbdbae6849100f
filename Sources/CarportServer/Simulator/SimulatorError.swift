import CarportConnectors
import Vapor

/// Errors of the simulator API, answered as `{"error", "message"}`.
enum SimulatorError: Error {
    case unauthorized
    case badRequest(String)
}

struct SimulatorErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch SimulatorError.unauthorized {
            return try Self.error(.unauthorized, "unauthorized", "Send the application's management token as a Bearer token.")
        } catch SimulatorError.badRequest(let message) {
            return try Self.error(.badRequest, "invalid_request", message)
        } catch let failure as SimulatorService.Failure {
            if case .unknownVehicle = failure { return try Self.error(.notFound, "not_found", failure.description) }
            if case .duplicateVIN = failure { return try Self.error(.conflict, "conflict", failure.description) }
            return try Self.error(.badRequest, "invalid_request", failure.description)
        } catch let abort as any AbortError where abort.status == .notFound {
            return try Self.error(.notFound, "not_found", "No such resource.")
        } catch let abort as any AbortError where abort.status == .methodNotAllowed {
            return try Self.error(.methodNotAllowed, "method_not_allowed", abort.reason)
        }
    }

    private static func error(_ status: HTTPStatus, _ code: String, _ message: String) throws -> Response {
        try SimulatorController.json(["error": code, "message": message], status: status)
    }
}
