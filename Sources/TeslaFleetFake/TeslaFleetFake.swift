import Foundation
import Vapor

/// A faithful local stand-in for Tesla's cloud (tesla.md §13): SSO, regional Fleet API, the signing proxy and
/// virtual-key pairing, with rate limits and switchable faults. Serves one origin on loopback.
public enum TeslaFleetFake {
    /// Registers the fake's routes on `app`.
    public static func configure(_ app: Application, options: FakeOptions, owners: [FakeOwner] = FakeOwner.fixtures) throws {
        let cloud = FakeCloud(options: options, owners: owners)
        try app.register(collection: FakeAuthRoutes(cloud: cloud))
        try app.register(collection: FakeFleetRoutes(cloud: cloud))
        try app.register(collection: FakeAdminRoutes(cloud: cloud))
    }

    /// Starts the fake in this process on `127.0.0.1:port` (tests); shut the returned application down when done.
    public static func start(port: Int, configure change: (inout FakeOptions) -> Void = { _ in }) async throws -> Application {
        var options = FakeOptions(origin: "http://127.0.0.1:\(port)")
        change(&options)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        try configure(app, options: options)
        try await app.startup()
        return app
    }
}
