import Foundation
import Testing
@testable import CarportServer

@Suite struct ConfigurationTests {
    @Test func defaults() throws {
        let configuration = try CarportConfiguration.load(environment: [:])
        #expect(configuration.hostname == "127.0.0.1")
        #expect(configuration.port == 8000)
        #expect(configuration.publicURL == "http://127.0.0.1:8000")
        #expect(configuration.dataDirectory.lastPathComponent == ".carport")
        #expect(configuration.database == .sqlite(path: configuration.dataDirectory.appendingPathComponent("carport.sqlite").path))
    }

    @Test func flagsWinOverEnvironment() throws {
        let configuration = try CarportConfiguration.load(
            environment: ["CARPORT_HOST": "0.0.0.0", "CARPORT_PORT": "9000", "CARPORT_PUBLIC_URL": "https://cars.example.com/"],
            port: 9100)
        #expect(configuration.hostname == "0.0.0.0")
        #expect(configuration.port == 9100)
        #expect(configuration.publicURL == "https://cars.example.com")
    }

    @Test func postgresURLSelectsPostgres() throws {
        let url = "postgres://carport:pw@db.internal:5433/carport"
        let configuration = try CarportConfiguration.load(environment: ["DATABASE_URL": url])
        #expect(configuration.database == .postgres(url: url))
        #expect(configuration.database.redacted == "PostgreSQL at db.internal:5433/carport")
    }

    @Test(arguments: [
        ["DATABASE_URL": "mysql://x@y/z"],
        ["DATABASE_URL": "postgres://"],
        ["CARPORT_PORT": "70000"],
        ["CARPORT_LOG_LEVEL": "loud"],
        ["CARPORT_PUBLIC_URL": "ftp://x"],
        ["CARPORT_LEASE_SECONDS": "5"],
        ["CARPORT_LEASE_SECONDS": "a minute"],
        ["CARPORT_TESLA_CLIENT_ID": "id", "CARPORT_TESLA_CLIENT_SECRET": "secret", "CARPORT_TESLA_DOMAIN": "carport.example",
         "CARPORT_TESLA_WAKE_ON_READ": "yes"],
    ])
    func badSettingsAreStartupErrors(environment: [String: String]) {
        #expect(throws: StartupError.self) { try CarportConfiguration.load(environment: environment) }
    }
}
