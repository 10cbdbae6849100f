import Foundation

/// The outcome of reading several signals of one vehicle, each on its own.
public struct VehicleReadings: Sendable {
    public var results: [SignalKind: Result<SignalReading, CarportError>]

    public init(results: [SignalKind: Result<SignalReading, CarportError>]) { self.results = results }

    /// The reading, or its canonical error.
    public func reading(_ signal: SignalKind) throws(CarportError) -> SignalReading {
        guard let result = results[signal] else { throw CarportError.notCapable("reporting \(signal.rawValue)") }
        return try result.get()
    }
}

/// Finds the connector that serves a vehicle (by mode and brand).
public protocol ConnectorDirectory: Sendable {
    func connector(for vehicle: ConnectedVehicle) -> (any BrandConnector)?
    /// What a vehicle that is not connected yet could do, when a connector recognises its VIN.
    func capabilities(ofUnconnectedVIN vin: String, applicationID: UUID) async throws -> VehicleCapabilities?
}

/// One vehicle connected to an application by one of its users.
public struct VehicleConnection: Sendable, Equatable {
    public var vehicleID: UUID
    public var userID: UUID
    public var connectedAt: Date

    public init(vehicleID: UUID, userID: UUID, connectedAt: Date) {
        self.vehicleID = vehicleID
        self.userID = userID
        self.connectedAt = connectedAt
    }
}

/// Storage the vehicle API needs.
public protocol VehicleStore: Sendable {
    func vehicle(id: UUID, applicationID: UUID) async throws -> ConnectedVehicle?
    func vehicle(vin: String, applicationID: UUID) async throws -> ConnectedVehicle?
    /// The application's connections, optionally only of one vehicle and/or one user, oldest first.
    func connections(applicationID: UUID, vehicleID: UUID?, userID: UUID?) async throws -> [VehicleConnection]
    /// Removes these connections; their tokens stop working for those vehicles.
    func remove(_ connections: [VehicleConnection], applicationID: UUID) async throws
}

/// The vehicle API's rules, whatever the face: the grant decides which vehicles and permissions, budgets decide
/// how often, connectors decide what a car can do, and reads go through the freshness cache.
public struct VehicleService: Sendable {
    private let store: any VehicleStore
    private let connectors: any ConnectorDirectory
    private let cache: FreshnessCache
    private let budgets: RateBudgets
    private let tokenCache: GrantCache?
    private let maxAge: Double
    private let now: @Sendable () -> Date
    /// The change pass this service reads for, if any: reads are taken once per vehicle and shared.
    private let pass: ReadingPass?

    public init(store: any VehicleStore, connectors: any ConnectorDirectory, cache: FreshnessCache, budgets: RateBudgets,
                tokenCache: GrantCache? = nil, maxAge: Double, now: @escaping @Sendable () -> Date = Date.init,
                pass: ReadingPass? = nil) {
        self.pass = pass
        self.store = store
        self.connectors = connectors
        self.cache = cache
        self.budgets = budgets
        self.tokenCache = tokenCache
        self.maxAge = maxAge
        self.now = now
    }

    /// The granted vehicle; a vehicle outside the grant is reported exactly like one that does not exist.
    public func vehicle(_ id: UUID?, grant: Grant) async throws -> ConnectedVehicle {
        guard let id, grant.vehicleIDs.contains(id),
              let vehicle = try await store.vehicle(id: id, applicationID: grant.applicationID)
        else { throw CarportError.validation("Invalid vehicle id.", field: "vehicle_id") }
        return vehicle
    }

    /// Checks permission and budgets for a request about `vehicle` (static data included).
    public func authorize(_ permission: Permission, on vehicle: ConnectedVehicle, grant: Grant) throws(CarportError) {
        guard grant.permissions.contains(permission) else { throw CarportError.permission }
        try spendBudget(on: vehicle, grant: grant)
    }

    /// Takes one request from the application's and the vehicle's budgets (for faces that check their own scopes).
    public func spendBudget(on vehicle: ConnectedVehicle, grant: Grant) throws(CarportError) {
        try budgets.spend(applicationID: grant.applicationID, vehicleID: vehicle.id, now: now())
    }

    public func read(_ signal: SignalKind, of vehicle: ConnectedVehicle, grant: Grant, maxAge: Double? = nil) async throws -> SignalReading {
        try authorize(signal.permission, on: vehicle, grant: grant)
        return try await readAuthorized(signal, of: vehicle, maxAge: maxAge)
    }

    /// A read whose permission and budget were already checked (batch items share one check per item).
    public func readAuthorized(_ signal: SignalKind, of vehicle: ConnectedVehicle, maxAge: Double? = nil) async throws -> SignalReading {
        try await readAuthorized([signal], of: vehicle, maxAge: maxAge).reading(signal)
    }

    /// Several signals of one vehicle from one snapshot: a request that needs several signals asks for them together,
    /// so it costs at most one connector call whatever the cache holds. Each signal succeeds or fails on its own.
    /// Within a change pass, the first read of a vehicle takes every signal it reports, for the pass's other readers.
    public func readAuthorized(_ signals: Set<SignalKind>, of vehicle: ConnectedVehicle, maxAge: Double? = nil) async throws -> VehicleReadings {
        if let taken = pass?.readings(of: vehicle.id, covering: signals) { return taken }
        let connector = try await connector(for: vehicle)
        let capable = await connector.capabilities(of: vehicle).signals
        let signals = pass == nil ? signals : signals.union(capable)
        var results: [SignalKind: Result<SignalReading, CarportError>] = [:]
        for signal in signals.subtracting(capable) { results[signal] = .failure(CarportError.notCapable("reporting \(signal.rawValue)")) }
        let readable = signals.intersection(capable)
        if !readable.isEmpty {
            let allowed = min(maxAge ?? self.maxAge, connector.maxAge ?? .infinity)
            let fetched = await cache.readings(readable, warming: capable, of: vehicle.id, maxAge: allowed, now: now()) {
                (asked) async throws(ConnectorError) in try await connector.snapshot(asked, of: vehicle)
            }
            for (signal, result) in fetched { results[signal] = result.mapError(\.canonical) }
        }
        let readings = VehicleReadings(results: results)
        pass?.keep(readings, of: vehicle.id)
        return readings
    }

    public func perform(_ command: VehicleCommand, on vehicle: ConnectedVehicle, grant: Grant) async throws {
        try authorize(command.permission, on: vehicle, grant: grant)
        try await performForPlatform(command, on: vehicle)
    }

    /// A command the platform itself sends (smart charging), outside any application's grant and budgets; the
    /// brand's own limits still apply in its connector.
    public func performForPlatform(_ command: VehicleCommand, on vehicle: ConnectedVehicle) async throws {
        if case .setChargeLimit(let limit) = command, !(0.5...1).contains(limit) {
            throw CarportError.validation("limit must be between 0.5 and 1.", field: "limit")
        }
        let connector = try await connector(for: vehicle)
        guard await connector.capabilities(of: vehicle).commands.contains(command.kind) else {
            throw CarportError.notCapable("the \(command.kind.rawValue) command")
        }
        do {
            try await connector.perform(command, on: vehicle)
        } catch {
            throw error.canonical
        }
        cache.invalidate(command.affectedSignals, of: vehicle.id)
    }

    /// The application stops having access to the vehicle (every grant of the application drops it).
    public func disconnect(_ vehicle: ConnectedVehicle, grant: Grant) async throws {
        try await disconnect(applicationID: grant.applicationID, vehicleID: vehicle.id, userID: nil)
    }

    public func connections(applicationID: UUID, vehicleID: UUID?, userID: UUID?) async throws -> [VehicleConnection] {
        try await store.connections(applicationID: applicationID, vehicleID: vehicleID, userID: userID)
    }

    /// Removes the matching connections and returns them.
    @discardableResult
    public func disconnect(applicationID: UUID, vehicleID: UUID?, userID: UUID?) async throws -> [VehicleConnection] {
        let matching = try await store.connections(applicationID: applicationID, vehicleID: vehicleID, userID: userID)
        try await store.remove(matching, applicationID: applicationID)
        tokenCache?.removeAll()
        return matching
    }

    public func capabilities(of vehicle: ConnectedVehicle) async throws -> VehicleCapabilities {
        try await connector(for: vehicle).capabilities(of: vehicle)
    }

    /// Compatibility of a VIN for an application: its connected vehicle's capabilities, or what a connector
    /// knows of the VIN, or nil when no connector serves it.
    public func capabilities(vin: String, applicationID: UUID) async throws -> VehicleCapabilities? {
        if let vehicle = try await store.vehicle(vin: vin, applicationID: applicationID) {
            return try await capabilities(of: vehicle)
        }
        return try await connectors.capabilities(ofUnconnectedVIN: vin, applicationID: applicationID)
    }

    /// The vehicle's recorded charging per hour (no permission check: the caller decides who may see it).
    public func chargingHistory(of vehicle: ConnectedVehicle) async throws -> [ChargingHour] {
        do {
            return try await connector(for: vehicle).chargingHistory(of: vehicle)
        } catch let error as ConnectorError {
            throw error.canonical
        }
    }

    private func connector(for vehicle: ConnectedVehicle) async throws(CarportError) -> any BrandConnector {
        guard let connector = connectors.connector(for: vehicle) else {
            throw CarportError(.compatibility, "MAKE_NOT_COMPATIBLE", "No connector serves \(vehicle.identity.make) in \(vehicle.mode.rawValue) mode.")
        }
        return connector
    }
}
