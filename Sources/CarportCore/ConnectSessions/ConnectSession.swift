import Foundation

/// A connect session of an application that embeds Connect in a web view (the Jedlix SDK): the server hands out
/// one step at a time — a page of its own, or the brand's sign-in whose redirect the application reports back —
/// until a vehicle (or charger, or energy contract) is connected.
public struct ConnectSession: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case vehicle, selectedVehicle, charger, energySupplier
    }

    public enum Step: Sendable, Codable, Equatable {
        /// A Carport page; `key` makes the step's start URL unique and admits the web view to it.
        case hosted(key: String)
        /// The brand's own sign-in at `url`; the web view's navigation to `callback` is reported back (`info`).
        case external(url: String, callback: String)
        case finished
    }

    public var id: UUID
    public var applicationID: UUID
    public var userID: UUID
    public var kind: Kind
    public var chargingLocationID: UUID?
    public var vehicleID: UUID?
    public var chargerID: UUID?
    /// The Connect flow behind vehicle sessions.
    public var flowID: UUID?
    public var step: Step
    /// Digest of the cookie of the web view that entered the current step (charger and supplier pages).
    public var browserDigest: String?
    /// The charger account the owner signed in to on the charger page.
    public var chargerAccount: String?
    public var createdAt: Date
    public var updatedAt: Date

    public var isFinished: Bool { step == .finished }

    public var stepKey: String? {
        if case .hosted(let key) = step { return key }
        return nil
    }

    public init(id: UUID = UUID(), applicationID: UUID, userID: UUID, kind: Kind, step: Step, now: Date) {
        self.id = id
        self.applicationID = applicationID
        self.userID = userID
        self.kind = kind
        self.step = step
        createdAt = now
        updatedAt = now
    }
}

/// Storage of connect sessions (each belongs to one user of one application).
public protocol ConnectSessionStore: Sendable {
    func insert(_ session: ConnectSession) async throws
    func update(_ session: ConnectSession) async throws
    func session(id: UUID, userID: UUID) async throws -> ConnectSession?
    /// A session by id alone, for the web view entering a step (its key is checked by the caller).
    func session(id: UUID) async throws -> ConnectSession?
    /// The user's sessions of these kinds that have not finished, oldest first.
    func unfinished(userID: UUID, kinds: [ConnectSession.Kind]) async throws -> [ConnectSession]
}
