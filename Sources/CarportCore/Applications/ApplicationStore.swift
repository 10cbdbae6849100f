import Foundation

/// Storage boundary for applications; the server implements it with Fluent.
public protocol ApplicationStore: Sendable {
    /// `sealedManagementToken`: the management token sealed (AES-GCM), the key of the application's Smartcar webhook
    /// signatures.
    func insert(_ application: RegisteredApplication, digests: ApplicationSecretDigests, sealedManagementToken: String) async throws
    func all() async throws -> [RegisteredApplication]
    func find(id: UUID) async throws -> RegisteredApplication?
    /// The application and the digests of its secrets, in one read.
    func withSecretDigests(id: UUID) async throws -> (RegisteredApplication, ApplicationSecretDigests)?
    /// Returns false when no application has this id.
    func replaceClientSecretDigest(id: UUID, with digest: String) async throws -> Bool
    /// Returns false when no application has this id.
    func replaceManagementToken(id: UUID, digest: String, sealed: String) async throws -> Bool
    /// The sealed management token, read from the database (never a cache, so a rotation counts at once); nil for an
    /// application created before Carport kept it.
    func sealedManagementToken(id: UUID) async throws -> String?
    /// Returns false when no application has this id.
    func delete(id: UUID) async throws -> Bool
    func count() async throws -> Int
    func find(managementTokenDigest: String) async throws -> RegisteredApplication?
    func find(apiKeyDigest: String) async throws -> RegisteredApplication?
}
