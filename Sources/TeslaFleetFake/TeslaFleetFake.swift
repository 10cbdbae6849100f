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

    /// Starts the fake in this process on `127.0.0.1:port` (tests); `stop()` it when done.
    public static func start(port: Int, configure change: (inout FakeOptions) -> Void = { _ in }) async throws -> Running {
        var options = FakeOptions(origin: "http://127.0.0.1:\(port)")
        change(&options)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try configure(app, options: options)
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        return Running(app: app)
    }

    /// A fake serving in this process.
    public struct Running: Sendable {
        let app: Application

        public func stop() async throws {
            await app.server.shutdown()
            try await app.asyncShutdown()
        }
    }
}
