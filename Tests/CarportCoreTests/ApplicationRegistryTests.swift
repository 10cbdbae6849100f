import Foundation
import Testing
@testable import CarportCore

/// An in-memory store, to test the registry's rules without a database.
actor InMemoryApplicationStore: ApplicationStore {
    var rows: [UUID: (RegisteredApplication, ApplicationSecretDigests)] = [:]
    var sealed: [UUID: String] = [:]

    func insert(_ application: RegisteredApplication, digests: ApplicationSecretDigests, sealedManagementToken: String) {
        rows[application.id] = (application, digests)
        sealed[application.id] = sealedManagementToken
    }
    func replaceManagementToken(id: UUID, digest: String, sealed token: String) -> Bool {
        guard rows[id] != nil else { return false }
        rows[id]?.1.managementToken = digest
        sealed[id] = token
        return true
    }
    func sealedManagementToken(id: UUID) -> String? { sealed[id] }
    func forget(sealedManagementTokenOf id: UUID) { sealed[id] = nil }
    func all() -> [RegisteredApplication] { rows.values.map(\.0) }
    func find(id: UUID) -> RegisteredApplication? { rows[id]?.0 }
    func withSecretDigests(id: UUID) -> (RegisteredApplication, ApplicationSecretDigests)? { rows[id] }
    func replaceClientSecretDigest(id: UUID, with digest: String) -> Bool {
        guard rows[id] != nil else { return false }
        rows[id]?.1.clientSecret = digest
        return true
    }
    func delete(id: UUID) -> Bool { rows.removeValue(forKey: id) != nil }
    func count() -> Int { rows.count }
    func find(apiKeyDigest: String) -> RegisteredApplication? {
        rows.values.first { $0.1.apiKey == apiKeyDigest }?.0
    }

    func find(managementTokenDigest: String) -> RegisteredApplication? {
        rows.values.first { $0.1.managementToken == managementTokenDigest }?.0
    }
}

@Suite struct ApplicationRegistryTests {
    let store = InMemoryApplicationStore()
    let box = try! SecretBox(keyData: SecretBox.generateKeyData())
    var registry: ApplicationRegistry { ApplicationRegistry(store: store, box: box) }

    @Test func createStoresOnlyDigests() async throws {
        let credentials = try await registry.create(name: "App", redirectURIs: ["https://example.com/cb"])
        let id = try #require(UUID(uuidString: credentials.clientId))
        let digests = try #require(await store.withSecretDigests(id: id)?.1)
        #expect(digests.clientSecret == SecretToken.digest(credentials.clientSecret))
        #expect(digests.managementToken == SecretToken.digest(credentials.managementToken))
        #expect(digests.apiKey == SecretToken.digest(credentials.apiKey))
        #expect(Set([credentials.clientSecret, credentials.managementToken, credentials.apiKey]).count == 3)
    }

    @Test func theManagementTokenIsKeptSealedAndRotatesWithItsKey() async throws {
        let credentials = try await registry.create(name: "App", redirectURIs: ["https://example.com/cb"])
        let id = try #require(UUID(uuidString: credentials.clientId))
        let sealed = try #require(await store.sealedManagementToken(id: id))
        #expect(!sealed.contains(credentials.managementToken))
        #expect(try await registry.managementTokenKey(applicationID: id) == credentials.managementToken)
        let rotated = try await registry.rotateManagementToken(clientID: credentials.clientId)
        #expect(rotated != credentials.managementToken && rotated.hasPrefix("cpm_"))
        #expect(try await registry.authenticate(managementToken: credentials.managementToken) == nil)
        #expect(try await registry.authenticate(managementToken: rotated)?.id == id)
        #expect(try await registry.managementTokenKey(applicationID: id) == rotated)
        // An application from before the token was kept: a clear way out, and rotating is it.
        await store.forget(sealedManagementTokenOf: id)
        await #expect(throws: ApplicationRegistry.Failure.managementTokenNotKept(credentials.clientId)) {
            try await registry.managementTokenKey(applicationID: id)
        }
        let again = try await registry.rotateManagementToken(clientID: credentials.clientId)
        #expect(try await registry.managementTokenKey(applicationID: id) == again)
        await #expect(throws: ApplicationRegistry.Failure.unknownApplication("nope")) { try await registry.rotateManagementToken(clientID: "nope") }
    }

    @Test func authenticatesWithTheSecretAndAfterRotationOnlyTheNewOne() async throws {
        let credentials = try await registry.create(name: "App", redirectURIs: ["https://example.com/cb"])
        #expect(try await registry.authenticate(clientID: credentials.clientId, secret: credentials.clientSecret) != nil)
        #expect(try await registry.authenticate(clientID: credentials.clientId, secret: "wrong") == nil)
        let rotated = try await registry.rotateSecret(clientID: credentials.clientId)
        #expect(try await registry.authenticate(clientID: credentials.clientId, secret: credentials.clientSecret) == nil)
        #expect(try await registry.authenticate(clientID: credentials.clientId, secret: rotated) != nil)
    }

    @Test(arguments: [
        ("", ["https://example.com/cb"], ApplicationRegistry.Failure.invalidName),
        ("App", [], .noRedirectURI),
        ("App", ["/relative"], .invalidRedirectURI("redirect URI \"/relative\" is not an absolute URI")),
        ("App", ["https://example.com/cb#frag"], .invalidRedirectURI("redirect URI \"https://example.com/cb#frag\" must not contain a fragment")),
        ("App", ["javascript:alert(1)"], .invalidRedirectURI("redirect URI scheme \"javascript\" is not allowed")),
    ])
    func rejectsBadRegistrations(name: String, uris: [String], failure: ApplicationRegistry.Failure) async {
        await #expect(throws: failure) { try await registry.create(name: name, redirectURIs: uris) }
    }

    @Test func acceptsNativeAppSchemes() async throws {
        _ = try await registry.create(name: "Mobile", redirectURIs: ["com.example.app://callback"])
    }

    @Test func unknownApplicationsAreReported() async {
        let id = UUID().uuidString
        await #expect(throws: ApplicationRegistry.Failure.unknownApplication(id)) { try await registry.delete(clientID: id) }
        await #expect(throws: ApplicationRegistry.Failure.unknownApplication("nope")) { try await registry.rotateSecret(clientID: "nope") }
    }
}
