import Foundation

/// Storage boundary for grants, codes and tokens. Marking a code or refresh token used must be atomic, so two
/// concurrent redemptions cannot both succeed.
public protocol OAuthStore: Sendable {
    func insertGrant(_ grant: Grant) async throws
    func grant(id: UUID) async throws -> Grant?
    /// The application's user with this external id, if it exists.
    func user(applicationID: UUID, externalID: String) async throws -> UUID?
    func grants(userID: UUID) async throws -> [Grant]
    func externalID(userID: UUID) async throws -> String?
    /// Revokes every token issued under the user's grants.
    func revokeTokens(userID: UUID, at: Date) async throws
    /// Deletes the user with their grants, codes and tokens, and the vehicles no other grant of the application holds.
    func deleteUser(userID: UUID) async throws

    func insertCode(_ code: StoredAuthorizationCode) async throws
    /// Marks the code used if it was unused, and says which it was.
    func redeemCode(digest: String, at: Date) async throws -> CodeRedemption

    func insertTokens(_ tokens: [StoredToken]) async throws
    func token(digest: String) async throws -> StoredToken?
    /// Refresh-token rotation: marks the application's refresh token used if it is unused, unrevoked and unexpired
    /// at `at`, with `replacements` stored by the time it is marked (so revoking its family after a replay always
    /// reaches them). Returns the claimed token, nil when there was none to claim (and then nothing is stored).
    func rotateRefreshToken(
        digest: String, applicationID: UUID, at: Date, replacements: [TokenReplacement]
    ) async throws -> StoredToken?
    func revokeToken(digest: String, at: Date) async throws
    func revokeFamily(_ familyID: UUID, at: Date) async throws
}
