import Fluent
import SQLKit
import Vapor

/// `/health` and `/metrics`.
struct OpsController: RouteCollection {
    struct Health: Content {
        var status: String
        var database: String
        var databaseKind: String
        var version: String
        var reason: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
        routes.get("health", "live", use: live)
        routes.get("metrics", use: metrics)
    }

    @Sendable func health(request: Request) async throws -> Response {
        let kind = request.carport.configuration.database.kind
        var health = Health(status: "ok", database: "ok", databaseKind: kind, version: CarportVersion.current)
        var status = HTTPStatus.ok
        do {
            try await DatabaseProbe.check(request.db)
        } catch {
            health.status = "unavailable"
            health.database = "unreachable"
            health.reason = String(describing: error)
            status = .serviceUnavailable
        }
        let response = try await health.encodeResponse(status: status, for: request)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Liveness: the process answers; touches nothing (also the benchmark's trivial route).
    @Sendable func live(request: Request) -> Response {
        let response = Response(status: .ok, body: .init(staticString: #"{"status":"ok"}"#))
        response.headers.contentType = .json
        return response
    }

    @Sendable func metrics(request: Request) async throws -> Response {
        let headers: HTTPHeaders = ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"]
        let fetches = request.carport.freshnessCache.fetches
        var text = CarportMetrics.registry.emitToString()
            + "# TYPE carport_connector_fetches_total counter\ncarport_connector_fetches_total \(fetches)\n"
            + "# HELP carport_upstream_requests_total Requests to brands' clouds by brand, category (data, command, wake, state, account) and HTTP status (0: no answer).\n"
            + "# TYPE carport_upstream_requests_total counter\n"
        for (key, count) in request.carport.upstreamMeter.counts.sorted(by: { $0.key < $1.key }) {
            text += "carport_upstream_requests_total{brand=\"\(key.brand)\",category=\"\(key.category.rawValue)\",status=\"\(key.status)\"} \(count)\n"
        }
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}

/// A cheap round trip to the database.
enum DatabaseProbe {
    static func check(_ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("SELECT 1").run()
    }
}

enum CarportVersion {
    static let current = "0.1.0"
}
