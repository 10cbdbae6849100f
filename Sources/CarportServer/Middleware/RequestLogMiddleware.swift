import Vapor

/// One log line per request at info: method, path, status and duration (the request id is in the metadata).
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        request.logger.info(
            "\(request.method.rawValue) \(request.url.path) \(response.status.code) \(String(format: "%.1f", milliseconds))ms")
        return response
    }
}
