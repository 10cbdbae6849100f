import Foundation

/// A place where a user charges (home, work), as Enode's and Jedlix's charging locations.
public struct ChargingLocation: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var name: String
    public var latitude: Double
    public var longitude: Double
    public var address: PostalAddress?
    /// The energy contract the owner connected for this place.
    public var energyContract: EnergyContract?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, userID: UUID, name: String, latitude: Double, longitude: Double, address: PostalAddress? = nil,
                energyContract: EnergyContract? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.userID = userID
        self.name = name
        self.latitude = latitude
        self.longitude = longitude
        self.address = address
        self.energyContract = energyContract
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension ChargingLocation {
    /// How near a car must be to count as at the location.
    public static let radiusMeters = 150.0

    /// Great-circle distance to a point (haversine).
    public func metres(to point: Location) -> Double {
        let radians = Double.pi / 180
        let dLat = (latitude - point.latitude) * radians, dLon = (longitude - point.longitude) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(point.latitude * radians) * cos(latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 6_371_000 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }

    /// The nearest of `locations` within `radiusMeters` of a point.
    public static func nearest(_ locations: [ChargingLocation], to point: Location) -> ChargingLocation? {
        locations.map { ($0, $0.metres(to: point)) }.filter { $0.1 <= radiusMeters }.min { $0.1 < $1.1 }?.0
    }
}

/// A postal address; every part is optional (countries differ).
public struct PostalAddress: Sendable, Codable, Equatable {
    public var street, houseNumber, postalCode, city, region, country, area: String?

    public init(street: String? = nil, houseNumber: String? = nil, postalCode: String? = nil, city: String? = nil,
                region: String? = nil, country: String? = nil, area: String? = nil) {
        self.street = street
        self.houseNumber = houseNumber
        self.postalCode = postalCode
        self.city = city
        self.region = region
        self.country = country
        self.area = area
    }
}

/// An energy supply contract at a charging location.
public struct EnergyContract: Sendable, Codable, Equatable {
    public var supplierID: String
    public var supplierName: String
    public var contractNumber: String
    public var meterCode: String?

    public init(supplierID: String, supplierName: String, contractNumber: String, meterCode: String?) {
        self.supplierID = supplierID
        self.supplierName = supplierName
        self.contractNumber = contractNumber
        self.meterCode = meterCode
    }
}

/// Storage of charging locations.
public protocol ChargingLocationStore: Sendable {
    func locations(userID: UUID) async throws -> [ChargingLocation]
    func location(id: UUID, userID: UUID) async throws -> ChargingLocation?
    func save(_ location: ChargingLocation) async throws
    /// Returns false when the user has no location with this id.
    func delete(id: UUID, userID: UUID) async throws -> Bool
}

/// A user's charging locations, with validation; another user's location is reported as missing.
public struct ChargingLocationService: Sendable {
    private let store: any ChargingLocationStore
    private let now: @Sendable () -> Date

    public init(store: any ChargingLocationStore, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
    }

    public func list(userID: UUID) async throws -> [ChargingLocation] { try await store.locations(userID: userID) }

    public func get(_ id: UUID?, userID: UUID) async throws -> ChargingLocation {
        guard let id, let location = try await store.location(id: id, userID: userID) else { throw Self.notFound }
        return location
    }

    public func exists(_ id: UUID?, userID: UUID) async throws -> Bool {
        guard let id else { return false }
        return try await store.location(id: id, userID: userID) != nil
    }

    public func create(
        userID: UUID, name: String?, latitude: Double?, longitude: Double?, address: PostalAddress? = nil
    ) async throws -> ChargingLocation {
        let location = ChargingLocation(id: UUID(), userID: userID, name: try Self.name(name),
                                        latitude: try Self.latitude(latitude), longitude: try Self.longitude(longitude),
                                        address: address, createdAt: now(), updatedAt: now())
        try await store.save(location)
        return location
    }

    /// Records the energy contract the owner connected at the location.
    public func setEnergyContract(_ contract: EnergyContract, locationID: UUID?, userID: UUID) async throws {
        var location = try await get(locationID, userID: userID)
        location.energyContract = contract
        location.updatedAt = now()
        try await store.save(location)
    }

    public func replace(_ id: UUID?, userID: UUID, name: String?, latitude: Double?, longitude: Double?) async throws -> ChargingLocation {
        var location = try await get(id, userID: userID)
        location.name = try Self.name(name)
        location.latitude = try Self.latitude(latitude)
        location.longitude = try Self.longitude(longitude)
        location.updatedAt = now()
        try await store.save(location)
        return location
    }

    public func delete(_ id: UUID?, userID: UUID) async throws {
        guard let id, try await store.delete(id: id, userID: userID) else { throw Self.notFound }
    }

    static let notFound = CarportError(.resourceNotFound, nil, "Charging location not found.")

    private static func name(_ name: String?) throws -> String {
        // Counted in code points, as JSON Schema's maxLength counts them (the OpenAPI documents say so).
        // At least one character that is neither a space nor a control character: validators disagree on which
        // controls count as spaces, so neither may stand alone (the OpenAPI document's pattern says the same).
        guard let raw = name, raw.unicodeScalars.count <= 200,
              raw.unicodeScalars.contains(where: { !$0.properties.isWhitespace && $0.properties.generalCategory != .control }),
              case let name = raw.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw CarportError.validation("must be a non-empty string of at most 200 characters", field: "name")
        }
        return name
    }

    private static func latitude(_ value: Double?) throws -> Double {
        guard let value, (-90...90).contains(value) else { throw CarportError.validation("must be a number from -90 to 90", field: "latitude") }
        return value
    }

    private static func longitude(_ value: Double?) throws -> Double {
        guard let value, (-180...180).contains(value) else {
            throw CarportError.validation("must be a number from -180 to 180", field: "longitude")
        }
        return value
    }
}
