import Foundation

/// An owner's authorization of an application: which vehicles, which permissions, in which mode.
public struct Grant: Sendable, Codable, Equatable {
    public var id: UUID
    public var applicationID: UUID
    public var userID: UUID
    public var vehicleIDs: [UUID]
    public var permissions: [Permission]
    public var mode: ApplicationMode
    /// The scope as the face that created the grant spells it (echoed in token responses).
    public var scope: String
    /// Whether refresh tokens are issued (always for Smartcar; with `offline_access` for Enode).
    public var issuesRefreshTokens: Bool
    public var createdAt: Date

    public init(
        id: UUID = UUID(), applicationID: UUID, userID: UUID, vehicleIDs: [UUID], permissions: [Permission],
        mode: ApplicationMode, scope: String, issuesRefreshTokens: Bool, createdAt: Date
    ) {
        self.id = id
        self.applicationID = applicationID
        self.userID = userID
        self.vehicleIDs = vehicleIDs
        self.permissions = permissions
        self.mode = mode
        self.scope = scope
        self.issuesRefreshTokens = issuesRefreshTokens
        self.createdAt = createdAt
    }
}
