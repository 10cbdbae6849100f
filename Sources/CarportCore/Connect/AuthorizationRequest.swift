import Foundation

/// A validated request to connect vehicles to an application, whichever face (Smartcar Connect, Enode Link) made it.
public struct AuthorizationRequest: Sendable, Codable, Equatable {
    public enum Purpose: Sendable, Codable, Equatable {
        /// A new connection; ends with an authorization code.
        case authorize
        /// Sign in again for an existing vehicle; ends with its id.
        case reauthenticate(vehicleID: UUID)
        /// Grant more permissions at the brand (Tesla) for the account's vehicles; ends with their ids.
        case updateBrandPermissions
        /// A step of an embedded connect session (the Jedlix SDK's web view): ends at the session's done URL with
        /// one vehicle granted to `user`, and no code.
        case embeddedSession
    }

    public var purpose: Purpose = .authorize
    public var applicationID: UUID
    public var redirectURI: String
    public var redirectURIWasExplicit: Bool
    public var state: String?
    public var permissions: PermissionRequest
    /// The scope as the face spells it, echoed in token responses.
    public var scope: String
    public var issuesRefreshTokens: Bool = true
    public var mode: ApplicationMode
    /// Brand chosen by the application (`make`); skips the brand list.
    public var make: String?
    public var singleSelect: Bool = false
    public var singleSelectVIN: String?
    /// `approval_prompt=force`.
    public var forceApproval: Bool = false
    public var flags: [String: String] = [:]
    /// The application's own id for the owner (`user`).
    public var user: String?
    /// The owner's name as the application knows it, shown so the owner can tell the request is theirs (Enode's
    /// `userName`).
    public var ownerName: String?
    public var codeChallenge: String?

    public init(
        applicationID: UUID, redirectURI: String, redirectURIWasExplicit: Bool, state: String?,
        permissions: PermissionRequest, scope: String, mode: ApplicationMode
    ) {
        self.applicationID = applicationID
        self.redirectURI = redirectURI
        self.redirectURIWasExplicit = redirectURIWasExplicit
        self.state = state
        self.permissions = permissions
        self.scope = scope
        self.mode = mode
    }
}
