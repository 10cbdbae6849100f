import Fluent

/// Firehose webhooks (the Enode face): one endpoint per application, the durable outbox of events, and the last
/// state of each vehicle and charger the events were computed from; per-vehicle smart-charging policies; charge actions; chargers remember a START or STOP.
struct M011CreateWebhooks: AsyncMigration {
    var name: String { "011_create_webhooks" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ChargerModel.schema).field("commanded_charging", .bool).update()
        try await database.schema(FluentWebhookStore.endpoints)
            .field("application_id", .uuid, .identifier(auto: false), .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("sealed_secret", .string, .required)
            .field("is_active", .bool, .required)
            .field("consecutive_failures", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("last_success_at", .datetime)
            .create()
        try await database.schema(FluentWebhookStore.events)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("payload", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(FluentDeviceSnapshotStore.schema)
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("device_id", .uuid, .required)
            .field("user_external_id", .string, .required)
            .field("body", .string, .required)
            .unique(on: "application_id", "device_id")
            .create()
        try await database.schema(FluentSmartChargingStore.schema)
            .field("vehicle_id", .uuid, .identifier(auto: false), .references(VehicleModel.schema, "id", onDelete: .cascade))
            .field("is_enabled", .bool, .required)
            .field("deadline_minutes", .int)
            .create()
        try await database.schema(FluentChargeActionStore.schema)
            .id()
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(ApplicationUserModel.schema, "id", onDelete: .cascade))
            .field("target_type", .string, .required)
            .field("target_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("failure_type", .string)
            .field("failure_detail", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("completed_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentChargeActionStore.schema).delete()
        try await database.schema(ChargerModel.schema).deleteField("commanded_charging").update()
        try await database.schema(FluentSmartChargingStore.schema).delete()
        try await database.schema(FluentDeviceSnapshotStore.schema).delete()
        try await database.schema(FluentWebhookStore.events).delete()
        try await database.schema(FluentWebhookStore.endpoints).delete()
    }
}
