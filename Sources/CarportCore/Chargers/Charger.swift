import Foundation

/// A home charger connected to one of a user's charging locations.
public struct Charger: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var chargingLocationID: UUID
    public var brand: String
    public var model: String
    /// The charger's serial number at its brand (unique per user).
    public var serial: String
    public var createdAt: Date
    /// The last START (true) or STOP (false) the application sent; nil: the charger follows the car.
    public var commandedCharging: Bool?

    public init(id: UUID = UUID(), userID: UUID, chargingLocationID: UUID, brand: String, model: String, serial: String,
                createdAt: Date, commandedCharging: Bool? = nil) {
        self.id = id
        self.userID = userID
        self.chargingLocationID = chargingLocationID
        self.brand = brand
        self.model = model
        self.serial = serial
        self.createdAt = createdAt
        self.commandedCharging = commandedCharging
    }
}

/// What a charger reports: whether a car charges through it and at what power.
public struct ChargerState: Sendable, Equatable {
    public enum Status: String, Sendable {
        case charging, stopped, complete, disconnected
    }

    public var status: Status
    public var powerKW: Double?
    public var recordedAt: Date

    public init(status: Status, powerKW: Double?, recordedAt: Date) {
        self.status = status
        self.powerKW = powerKW
        self.recordedAt = recordedAt
    }
}

/// Storage of connected chargers.
public protocol ChargerStore: Sendable {
    func chargers(userID: UUID) async throws -> [Charger]
    func charger(id: UUID, userID: UUID) async throws -> Charger?
    /// Adds the charger, or moves the user's charger with the same brand and serial to its location; returns it.
    func save(_ charger: Charger) async throws -> Charger
    /// Returns false when the user has no charger with this id.
    func delete(id: UUID, userID: UUID) async throws -> Bool
    /// Records a START (true) or STOP (false) sent to the charger.
    func setCommandedCharging(_ charging: Bool?, id: UUID, userID: UUID) async throws
}
