import Foundation

/// A vehicle connected to one application (each application sees its own vehicle ids).
public struct ConnectedVehicle: Sendable, Equatable {
    public var id: UUID
    public var applicationID: UUID
    public var mode: ApplicationMode
    public var accountKey: String
    public var identity: VehicleIdentity

    public init(id: UUID, applicationID: UUID, mode: ApplicationMode, accountKey: String, identity: VehicleIdentity) {
        self.id = id
        self.applicationID = applicationID
        self.mode = mode
        self.accountKey = accountKey
        self.identity = identity
    }
}

/// Storage for what a finished Connect flow creates: the application's user and its vehicles.
public protocol ConnectionStore: Sendable {
    /// The id of the application's user with this external id, created if new.
    func userID(applicationID: UUID, externalID: String) async throws -> UUID
    /// The application's vehicles for these identities (matched by VIN and mode), created if new.
    func vehicles(
        applicationID: UUID, mode: ApplicationMode, accountKey: String, identities: [VehicleIdentity]
    ) async throws -> [ConnectedVehicle]
    func vehicle(id: UUID, applicationID: UUID) async throws -> ConnectedVehicle?
    /// The application's vehicle with this VIN in this mode, if connected.
    func vehicle(vin: String, mode: ApplicationMode, applicationID: UUID) async throws -> ConnectedVehicle?
}
