import NIOConcurrencyHelpers
import Vapor

/// Requests that match no route: under a face (Smartcar `/v…/`, Enode `/enode/`, Jedlix `/api/v1/`, the simulator)
/// they are answered in that face's error format — 405 with `Allow` when the path exists with other methods, 404
/// otherwise — by handing the face's own error middleware an `Abort`. Elsewhere Vapor's answer stands.
struct UnmatchedRouteMiddleware: AsyncMiddleware {
    /// Which methods each registered path answers, built from the route table on first use.
    private let paths = NIOLockedValueBox<[(path: [PathComponent], methods: [HTTPMethod])]?>(nil)

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let abort as any AbortError where abort.status == .notFound && request.route == nil {
            guard let face = Self.face(of: request.url.path) else { throw abort }
            let allowed = methods(of: request)
            let error = allowed.isEmpty ? Abort(.notFound)
                : Abort(.methodNotAllowed, reason: "\(request.method.rawValue) is not allowed here; use \(allowed.map(\.rawValue).joined(separator: ", ")).")
            let response = try await face.respond(to: request, chainingTo: Failing(error: error)).get()
            if !allowed.isEmpty { response.headers.replaceOrAdd(name: .allow, value: allowed.map(\.rawValue).joined(separator: ", ")) }
            return response
        }
    }

    /// The error middleware of the face a path belongs to, if any.
    static func face(of path: String) -> (any Middleware)? {
        let segments = path.split(separator: "/")
        guard let first = segments.first else { return nil }
        if first == "enode", segments.dropFirst().first != "oauth2" { return EnodeProblemMiddleware() }
        if first == "api", segments.dropFirst().first == "v1" { return JedlixProblemMiddleware() }
        if first == "simulator" { return SimulatorErrorMiddleware() }
        if first == "v3" { return SmartcarErrorMiddleware(format: .v3) }
        if first.count > 1, first.first == "v", first.dropFirst().first?.isNumber == true { return SmartcarErrorMiddleware() }
        return nil
    }

    private func methods(of request: Request) -> [HTTPMethod] {
        let segments = request.url.path.split(separator: "/").map(String.init)
        let paths = paths.withLockedValue { paths in
            if paths == nil { paths = Self.paths(request.application.routes.all) }
            return paths ?? []
        }
        var seen = Set<String>()
        return Self.routed(paths, segments).flatMap(\.methods).filter { seen.insert($0.rawValue).inserted }
    }

    /// The paths the router would reach for these segments: like Vapor's trie, at each segment a constant that
    /// equals it wins over a parameter, without going back (`/vehicles/connect-sessions` is never a vehicle id).
    private static func routed(_ paths: [(path: [PathComponent], methods: [HTTPMethod])], _ segments: [String])
        -> [(path: [PathComponent], methods: [HTTPMethod])] {
        var candidates = paths
        for (index, segment) in segments.enumerated() {
            candidates = candidates.filter { $0.path.component(at: index) != nil }
            let constant = candidates.filter { $0.path.component(at: index) == .constant(segment) }
            candidates = constant.isEmpty ? candidates.filter { !$0.path.component(at: index)!.isConstant } : constant
        }
        return candidates.filter { matches($0.path, segments) }
    }

    private static func paths(_ routes: [Route]) -> [(path: [PathComponent], methods: [HTTPMethod])] {
        var byPath: [String: (path: [PathComponent], methods: [HTTPMethod])] = [:]
        for route in routes { byPath[route.path.string, default: (route.path, [])].methods.append(route.method) }
        return Array(byPath.values)
    }

    private static func matches(_ path: [PathComponent], _ segments: [String]) -> Bool {
        for (index, component) in path.enumerated() {
            switch component {
            case .catchall: return segments.count > index
            case .anything, .parameter: guard index < segments.count else { return false }
            case .constant(let value): guard index < segments.count, segments[index] == value else { return false }
            }
        }
        return path.count == segments.count
    }

    private struct Failing: Responder {
        let error: any Error
        func respond(to request: Request) -> EventLoopFuture<Response> { request.eventLoop.makeFailedFuture(error) }
    }
}

private extension PathComponent {
    var isConstant: Bool { if case .constant = self { true } else { false } }
}

private extension [PathComponent] {
    /// The component that takes the segment at `index` (a trailing catch-all takes every later one).
    func component(at index: Int) -> PathComponent? {
        index < count ? self[index] : last == .catchall ? .catchall : nil
    }
}
