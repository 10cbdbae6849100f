import ArgumentParser
import CarportServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default command).")

    @Option(help: "Address to listen on (env CARPORT_HOST, default 127.0.0.1).") var hostname: String?
    @Option(help: "Port to listen on (env CARPORT_PORT, default 8000).") var port: Int?

    func run() async throws {
        try await exitOnStartupError { () async throws(StartupError) in
            let configuration = try CarportConfiguration.load(hostname: hostname, port: port)
            bootstrapLogging(level: configuration.logLevel, toStandardError: false)
            try await CarportServer.serve(configuration: configuration)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the database migrations and exit.")

    func run() async throws {
        try await exitOnStartupError { () async throws(StartupError) in
            let configuration = try CarportConfiguration.load()
            bootstrapLogging(level: .warning)
            try await CarportServer.migrate(configuration: configuration)
            print("Migrations are up to date (\(configuration.database.redacted)).")
        }
    }
}
