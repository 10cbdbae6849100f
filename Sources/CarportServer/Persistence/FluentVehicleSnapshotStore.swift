import Fluent
import Foundation
import SQLKit

/// The last body of each vehicle an application's webhook events were computed from (JSON text).
struct VehicleSnapshot: Sendable, Equatable {
    var vehicleID: UUID
    var userExternalID: String
    var body: Data
}

struct FluentVehicleSnapshotStore: LazyDatabaseStore {
    static let schema = "webhook_snapshots"
    let resolveDatabase: @Sendable () -> any Database

    func snapshots(applicationID: UUID) async throws -> [VehicleSnapshot] {
        try await sql.select().columns("vehicle_id", "user_external_id", "body").from(Self.schema)
            .where("application_id", .equal, SQLBind(applicationID)).all().map { row in
                VehicleSnapshot(vehicleID: try row.decode(column: "vehicle_id", as: UUID.self),
                                userExternalID: try row.decode(column: "user_external_id", as: String.self),
                                body: Data(try row.decode(column: "body", as: String.self).utf8))
            }
    }

    func save(_ snapshot: VehicleSnapshot, applicationID: UUID) async throws {
        try await delete(vehicleID: snapshot.vehicleID, applicationID: applicationID)
        try await sql.insert(into: Self.schema).columns("application_id", "vehicle_id", "user_external_id", "body")
            .values(SQLBind(applicationID), SQLBind(snapshot.vehicleID), SQLBind(snapshot.userExternalID),
                    SQLBind(String(decoding: snapshot.body, as: UTF8.self)))
            .run()
    }

    func delete(vehicleID: UUID, applicationID: UUID) async throws {
        try await sql.delete(from: Self.schema).where("application_id", .equal, SQLBind(applicationID))
            .where("vehicle_id", .equal, SQLBind(vehicleID)).run()
    }
}
