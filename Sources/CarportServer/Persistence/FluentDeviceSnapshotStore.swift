import Fluent
import Foundation
import SQLKit

/// The last body of each device (vehicle or charger) an application's webhook events were computed from.
struct DeviceSnapshot: Sendable, Equatable {
    enum Kind: String, Sendable { case vehicle, charger }

    var kind: Kind
    var deviceID: UUID
    var userExternalID: String
    /// JSON text.
    var body: Data
}

struct FluentDeviceSnapshotStore: LazyDatabaseStore {
    static let schema = "webhook_snapshots"
    let resolveDatabase: @Sendable () -> any Database

    func snapshots(applicationID: UUID) async throws -> [DeviceSnapshot] {
        try await sql.select().columns("kind", "device_id", "user_external_id", "body").from(Self.schema)
            .where("application_id", .equal, SQLBind(applicationID)).all().map { row in
                DeviceSnapshot(kind: DeviceSnapshot.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .vehicle,
                               deviceID: try row.decode(column: "device_id", as: UUID.self),
                               userExternalID: try row.decode(column: "user_external_id", as: String.self),
                               body: Data(try row.decode(column: "body", as: String.self).utf8))
            }
    }

    func save(_ snapshot: DeviceSnapshot, applicationID: UUID) async throws {
        try await delete(deviceID: snapshot.deviceID, applicationID: applicationID)
        try await sql.insert(into: Self.schema).columns("application_id", "kind", "device_id", "user_external_id", "body")
            .values(SQLBind(applicationID), SQLBind(snapshot.kind.rawValue), SQLBind(snapshot.deviceID),
                    SQLBind(snapshot.userExternalID), SQLBind(String(decoding: snapshot.body, as: UTF8.self)))
            .run()
    }

    func delete(deviceID: UUID, applicationID: UUID) async throws {
        try await sql.delete(from: Self.schema).where("application_id", .equal, SQLBind(applicationID))
            .where("device_id", .equal, SQLBind(deviceID)).run()
    }
}
