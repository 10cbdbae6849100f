/// A car brand owners can pick in Connect, identified by Smartcar's upper-case make (`TESLA`, `BMW`, …).
public struct Brand: Sendable, Codable, Equatable, Hashable {
    public var make: String
    public var displayName: String

    public init(make: String, displayName: String) {
        self.make = make
        self.displayName = displayName
    }
}

/// Identity of a vehicle as a brand account reports it.
public struct VehicleIdentity: Sendable, Codable, Equatable, Hashable {
    public var vin: String
    public var make: String
    public var model: String
    public var year: Int

    public init(vin: String, make: String, model: String, year: Int) {
        self.vin = vin
        self.make = make
        self.model = model
        self.year = year
    }
}

/// A signed-in brand account: a stable key and the vehicles it holds.
public struct BrandAccount: Sendable, Codable, Equatable {
    /// Stable identity of the account at the brand, e.g. `TESLA:owner@example.com`.
    public var key: String
    public var vehicles: [VehicleIdentity]

    public init(key: String, vehicles: [VehicleIdentity]) {
        self.key = key
        self.vehicles = vehicles
    }
}
