import Foundation

/// A charging command followed until the vehicle or charger shows its effect (the Enode face's actions, enode.md §6.1): `PENDING` → `CONFIRMED`, or
/// `FAILED` (no effect within `timeout`), or `CANCELLED` (by the caller, or superseded by the opposite command).
public struct ChargeAction: Sendable, Equatable {
    public enum Kind: String, Sendable { case start = "START", stop = "STOP" }
    public enum TargetType: String, Sendable, CaseIterable { case vehicle, charger }
    public enum State: String, Sendable { case pending = "PENDING", confirmed = "CONFIRMED", failed = "FAILED", cancelled = "CANCELLED" }

    public var id: UUID
    public var applicationID: UUID
    public var userID: UUID
    public var targetType: TargetType
    public var targetID: UUID
    public var kind: Kind
    public var state: State
    public var failureType: String?
    public var failureDetail: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var completedAt: Date?

    public init(id: UUID, applicationID: UUID, userID: UUID, targetType: TargetType, targetID: UUID, kind: Kind, state: State, failureType: String? = nil,
                failureDetail: String? = nil, createdAt: Date, updatedAt: Date, completedAt: Date? = nil) {
        self.id = id
        self.applicationID = applicationID
        self.userID = userID
        self.targetType = targetType
        self.targetID = targetID
        self.kind = kind
        self.state = state
        self.failureType = failureType
        self.failureDetail = failureDetail
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.completedAt = completedAt
    }

    /// How long a command may take to show before its action fails.
    public static let timeout: Double = 600

    public mutating func end(_ state: State, failure: (String, String)? = nil, at time: Date) {
        self.state = state
        failureType = failure?.0
        failureDetail = failure?.1
        updatedAt = time
        completedAt = time
    }
}
