import CarportConnectors
import CarportCore
import Foundation
import Logging

/// Everything Carport needs to start, read from the environment and command-line flags.
public struct CarportConfiguration: Sendable {
    public var hostname: String
    public var port: Int
    /// Base URL used when the server builds absolute URLs (Connect links, issuer).
    public var publicURL: String
    public var dataDirectory: URL
    public var database: DatabaseLocation
    public var logLevel: Logger.Level
    /// Base64 of a 32-byte key; when nil the key lives in `encryption.key` in the data directory.
    public var encryptionKey: String?
    /// Default max age of cached vehicle readings, seconds.
    public var maxAge: Double
    public var applicationRateLimit: RateLimit
    public var vehicleRateLimit: RateLimit
    /// The operator's Tesla Fleet API application (live mode), when configured.
    public var tesla: TeslaConfiguration?
    /// Back-off of failing webhook deliveries (`CARPORT_WEBHOOK_RETRY`: first delay in seconds).
    public var webhookRetry: WebhookRetryPolicy
    /// Seconds between scans for vehicle changes that become webhook events (`CARPORT_WEBHOOK_SCAN`).
    public var webhookScanInterval: Double
    /// Whether webhooks may go to private-network addresses (`CARPORT_WEBHOOK_PRIVATE_NETWORKS=1`).
    public var webhookPrivateNetworks: Bool
    /// Energy prices per hour of day (UTC) for smart charging and statistics (`CARPORT_TARIFF`).
    public var tariff: Tariff
    /// Seconds a node holds claimed background work (a webhook endpoint's delivery; a change scan holds twice as
    /// long): the longest a dead node's work waits before another node takes it over (`CARPORT_LEASE_SECONDS`).
    public var leaseSeconds: Double

    public static let defaultHostname = "127.0.0.1"
    public static let defaultPort = 8000

    /// Reads `CARPORT_HOST`, `CARPORT_PORT`, `CARPORT_PUBLIC_URL`, `CARPORT_DATA_DIR`, `DATABASE_URL`,
    /// `CARPORT_LOG_LEVEL`, `CARPORT_ENCRYPTION_KEY`, `CARPORT_WEBHOOK_*`, `CARPORT_LEASE_SECONDS`, `CARPORT_TARIFF*` and `CARPORT_TESLA_*`; flags win over the environment.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        hostname: String? = nil,
        port: Int? = nil
    ) throws(StartupError) -> CarportConfiguration {
        let hostname = hostname ?? environment["CARPORT_HOST"] ?? defaultHostname
        let resolvedPort: Int
        if let port {
            resolvedPort = port
        } else if let text = environment["CARPORT_PORT"] {
            guard let value = Int(text) else { throw StartupError("CARPORT_PORT is not a number: \(text)") }
            resolvedPort = value
        } else {
            resolvedPort = defaultPort
        }
        guard (0...65535).contains(resolvedPort) else {
            throw StartupError("port \(resolvedPort) is out of range (0-65535)")
        }
        let dataDirectory = URL(
            fileURLWithPath: environment["CARPORT_DATA_DIR"] ?? ".carport",
            relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        ).standardizedFileURL
        let levelText = environment["CARPORT_LOG_LEVEL"] ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelText.lowercased()) else {
            throw StartupError("CARPORT_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
        }
        var publicURL = environment["CARPORT_PUBLIC_URL"] ?? "http://\(hostname):\(resolvedPort)"
        while publicURL.hasSuffix("/") { publicURL.removeLast() }
        guard let components = URLComponents(string: publicURL), ["http", "https"].contains(components.scheme ?? "")
        else { throw StartupError("CARPORT_PUBLIC_URL must be an http:// or https:// URL: \(publicURL)") }
        let maxAgeText = environment["CARPORT_MAX_AGE"] ?? "60"
        guard let maxAge = Double(maxAgeText), maxAge >= 0 else {
            throw StartupError("CARPORT_MAX_AGE must be a number of seconds: \(maxAgeText)")
        }
        let retryText = environment["CARPORT_WEBHOOK_RETRY"] ?? "10"
        guard let retryBase = Double(retryText), retryBase > 0 else {
            throw StartupError("CARPORT_WEBHOOK_RETRY must be a positive number of seconds: \(retryText)")
        }
        let scanText = environment["CARPORT_WEBHOOK_SCAN"] ?? "30"
        guard let scanInterval = Double(scanText), scanInterval > 0 else {
            throw StartupError("CARPORT_WEBHOOK_SCAN must be a positive number of seconds: \(scanText)")
        }
        let leaseText = environment["CARPORT_LEASE_SECONDS"] ?? "60"
        guard let leaseSeconds = Double(leaseText), leaseSeconds >= 10 else {
            throw StartupError("CARPORT_LEASE_SECONDS must be a number of seconds, at least 10 (twice a delivery's timeout): \(leaseText)")
        }
        let tariff: Tariff
        do throws(Tariff.ParseError) {
            tariff = try Tariff.parse(environment["CARPORT_TARIFF"], currency: environment["CARPORT_TARIFF_CURRENCY"])
        } catch {
            throw StartupError("CARPORT_TARIFF: \(error.description)")
        }
        let applicationRate = try rateLimit(environment, "CARPORT_RATE_APP", default: "1000/s,2000")
        let vehicleRate = try rateLimit(environment, "CARPORT_RATE_VEHICLE", default: "10/s,30")
        return CarportConfiguration(
            hostname: hostname,
            port: resolvedPort,
            publicURL: publicURL,
            dataDirectory: dataDirectory,
            database: try DatabaseLocation.parse(databaseURL: environment["DATABASE_URL"], dataDirectory: dataDirectory),
            logLevel: logLevel,
            encryptionKey: environment["CARPORT_ENCRYPTION_KEY"],
            maxAge: maxAge,
            applicationRateLimit: applicationRate,
            vehicleRateLimit: vehicleRate,
            tesla: try TeslaEnvironment.load(environment, publicURL: publicURL),
            webhookRetry: WebhookRetryPolicy(base: retryBase),
            webhookScanInterval: scanInterval,
            webhookPrivateNetworks: environment["CARPORT_WEBHOOK_PRIVATE_NETWORKS"] == "1",
            tariff: tariff,
            leaseSeconds: leaseSeconds)
    }

    private static func rateLimit(_ environment: [String: String], _ name: String, default text: String) throws(StartupError) -> RateLimit {
        let value = environment[name] ?? text
        guard let limit = RateLimit(value) else {
            throw StartupError("\(name) must look like 10/s or 10/s,30 (rate per second, burst): \(value)")
        }
        return limit
    }
}
