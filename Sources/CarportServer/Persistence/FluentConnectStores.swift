import CarportCore
import Fluent
import Foundation
import SQLKit

/// `ConnectFlowStore` backed by Fluent.
struct FluentConnectFlowStore: ConnectFlowStore, LazyDatabaseStore {
    let resolveDatabase: @Sendable () -> any Database

    init(database: @autoclosure @escaping @Sendable () -> any Database) {
        resolveDatabase = database
    }

    func insert(_ flow: ConnectFlow) async throws {
        try await sql.insert(into: ConnectFlowRecord.schema).columns("id", "payload", "expires_at")
            .values(SQLBind(flow.id), SQLBind(try ConnectFlowRecord.payload(flow)), SQLBind(flow.expiresAt))
            .run()
    }

    func flow(id: UUID) async throws -> ConnectFlow? {
        guard let row = try await sql.select().column("payload").from(ConnectFlowRecord.schema)
            .where("id", .equal, SQLBind(id)).first()
        else { return nil }
        return try ConnectFlowRecord.flow(payload: try row.decode(column: "payload", as: String.self))
    }

    func update(_ flow: ConnectFlow) async throws {
        try await sql.update(ConnectFlowRecord.schema)
            .set("payload", to: try ConnectFlowRecord.payload(flow)).set("expires_at", to: flow.expiresAt)
            .where("id", .equal, SQLBind(flow.id)).run()
    }
}

/// `ConnectionStore` backed by Fluent.
struct FluentConnectionStore: ConnectionStore, LazyDatabaseStore {
    let resolveDatabase: @Sendable () -> any Database
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

    func vehicle(vin: String, mode: ApplicationMode, applicationID: UUID) async throws -> ConnectedVehicle? {
        try await VehicleModel.query(on: database).filter(\.$vin == vin).filter(\.$mode == mode)
            .filter(\.$application.$id == applicationID).first()?.domain
    }
}
