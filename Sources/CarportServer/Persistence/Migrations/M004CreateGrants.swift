import Fluent

struct M004CreateGrants: AsyncMigration {
    var name: String { "004_create_grants" }

    func prepare(on database: any Database) async throws {
        try await database.schema(GrantModel.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(ApplicationUserModel.schema, "id", onDelete: .cascade))
            .field("permissions", .array(of: .string), .required)
            .field("mode", .string, .required)
            .field("scope", .string, .required)
            .field("issues_refresh_tokens", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(GrantVehicleModel.schema)
            .id()
            .field("grant_id", .uuid, .required, .references(GrantModel.schema, "id", onDelete: .cascade))
            .field("vehicle_id", .uuid, .required, .references(VehicleModel.schema, "id", onDelete: .cascade))
            .unique(on: "grant_id", "vehicle_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GrantVehicleModel.schema).delete()
        try await database.schema(GrantModel.schema).delete()
    }
}
