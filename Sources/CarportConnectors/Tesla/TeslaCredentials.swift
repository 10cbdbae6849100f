import Foundation

/// One Tesla account's tokens for one application, kept encrypted by the store.
public struct TeslaCredentials: Sendable, Codable, Equatable {
    public var accessToken: String
    public var refreshToken: String?
    public var expiresAt: Date
    /// Scopes Tesla granted (the token's `scp`).
    public var scopes: [String]
    /// The account's Fleet API region (`na`, `eu`), learned from Tesla and corrected on 421.
    public var region: String
    /// Set when Tesla ended the refresh chain (`login_required`): the owner must sign in again.
    public var needsSignIn = false

    public init(accessToken: String, refreshToken: String?, expiresAt: Date, scopes: [String], region: String) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
        self.region = region
    }
}

/// Encrypted storage of Tesla credentials per application and brand account.
public protocol TeslaCredentialStore: Sendable {
    func credentials(applicationID: UUID, accountKey: String) async throws -> TeslaCredentials?
    func save(_ credentials: TeslaCredentials, applicationID: UUID, accountKey: String) async throws
}
