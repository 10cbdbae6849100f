import Fluent

struct M003CreateVehicles: AsyncMigration {
    var name: String { "003_create_vehicles" }

    func prepare(on database: any Database) async throws {
        try await database.schema(VehicleModel.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("mode", .string, .required)
            .field("account_key", .string, .required)
            .field("vin", .string, .required)
            .field("make", .string, .required)
            .field("model", .string, .required)
            .field("year", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "application_id", "mode", "vin")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(VehicleModel.schema).delete()
    }
}
