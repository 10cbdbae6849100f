import Foundation

/// Storage boundary for applications; the server implements it with Fluent.
public protocol ApplicationStore: Sendable {
    func insert(_ application: RegisteredApplication, digests: ApplicationSecretDigests) async throws
    func all() async throws -> [RegisteredApplication]
    func find(id: UUID) async throws -> RegisteredApplication?
    /// The application and the digests of its secrets, in one read.
    func withSecretDigests(id: UUID) async throws -> (RegisteredApplication, ApplicationSecretDigests)?
    /// Returns false when no application has this id.
    func replaceClientSecretDigest(id: UUID, with digest: String) async throws -> Bool
    /// Returns false when no application has this id.
    func delete(id: UUID) async throws -> Bool
    func count() async throws -> Int
    func find(managementTokenDigest: String) async throws -> RegisteredApplication?
    func find(apiKeyDigest: String) async throws -> RegisteredApplication?
}
