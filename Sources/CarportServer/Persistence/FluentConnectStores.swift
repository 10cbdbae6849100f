import CarportCore
import Fluent
import Foundation

/// `ConnectFlowStore` backed by Fluent.
struct FluentConnectFlowStore: ConnectFlowStore {
    /// Looked up only when a query runs, so answers served from memory cost no database handle.
    private let resolveDatabase: @Sendable () -> any Database
    var database: any Database { resolveDatabase() }

    init(database: @autoclosure @escaping @Sendable () -> any Database) {
        resolveDatabase = database
    }

    func insert(_ flow: ConnectFlow) async throws {
        try await ConnectFlowModel(flow).create(on: database)
    }

    func flow(id: UUID) async throws -> ConnectFlow? {
        try await ConnectFlowModel.find(id, on: database)?.domain
    }

    func update(_ flow: ConnectFlow) async throws {
        guard let model = try await ConnectFlowModel.find(flow.id, on: database) else { return }
        try model.update(from: flow)
        try await model.save(on: database)
    }

    func delete(id: UUID) async throws {
        try await ConnectFlowModel.query(on: database).filter(\.$id == id).delete()
    }
}

/// `ConnectionStore` backed by Fluent.
struct FluentConnectionStore: ConnectionStore {
    /// Looked up only when a query runs, so answers served from memory cost no database handle.
    private let resolveDatabase: @Sendable () -> any Database
    var database: any Database { resolveDatabase() }
    /// Dropped entries for vehicles this store changes.
    var cache: VehicleCache?

    init(database: @autoclosure @escaping @Sendable () -> any Database, cache: VehicleCache? = nil) {
        resolveDatabase = database
        self.cache = cache
    }

    func userID(applicationID: UUID, externalID: String) async throws -> UUID {
        if let existing = try await ApplicationUserModel.query(on: database)
            .filter(\.$application.$id == applicationID).filter(\.$externalID == externalID).first() {
            return try existing.requireID()
        }
        let user = ApplicationUserModel(applicationID: applicationID, externalID: externalID)
        try await user.create(on: database)
        return try user.requireID()
    }

    func vehicles(
        applicationID: UUID, mode: ApplicationMode, accountKey: String, identities: [VehicleIdentity]
    ) async throws -> [ConnectedVehicle] {
        var result: [ConnectedVehicle] = []
        for identity in identities {
            if let existing = try await VehicleModel.query(on: database)
                .filter(\.$application.$id == applicationID).filter(\.$mode == mode)
                .filter(\.$vin == identity.vin).first() {
                existing.accountKey = accountKey
                try await existing.save(on: database)
                cache?.remove(id: try existing.requireID())
                result.append(try existing.domain)
            } else {
                let vehicle = VehicleModel(applicationID: applicationID, mode: mode, accountKey: accountKey, identity: identity)
                try await vehicle.create(on: database)
                result.append(try vehicle.domain)
            }
        }
        return result
    }

    func vehicle(id: UUID, applicationID: UUID) async throws -> ConnectedVehicle? {
        try await VehicleModel.query(on: database).filter(\.$id == id).filter(\.$application.$id == applicationID)
            .first()?.domain
    }
}
