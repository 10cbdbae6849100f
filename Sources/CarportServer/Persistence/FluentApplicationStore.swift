import CarportCore
import Fluent
import Foundation

/// `ApplicationStore` backed by Fluent.
struct FluentApplicationStore: ApplicationStore {
    let database: any Database

    func insert(_ application: RegisteredApplication, digests: ApplicationSecretDigests) async throws {
        try await ApplicationModel(application, digests: digests).create(on: database)
    }

    func all() async throws -> [RegisteredApplication] {
        try await ApplicationModel.query(on: database).sort(\.$createdAt).all().map { try $0.domain }
    }

    func find(id: UUID) async throws -> RegisteredApplication? {
        try await ApplicationModel.find(id, on: database)?.domain
    }

    func secretDigests(id: UUID) async throws -> ApplicationSecretDigests? {
        try await ApplicationModel.find(id, on: database)?.digests
    }

    func replaceClientSecretDigest(id: UUID, with digest: String) async throws -> Bool {
        guard let model = try await ApplicationModel.find(id, on: database) else { return false }
        model.clientSecretDigest = digest
        try await model.save(on: database)
        return true
    }

    func delete(id: UUID) async throws -> Bool {
        guard let model = try await ApplicationModel.find(id, on: database) else { return false }
        try await model.delete(on: database)
        return true
    }

    func find(managementTokenDigest: String) async throws -> RegisteredApplication? {
        try await ApplicationModel.query(on: database).filter(\.$managementTokenDigest == managementTokenDigest).first()?.domain
    }

    func count() async throws -> Int {
        try await ApplicationModel.query(on: database).count()
    }
}
