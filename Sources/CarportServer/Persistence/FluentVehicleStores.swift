import CarportConnectors
import CarportCore
import Fluent
import Foundation
import SQLKit

/// `VehicleStore` backed by Fluent.
struct FluentVehicleStore: VehicleStore, LazyDatabaseStore {
    let resolveDatabase: @Sendable () -> any Database
    var cache: VehicleCache?

    init(database: @autoclosure @escaping @Sendable () -> any Database, cache: VehicleCache? = nil) {
        resolveDatabase = database
        self.cache = cache
    }

    func vehicle(id: UUID, applicationID: UUID) async throws -> ConnectedVehicle? {
        if let cached = cache?.vehicle(id: id) { return cached.applicationID == applicationID ? cached : nil }
        let vehicle = try await FluentConnectionStore(database: database).vehicle(id: id, applicationID: applicationID)
        if let vehicle { cache?.store(vehicle) }
        return vehicle
    }

    func vehicle(vin: String, applicationID: UUID) async throws -> ConnectedVehicle? {
        try await VehicleModel.query(on: database).filter(\.$application.$id == applicationID).filter(\.$vin == vin)
            .sort(\.$createdAt).first()?.domain
    }

    func connections(applicationID: UUID, vehicleID: UUID?, userID: UUID?) async throws -> [VehicleConnection] {
        var query = GrantVehicleModel.query(on: database).join(GrantModel.self, on: \GrantVehicleModel.$grant.$id == \GrantModel.$id)
            .filter(GrantModel.self, \.$application.$id == applicationID)
        if let vehicleID { query = query.filter(\.$vehicle.$id == vehicleID) }
        if let userID { query = query.filter(GrantModel.self, \.$user.$id == userID) }
        let rows = try await query.sort(GrantModel.self, \.$createdAt).all()
        var seen = Set<String>()
        return try rows.compactMap { row in
            let grant = try row.joined(GrantModel.self)
            let connection = VehicleConnection(vehicleID: row.$vehicle.id, userID: grant.$user.id, connectedAt: grant.createdAt)
            return seen.insert("\(connection.vehicleID)|\(connection.userID)").inserted ? connection : nil
        }
    }

    func remove(_ connections: [VehicleConnection], applicationID: UUID) async throws {
        for connection in connections {
            let grantIDs = try await GrantModel.query(on: database).filter(\.$application.$id == applicationID)
                .filter(\.$user.$id == connection.userID).all().map { try $0.requireID() }
            guard !grantIDs.isEmpty else { continue }
            try await GrantVehicleModel.query(on: database)
                .filter(\.$vehicle.$id == connection.vehicleID).filter(\.$grant.$id ~~ grantIDs).delete()
        }
    }
}

/// `SimulatedCarStore` backed by Fluent.
struct FluentSimulatedCarStore: SimulatedCarStore, LazyDatabaseStore {
    let resolveDatabase: @Sendable () -> any Database

    init(database: @autoclosure @escaping @Sendable () -> any Database) {
        resolveDatabase = database
    }

    func insert(_ record: SimulatedVehicleRecord) async throws {
        try await SimulatedVehicleModel(record).create(on: database)
    }

    func record(applicationID: UUID, vin: String) async throws -> SimulatedVehicleRecord? {
        try await model(applicationID: applicationID, vin: vin)?.domain
    }

    func records(applicationID: UUID) async throws -> [SimulatedVehicleRecord] {
        try await SimulatedVehicleModel.query(on: database).filter(\.$application.$id == applicationID)
            .sort(\.$vin).all().map { try $0.domain }
    }

    func update(applicationID: UUID, car: SimulatedCar, revision: Int) async throws -> Bool {
        let state = try SimulatedVehicleModel.encode(car)
        let rows = try await sql.update(SimulatedVehicleModel.schema)
            .set("state", to: SQLBind(state)).set("revision", to: SQLBind(revision + 1))
            .where("application_id", .equal, SQLBind(applicationID)).where("vin", .equal, SQLBind(car.vin))
            .where("revision", .equal, SQLBind(revision))
            .returning("revision").all()
        return !rows.isEmpty
    }

    private func model(applicationID: UUID, vin: String) async throws -> SimulatedVehicleModel? {
        try await SimulatedVehicleModel.query(on: database).filter(\.$application.$id == applicationID)
            .filter(\.$vin == vin).first()
    }
}
