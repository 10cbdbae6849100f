import Fluent

/// Embedded connect sessions, chargers, user-token keys (the Jedlix face); addresses and energy contracts of
/// charging locations; country and locale of users.
struct M010CreateConnectSessionsAndChargers: AsyncMigration {
    var name: String { "010_create_connect_sessions_and_chargers" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationUserModel.schema)
            .field("default_country", .string)
            .field("locale", .string)
            .update()
        try await database.schema(ChargingLocationModel.schema)
            .field("address", .string)
            .field("energy_contract", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .update()
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
        try await database.schema(ChargingLocationModel.schema)
            .deleteField("address").deleteField("energy_contract").deleteField("created_at").deleteField("updated_at")
            .update()
        try await database.schema(ApplicationUserModel.schema).deleteField("default_country").deleteField("locale").update()
    }
}
