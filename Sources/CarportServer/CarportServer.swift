import CarportConnectors
import CarportCore
import Fluent
import Foundation
import Logging
import Vapor

/// Builds and runs the Carport server.
public enum CarportServer {
    /// A configured application with its database migrated, ready to serve or to be tested.
    /// The caller owns it and must call `asyncShutdown()`.
    public static func makeApplication(configuration: CarportConfiguration) async throws(StartupError) -> Application {
        let app: Application
        do {
            app = try await Application.make(Environment(name: "production", arguments: ["carport"]))
        } catch {
            throw StartupError("cannot create the server: \(error)")
        }
        do throws(StartupError) {
            try configure(app, configuration: configuration)
            try await DatabaseSetup.checkReachable(configuration.database, on: app)
            do {
                try await DatabaseSetup.tune(configuration.database, on: app)
                try await MigrationLock.holding(configuration.database, logger: app.logger) { try await migrateQuietly(app) }
            } catch {
                throw StartupError("cannot migrate the database (\(configuration.database.redacted)): \(error)")
            }
            return app
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Runs the migrations without their progress lines unless the log level is debug or trace; a failure is still
    /// thrown (and reported).
    private static func migrateQuietly(_ app: Application) async throws {
        let level = app.logger.logLevel
        if level > .debug { app.logger.logLevel = .warning }
        defer { app.logger.logLevel = level }
        try await app.autoMigrate()
    }

    /// Data directory, encryption key, database, middleware and routes; touches no database.
    static func configure(_ app: Application, configuration: CarportConfiguration) throws(StartupError) {
        try DataDirectory.prepare(configuration.dataDirectory)
        let secretBox = try DataDirectory.secretBox(configuration: configuration)
        var logger = Logger(label: "carport")
        logger.logLevel = configuration.logLevel
        app.logger = logger
        let meter = UpstreamMeter()
        let tesla = configuration.tesla.map {
            TeslaFleetClient(configuration: $0, store: FluentTeslaCredentialStore(
                resolveDatabase: { [unowned app] in app.db }, box: secretBox), meter: meter)
        }
        app.carport = CarportServices(configuration: configuration, secretBox: secretBox, tesla: tesla, upstreamMeter: meter,
                                      database: { [unowned app] in app.db },
                                      databaseIfOpen: { [weak app, logger] in
                                          app.flatMap { $0.databases.database(logger: logger, on: $0.eventLoopGroup.any()) }
                                      }, logger: logger)
        app.http.server.configuration.hostname = configuration.hostname
        app.http.server.configuration.port = configuration.port
        try DatabaseSetup.register(configuration.database, on: app)
        app.migrations.add(CarportMigrations.all)
        installMiddleware(on: app)
        do { try Routes.register(on: app) } catch { throw StartupError("cannot register routes: \(error)") }
        _ = CarportMetrics.registry
    }

    /// Runs the server until SIGINT or SIGTERM. Prints the demo application on first start.
    public static func serve(configuration: CarportConfiguration) async throws(StartupError) {
        let app = try await makeApplication(configuration: configuration)
        do throws(StartupError) {
            let demo = try await DemoApplication.createIfFirstStart(app: app)
            do {
                try await app.server.start(address: .hostname(configuration.hostname, port: configuration.port))
            } catch {
                throw StartupError(
                    "cannot listen on \(configuration.hostname):\(configuration.port): \(listenReason(error))")
            }
            // Straight to the file descriptor: `print` is block-buffered into a pipe, a journal or a container log,
            // and these lines would appear only when the process exits.
            var banner = "Carport \(CarportVersion.current) listening on http://\(configuration.hostname):\(configuration.port)"
                + " (public URL \(configuration.publicURL), \(configuration.database.redacted))\n"
            if let demo { banner += demo + "\n" }
            FileHandle.standardOutput.write(Data(banner.utf8))
            let webhooks = Task { await WebhookWorker(app: app).run() }
            let peers = Task { await app.carport.listenToPeers() }
            let ocppCalls = Task { await OCPPCallRelay(app: app).run() }
            let smartCharging = Task { await SmartChargingWorker(app: app).run() }
            await TerminationSignal.wait()
            webhooks.cancel()
            smartCharging.cancel()
            peers.cancel()
            ocppCalls.cancel()
            await webhooks.value  // a delivery under way finishes (at most its 5 s timeout) before the database closes
            await peers.value
            await ocppCalls.value
            await smartCharging.value
            await app.server.shutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try? await app.asyncShutdown()
    }

    /// Runs the migrations and stops.
    public static func migrate(configuration: CarportConfiguration) async throws(StartupError) {
        let app = try await makeApplication(configuration: configuration)
        try? await app.asyncShutdown()
    }

    private static func installMiddleware(on app: Application) {
        app.middleware = Middlewares()
        app.middleware.use(RequestIDMiddleware())
        app.middleware.use(RequestLogMiddleware())
        app.middleware.use(ErrorMiddleware.default(environment: app.environment))
        app.middleware.use(UnmatchedRouteMiddleware())
    }

    private static func listenReason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("errno: 98") { return "address already in use" }
        if text.contains("Permission denied") || text.contains("errno: 13") { return "permission denied" }
        if text.contains("Cannot assign requested address") { return "address not available on this machine" }
        return text
    }
}

extension CarportServer {
    /// Runs `body` with the application registry of the configured database (for the `apps` commands).
    /// Start-up problems surface as `StartupError`; errors of `body` pass through.
    public static func withApplicationRegistry<T: Sendable>(
        configuration: CarportConfiguration,
        _ body: (ApplicationRegistry) async throws -> T
    ) async throws -> T {
        try await withApplication(configuration: configuration) { app in try await body(app.applicationRegistry) }
    }

    /// Runs `body` with a migrated application that is shut down afterwards, whatever happens (the one-shot commands).
    static func withApplication<T: Sendable>(configuration: CarportConfiguration, _ body: (Application) async throws -> T) async throws -> T {
        let app = try await makeApplication(configuration: configuration)
        do {
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Runs `body` with the simulator and the application it acts for (for the `sim` commands): the application
    /// named by `clientID`, or the only one there is.
    public static func withSimulator<T: Sendable>(
        configuration: CarportConfiguration, clientID: String?,
        _ body: (SimulatorService, RegisteredApplication) async throws -> T
    ) async throws -> T {
        try await withApplication(configuration: configuration) { app in
            let registry = app.applicationRegistry
            let application: RegisteredApplication
            if let clientID {
                guard let found = try await registry.find(clientID: clientID) else {
                    throw ApplicationRegistry.Failure.unknownApplication(clientID)
                }
                application = found
            } else {
                let all = try await registry.list()
                guard all.count == 1 else {
                    throw SimulatorService.Failure.invalid(all.isEmpty
                        ? "no application exists yet: start the server once or run carport apps create"
                        : "there are \(all.count) applications: choose one with --app CLIENT_ID")
                }
                application = all[0]
            }
            let simulator = SimulatorService(store: FluentSimulatedCarStore(database: app.db), locks: KeyedLocks())
            return try await body(simulator, application)
        }
    }
}
