import Fluent

/// Named leases for background work that runs on one node at a time (`FluentLeaseStore`), and a revision on each
/// simulated vehicle so two nodes changing one car cannot lose either change.
struct M013CreateLeases: AsyncMigration {
    var name: String { "013_create_leases" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FluentLeaseStore.schema)
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string, .required)
            .field("lease_until", .datetime, .required)
            .create()
        try await database.schema(SimulatedVehicleModel.schema).field("revision", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SimulatedVehicleModel.schema).deleteField("revision").update()
        try await database.schema(FluentLeaseStore.schema).delete()
    }
}
