import Vapor

/// One log line per request at info: method, path, status and duration (the request id is in the metadata); the
/// duration also goes to the client as `Server-Timing: app;dur=<ms>`. Future-based: no extra task hop.
struct RequestLogMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let start = ContinuousClock.now
        return next.respond(to: request).map { response in
            let elapsed = ContinuousClock.now - start
            let microseconds = Int(elapsed.components.seconds) * 1_000_000
                + Int(elapsed.components.attoseconds / 1_000_000_000_000)
            let milliseconds = Self.milliseconds(microseconds)
            response.headers.replaceOrAdd(name: "Server-Timing", value: "app;dur=\(milliseconds)")
            request.logger.info("\(request.method.rawValue) \(request.url.path) \(response.status.code) \(milliseconds)ms")
            return response
        }
    }

    /// `1234` µs as `"1.234"`.
    static func milliseconds(_ microseconds: Int) -> String {
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
