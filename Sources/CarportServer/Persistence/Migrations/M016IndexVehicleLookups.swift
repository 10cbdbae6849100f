import Fluent
import SQLKit

/// Indexes for the lookups the change feed makes per vehicle (a look at one car after a change, with thousands
/// of vehicles per application): a vehicle's grants, and the outbox's due Smartcar events.
struct M016IndexVehicleLookups: AsyncMigration {
    var name: String { "016_index_vehicle_lookups" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "grant_vehicles_vehicle_id").on(GrantVehicleModel.schema).column("vehicle_id").run()
        try await sql.create(index: "webhook_events_next_attempt_at").on(FluentWebhookStore.events).column("next_attempt_at").run()
        try await sql.create(index: "smartcar_webhook_deliveries_webhook_at").on(FluentSmartcarWebhookStore.deliveries)
            .column("webhook_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in ["grant_vehicles_vehicle_id", "webhook_events_next_attempt_at", "smartcar_webhook_deliveries_webhook_at"] {
            try await sql.drop(index: index).run()
        }
    }
}
