import Vapor

/// Headers for every browser-facing response: no framing (clickjacking), no referrer leaks, no caching, no
/// sniffing, and a locked-down CSP unless the page set its own nonce-based one.
struct PageSecurityMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers: [(String, String)] = [
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if !response.headers.contains(name: .contentSecurityPolicy) {
            response.headers.replaceOrAdd(name: .contentSecurityPolicy, value: Self.policy(nonce: nil))
        }
        return response
    }

    /// The Content-Security-Policy of a page; styles and scripts only with this response's nonce.
    static func policy(nonce: String?) -> String {
        let allowed = nonce.map { "'nonce-\($0)'" } ?? "'none'"
        return "default-src 'none'; style-src \(allowed); script-src \(allowed); img-src data:; "
            + "base-uri 'none'; frame-ancestors 'none'"
    }
}
