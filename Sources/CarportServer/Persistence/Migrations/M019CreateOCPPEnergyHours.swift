import Fluent

/// What each OCPP charger metered per clock hour, for the charging statistics.
struct M019CreateOCPPEnergyHours: AsyncMigration {
    var name: String { "019_create_ocpp_energy_hours" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FluentOCPPChargerStore.hoursTable)
            .field("charger_id", .uuid, .required, .references(FluentOCPPChargerStore.table, "id", onDelete: .cascade))
            .field("hour_start", .datetime, .required)
            .field("energy_kwh", .double, .required)
            .field("min_kw", .double, .required)
            .field("max_kw", .double, .required)
            .field("seconds", .double, .required)
            .field("kilowatt_seconds", .double, .required)
            .unique(on: "charger_id", "hour_start")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentOCPPChargerStore.hoursTable).delete()
    }
}
