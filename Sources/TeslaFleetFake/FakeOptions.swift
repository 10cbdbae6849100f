import Foundation

/// How a fake Tesla cloud behaves; the defaults are Tesla's published numbers.
public struct FakeOptions: Sendable {
    /// The fake's own origin, e.g. `http://127.0.0.1:9100`; regional API bases are `<origin>/fleet/<region>`.
    public var origin: String
    public var clientID = "carport-fleet-client"
    public var clientSecret = "carport-fleet-secret"
    /// Redirect URIs registered for `clientID` (Tesla's own `/void/callback` is always accepted too).
    public var redirectURIs: [String] = []
    public var regions = ["na", "eu"]
    public var accessTokenSeconds = 8 * 3600
    /// Seconds a woken car takes to come online.
    public var wakeSeconds = 2.0
    /// Idle seconds before an online car falls asleep (0: never on its own).
    public var sleepAfterSeconds = 0.0
    public var dataPerMinute = 60
    public var commandsPerMinute = 30
    public var wakesPerMinute = 3
    /// How long a request injected with a `timeout` fault hangs before answering 504.
    public var faultTimeoutSeconds = 15.0
    /// Where registration fetches a partner domain's key: `{domain}` is replaced, then
    /// `/.well-known/appspecific/com.tesla.3p.public-key.pem` appended. Default: the fake's own hosting hook
    /// (`PUT <origin>/_fake/domains/<domain>/public-key`); `https://{domain}` is what Tesla does.
    public var partnerKeyOrigin: String?

    public init(origin: String) { self.origin = origin }

    public func baseURL(region: String) -> String { "\(origin)/fleet/\(region)" }

    /// The URL of a partner domain's public key.
    public func partnerKeyURL(domain: String) -> String {
        (partnerKeyOrigin ?? "\(origin)/_fake/domains/{domain}").replacingOccurrences(of: "{domain}", with: domain)
            + "/.well-known/appspecific/com.tesla.3p.public-key.pem"
    }
    public var authIssuer: String { "\(origin)/oauth2/v3" }
    public static let voidCallback = "https://auth.tesla.com/void/callback"
}

/// A fixture owner: credentials, home region and cars.
public struct FakeOwner: Sendable, Codable {
    public var email: String
    public var password: String
    public var region: String
    public var vehicles: [FakeOwnerVehicle]

    public init(email: String, password: String, region: String, vehicles: [FakeOwnerVehicle]) {
        self.email = email
        self.password = password
        self.region = region
        self.vehicles = vehicles
    }

    /// The owners a fresh fake starts with.
    public static let fixtures = [
        FakeOwner(email: "owner@example.com", password: "tesla-password", region: "na", vehicles: [
            FakeOwnerVehicle(vin: "5YJ3E1EA5NF000001", model: "Model 3", year: 2022),
            FakeOwnerVehicle(vin: "5YJSA1E26KF000002", model: "Model S", year: 2019),
        ]),
        FakeOwner(email: "eu-owner@example.com", password: "tesla-password", region: "eu", vehicles: [
            FakeOwnerVehicle(vin: "LRWYGCEK1PC000003", model: "Model Y", year: 2023),
        ]),
    ]
}

public struct FakeOwnerVehicle: Sendable, Codable {
    public var vin: String
    public var model: String
    public var year: Int
    public init(vin: String, model: String, year: Int) { self.vin = vin; self.model = model; self.year = year }
}
