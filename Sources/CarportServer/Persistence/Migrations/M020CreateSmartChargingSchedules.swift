import Fluent
import SQLKit

/// Smart charging as a platform service: the rest of the policy, one durable schedule per vehicle that the control
/// loop claims with a lease, and each application's published prices.
struct M020CreateSmartChargingSchedules: AsyncMigration {
    var name: String { "020_create_smart_charging_schedules" }

    func prepare(on database: any Database) async throws {
        // One column per ALTER TABLE: SQLite adds one at a time.
        for (column, type) in [("minimum_charge_level", DatabaseSchema.DataType.double), ("target_level", .double),
                               ("departures", .string), ("time_zone", .string)] {
            try await database.schema(FluentSmartChargingStore.schema).field(.string(column), type).update()
        }
        try await database.schema(FluentSmartChargingStore.schedules)
            .field("vehicle_id", .uuid, .identifier(auto: false))
            .field("application_id", .uuid, .required)
            .field("due_at", .datetime)
            .field("lease_holder", .string)
            .field("lease_until", .datetime)
            .field("woken", .bool, .required)
            .field("override_kind", .string)
            .field("override_since", .datetime)
            .field("state", .string, .required)
            .field("body", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "smart_charging_schedules_due_at").on(FluentSmartChargingStore.schedules).column("due_at").run()
        }
        try await database.schema(FluentTariffStore.schema)
            .field("application_id", .uuid, .required)
            .field("location_key", .string, .required)
            .field("currency", .string, .required)
            .field("prices_csv", .string, .required)
            .field("revision", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "application_id", "location_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentTariffStore.schema).delete()
        try await database.schema(FluentSmartChargingStore.schedules).delete()
    }
}
