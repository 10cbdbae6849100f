import CarportCore
import Fluent
import Foundation

/// `ApplicationStore` backed by Fluent.
struct FluentApplicationStore: ApplicationStore, LazyDatabaseStore {
    let resolveDatabase: @Sendable () -> any Database

    private let cache: ApplicationCache?

    init(database: @autoclosure @escaping @Sendable () -> any Database, cache: ApplicationCache? = nil) {
        resolveDatabase = database
        self.cache = cache
    }

    func insert(_ application: RegisteredApplication, digests: ApplicationSecretDigests, sealedManagementToken: String) async throws {
        let model = ApplicationModel(application, digests: digests)
        model.sealedManagementToken = sealedManagementToken
        try await model.create(on: database)
    }

    func all() async throws -> [RegisteredApplication] {
        try await ApplicationModel.query(on: database).sort(\.$createdAt).all().map { try $0.domain }
    }

    func find(id: UUID) async throws -> RegisteredApplication? {
        try await withSecretDigests(id: id)?.0
    }

    func withSecretDigests(id: UUID) async throws -> (RegisteredApplication, ApplicationSecretDigests)? {
        if let cached = cache?.lookup(id: id) { return cached }
        guard let model = try await ApplicationModel.find(id, on: database) else { return nil }
        let application = try model.domain
        cache?.store(application, model.digests)
        return (application, model.digests)
    }

    func replaceClientSecretDigest(id: UUID, with digest: String) async throws -> Bool {
        guard let model = try await ApplicationModel.find(id, on: database) else { return false }
        model.clientSecretDigest = digest
        try await model.save(on: database)
        cache?.remove(id: id)
        return true
    }

    func replaceManagementToken(id: UUID, digest: String, sealed: String) async throws -> Bool {
        guard let model = try await ApplicationModel.find(id, on: database) else { return false }
        model.managementTokenDigest = digest
        model.sealedManagementToken = sealed
        try await model.save(on: database)
        cache?.remove(id: id)
        return true
    }

    func sealedManagementToken(id: UUID) async throws -> String? {
        try await ApplicationModel.find(id, on: database)?.sealedManagementToken
    }

    func delete(id: UUID) async throws -> Bool {
        guard let model = try await ApplicationModel.find(id, on: database) else { return false }
        try await model.delete(on: database)
        cache?.remove(id: id)
        return true
    }

    func find(apiKeyDigest: String) async throws -> RegisteredApplication? {
        if let cached = cache?.lookup(apiKeyDigest: apiKeyDigest) { return cached }
        guard let model = try await ApplicationModel.query(on: database).filter(\.$apiKeyDigest == apiKeyDigest).first() else { return nil }
        let application = try model.domain
        cache?.store(application, model.digests)
        return application
    }

    func find(managementTokenDigest: String) async throws -> RegisteredApplication? {
        try await ApplicationModel.query(on: database).filter(\.$managementTokenDigest == managementTokenDigest).first()?.domain
    }

    func count() async throws -> Int {
        try await ApplicationModel.query(on: database).count()
    }
}
