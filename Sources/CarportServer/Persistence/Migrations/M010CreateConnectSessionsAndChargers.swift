import Fluent

/// Embedded connect sessions, chargers, user-token keys (the Jedlix face); addresses and energy contracts of
/// charging locations; country and locale of users.
struct M010CreateConnectSessionsAndChargers: AsyncMigration {
    var name: String { "010_create_connect_sessions_and_chargers" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for field in ["default_country", "locale"] {
            try await database.schema(ApplicationUserModel.schema).field(.string(field), .string).update()
        }
        for (field, type) in [("address", DatabaseSchema.DataType.string), ("energy_contract", .string),
                              ("created_at", .datetime), ("updated_at", .datetime)] {
            try await database.schema(ChargingLocationModel.schema).field(.string(field), type).update()
        }
        try await database.schema(FluentConnectSessionStore.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(ApplicationUserModel.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("finished", .bool, .required)
            .field("sealed", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(ChargerModel.schema)
            .id()
            .field("user_id", .uuid, .required, .references(ApplicationUserModel.schema, "id", onDelete: .cascade))
            .field("charging_location_id", .uuid, .required,
                   .references(ChargingLocationModel.schema, "id", onDelete: .cascade))
            .field("brand", .string, .required)
            .field("model", .string, .required)
            .field("serial", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "user_id", "brand", "serial")
            .create()
        try await database.schema(FluentUserTokenKeyStore.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("issuer", .string, .required)
            .field("audience", .string, .required)
            .field("sealed_key", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "application_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentUserTokenKeyStore.schema).delete()
        try await database.schema(ChargerModel.schema).delete()
        try await database.schema(FluentConnectSessionStore.schema).delete()
        for field in ["address", "energy_contract", "created_at", "updated_at"] {
            try await database.schema(ChargingLocationModel.schema).deleteField(.string(field)).update()
        }
        for field in ["default_country", "locale"] {
            try await database.schema(ApplicationUserModel.schema).deleteField(.string(field)).update()
        }
    }
}
