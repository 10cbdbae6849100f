import Foundation
import Testing
import VaporTesting
@testable import CarportServer

@Suite struct OpsTests {
    @Test func healthReportsTheDatabase() async throws {
        try await TestCarport.withApp { app in
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["status"] as? String == "ok")
                #expect(body?["database"] as? String == "ok")
                #expect(body?["databaseKind"] as? String == (TestCarport.postgresAdminURL == nil ? "sqlite" : "postgres"))
            }
        }
    }

    @Test func healthIs503WhenTheDatabaseCannotBeReached() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try await LoopbackPort.free()
        let configuration = try CarportConfiguration.load(environment: [
            "CARPORT_DATA_DIR": directory.path, "CARPORT_LOG_LEVEL": "critical",
            "DATABASE_URL": "postgres://carport@127.0.0.1:\(port)/carport",
        ])
        let app = try await Application.make(.testing)
        do {
            try CarportServer.configure(app, configuration: configuration)
            try await app.testing().test(.GET, "health") { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["status"] as? String == "unavailable")
                #expect(body?["database"] as? String == "unreachable")
                #expect((body?["reason"] as? String)?.isEmpty == false)
            }
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test func livenessAnswersWithoutTheDatabaseAndResponsesCarryServerTiming() async throws {
        try await TestCarport.withApp { app in
            try await app.testing().test(.GET, "health/live") { response in
                #expect(response.status == .ok)
                #expect(response.body.string == #"{"status":"ok"}"#)
                let timing = try #require(response.headers.first(name: "Server-Timing"))
                #expect(timing.hasPrefix("app;dur="))
                #expect(Double(timing.dropFirst("app;dur=".count)) != nil)
            }
        }
        #expect(RequestLogMiddleware.milliseconds(1_234) == "1.234")
        #expect(RequestLogMiddleware.milliseconds(7) == "0.007")
    }

    @Test func everyResponseCarriesARequestIdAndEchoesTheCallers() async throws {
        try await TestCarport.withApp { app in
            try await app.testing().test(.GET, "health", headers: ["X-Request-Id": "abc-123"]) { response in
                #expect(response.headers.first(name: "X-Request-Id") == "abc-123")
            }
            try await app.testing().test(.GET, "no/such/route") { response in
                #expect(response.status == .notFound)
                #expect(response.headers.first(name: "X-Request-Id")?.isEmpty == false)
            }
        }
    }

    @Test func metricsAreValidPrometheusTextWithRequestCountsAndLatencyByRouteAndStatus() async throws {
        try await TestCarport.withApp { app in
            try await app.testing().test(.GET, "health") { _ in }
            try await app.testing().test(.GET, "metrics") { response in
                #expect(response.status == .ok)
                #expect(response.headers.first(name: .contentType)?.hasPrefix("text/plain; version=0.0.4") == true)
                let exposition = try PrometheusExposition(parsing: response.body.string)
                #expect(exposition.type(of: "http_requests_total") == "counter")
                #expect(exposition.type(of: "http_request_duration_seconds") == "histogram")
                let health = ["method": "GET", "path": "/health", "status": "200"]
                #expect((exposition.value("http_requests_total", labels: health) ?? 0) >= 1)
                #expect((exposition.value("http_request_duration_seconds_count", labels: health) ?? 0) >= 1)
                #expect(exposition.value("http_request_duration_seconds_bucket", labels: health.merging(["le": "+Inf"]) { $1 }) != nil)
            }
        }
    }
}
