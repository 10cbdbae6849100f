import Fluent

/// Smartcar webhooks (the Smartcar face): several per application, the vehicles subscribed to each, and the log of
/// delivery attempts.
struct M015CreateSmartcarWebhooks: AsyncMigration {
    var name: String { "015_create_smartcar_webhooks" }

    func prepare(on database: any Database) async throws {
        let store = FluentSmartcarWebhookStore.self
        try await database.schema(store.webhooks)
            .field("id", .uuid, .identifier(auto: false))
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("url", .string, .required)
            .field("error_url", .string)
            .field("kind", .string, .required)
            .field("codes", .string, .required)
            .field("signals", .string, .required)
            .field("interval_seconds", .int)
            .field("is_enabled", .bool, .required)
            .field("all_vehicles", .bool, .required)
            .field("verified_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(store.subscriptions)
            .field("webhook_id", .uuid, .required, .references(store.webhooks, "id", onDelete: .cascade))
            .field("vehicle_id", .uuid, .required, .references(VehicleModel.schema, "id", onDelete: .cascade))
            .field("subscribed_at", .datetime, .required)
            .unique(on: "webhook_id", "vehicle_id")
            .create()
        try await database.schema(store.deliveries)
            .id()
            .field("webhook_id", .uuid, .required, .references(store.webhooks, "id", onDelete: .cascade))
            .field("event_id", .string, .required)
            .field("event_type", .string, .required)
            .field("delivery_id", .string, .required)
            .field("at", .datetime, .required)
            .field("status", .int)
            .field("milliseconds", .int, .required)
            .field("succeeded", .bool, .required)
            .field("reason", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        let store = FluentSmartcarWebhookStore.self
        try await database.schema(store.deliveries).delete()
        try await database.schema(store.subscriptions).delete()
        try await database.schema(store.webhooks).delete()
    }
}
