import Fluent

struct M008CreateChargingLocations: AsyncMigration {
    var name: String { "008_create_charging_locations" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ChargingLocationModel.schema)
            .id()
            .field("user_id", .uuid, .required, .references(ApplicationUserModel.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ChargingLocationModel.schema).delete()
    }
}
