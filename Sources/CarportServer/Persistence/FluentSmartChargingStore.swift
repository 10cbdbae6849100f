import CarportCore
import Fluent
import Foundation
import SQLKit

/// Each vehicle's smart-charging policy as the application last set it.
struct FluentSmartChargingStore: LazyDatabaseStore {
    static let schema = "smart_charging_policies"
    let resolveDatabase: @Sendable () -> any Database

    func policy(vehicleID: UUID) async throws -> SmartChargingPolicy {
        guard let row = try await sql.select().columns("is_enabled", "deadline_minutes").from(Self.schema)
            .where("vehicle_id", .equal, SQLBind(vehicleID)).first()
        else { return .unset }
        return SmartChargingPolicy(isEnabled: try row.decode(column: "is_enabled", as: Bool.self),
                                   deadlineMinutes: try row.decode(column: "deadline_minutes", as: Int?.self))
    }

    func save(_ policy: SmartChargingPolicy, vehicleID: UUID) async throws {
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            try await sql.delete(from: Self.schema).where("vehicle_id", .equal, SQLBind(vehicleID)).run()
            try await sql.insert(into: Self.schema).columns("vehicle_id", "is_enabled", "deadline_minutes")
                .values(SQLBind(vehicleID), SQLBind(policy.isEnabled), SQLBind(policy.deadlineMinutes)).run()
        }
    }
}
