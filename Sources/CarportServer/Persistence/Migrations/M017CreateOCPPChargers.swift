import Fluent

/// Chargers that reach Carport over OCPP: registered by an application for one of its users, found by their
/// charge point id (the last segment of their URL, unique), authenticated by a password digest (none for an
/// explicitly insecure, profile 0 charger), with what their messages reported.
struct M017CreateOCPPChargers: AsyncMigration {
    var name: String { "017_create_ocpp_chargers" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FluentOCPPChargerStore.table)
            .field("id", .uuid, .identifier(auto: false))
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("user_id", .string, .required)
            .field("charge_point_id", .string, .required)
            .field("password_digest", .string)
            .field("location_id", .uuid)
            .field("version", .string)
            .field("state", .string, .required)
            .field("connected_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "charge_point_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentOCPPChargerStore.table).delete()
    }
}
