import CarportCore
import Fluent
import FluentSQL
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

    /// One statement: the user is created, or found by the unique (application, external id) key — the no-op
    /// update makes RETURNING answer for an existing row too.
    func userID(applicationID: UUID, externalID: String) async throws -> UUID {
        let row = try await sql.insert(into: ApplicationUserModel.schema)
            .columns("id", "application_id", "external_id", "created_at")
            .values(SQLBind(SecureRandom.uuid()), SQLBind(applicationID), SQLBind(externalID), SQLBind(Date()))
            .onConflict(with: ["application_id", "external_id"]) { $0.set(excludedValueOf: "external_id") }
            .returning("id").first()
        guard let row else { throw StoreError.noRowReturned(table: ApplicationUserModel.schema) }
        return try row.decode(column: "id", as: UUID.self)
    }

    /// One statement for all identities: new vehicles are created, known ones (same application, mode and VIN) take
    /// the account key and keep their id.
    func vehicles(
        applicationID: UUID, mode: ApplicationMode, accountKey: String, identities: [VehicleIdentity]
    ) async throws -> [ConnectedVehicle] {
        var seen = Set<String>()
        let unique = identities.filter { seen.insert($0.vin).inserted }  // one row may be upserted once per statement
        guard !unique.isEmpty else { return [] }
        var insert = try sql.insert(into: VehicleModel.schema)
            .columns("id", "application_id", "mode", "account_key", "vin", "make", "model", "year", "created_at")
        for identity in unique {
            insert = insert.values(
                SQLBind(SecureRandom.uuid()), SQLBind(applicationID), SQLBind(mode.rawValue), SQLBind(accountKey),
                SQLBind(identity.vin), SQLBind(identity.make), SQLBind(identity.model), SQLBind(identity.year),
                SQLBind(Date()))
        }
        let rows = try await insert
            .onConflict(with: ["application_id", "mode", "vin"]) { $0.set(excludedValueOf: "account_key") }
            .returning(SQLLiteral.all).all()
        let stored = try rows.map { try $0.decode(fluentModel: VehicleModel.self).domain }
        for vehicle in stored { cache?.remove(id: vehicle.id) }
        return unique.compactMap { identity in stored.first { $0.identity.vin == identity.vin } }
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
