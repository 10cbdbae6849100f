import Fluent

struct M007CreateSimulatedVehicles: AsyncMigration {
    var name: String { "007_create_simulated_vehicles" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SimulatedVehicleModel.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("vin", .string, .required)
            .field("owner_email", .string, .required)
            .field("password_digest", .string, .required)
            .field("state", .string, .required)
            .unique(on: "application_id", "vin")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SimulatedVehicleModel.schema).delete()
    }
}
