import CarportServer
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor

/// A fresh Carport per test: its own data directory and its own database — an SQLite file by default, or a new
/// PostgreSQL database when `CARPORT_TEST_DATABASE_URL` names a server (the test script sets it).
enum TestCarport {
    static var postgresAdminURL: String? { ProcessInfo.processInfo.environment["CARPORT_TEST_DATABASE_URL"] }

    static func withApp(
        environment extra: [String: String] = [:],
        _ body: (Application) async throws -> Void
    ) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = try await testEnvironment(dataDirectory: directory)
        environment.merge(extra) { _, new in new }
        let configuration = try CarportConfiguration.load(environment: environment)
        let app = try await CarportServer.makeApplication(configuration: configuration)
        do {
            try await body(app)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Hands `body` a function that starts a Carport on one data directory and database; shut one down before
    /// starting the next to see what survives a restart.
    static func withRestarts(_ body: (_ start: () async throws -> Application) async throws -> Void) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try CarportConfiguration.load(environment: try await testEnvironment(dataDirectory: directory))
        try await body { try await CarportServer.makeApplication(configuration: configuration) }
    }

    /// Environment for a Carport process or app with a fresh data directory and database.
    static func testEnvironment(dataDirectory: URL) async throws -> [String: String] {
        var environment = ["CARPORT_DATA_DIR": dataDirectory.path, "CARPORT_LOG_LEVEL": "warning"]
        if let admin = postgresAdminURL { environment["DATABASE_URL"] = try await createPostgresDatabase(adminURL: admin) }
        return environment
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("carport-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Creates an empty database on the test server and returns its URL.
    static func createPostgresDatabase(adminURL: String) async throws -> String {
        let name = "carport_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        let admin = try await Application.make(.testing)
        admin.logger.logLevel = .warning
        admin.databases.use(try .postgres(url: adminURL), as: .psql)
        do {
            try await (admin.db as! any SQLDatabase).raw("CREATE DATABASE \(ident: name)").run()
        } catch {
            try await admin.asyncShutdown()
            throw error
        }
        try await admin.asyncShutdown()
        guard var components = URLComponents(string: adminURL) else { throw TestSetupError("bad admin URL") }
        components.path = "/\(name)"
        return try #require(components.string)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
