import Fluent

/// Smartcar webhooks (the Smartcar face): several per application, the vehicles subscribed to each (with the last
/// trigger values an event was computed from), and the log of delivery attempts. Their events wait in the one
/// outbox, `webhook_events`, which gains what a per-event delivery needs: the webhook, the event's id and type,
/// attempts so far, the next attempt and a lease.
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
            .field("snapshot", .string)
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
        // One column per statement: SQLite adds one at a time.
        let events = FluentWebhookStore.events
        try await database.schema(events).field("smartcar_webhook_id", .uuid).update()
        try await database.schema(events).field("event_id", .string).update()
        try await database.schema(events).field("event_type", .string).update()
        try await database.schema(events).field("attempts", .int, .required, .sql(.default(0))).update()
        try await database.schema(events).field("next_attempt_at", .datetime).update()
        try await database.schema(events).field("lease_until", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        let store = FluentSmartcarWebhookStore.self
        for field in ["lease_until", "next_attempt_at", "attempts", "event_type", "event_id", "smartcar_webhook_id"] {
            try await database.schema(FluentWebhookStore.events).deleteField(FieldKey(stringLiteral: field)).update()
        }
        try await database.schema(store.deliveries).delete()
        try await database.schema(store.subscriptions).delete()
        try await database.schema(store.webhooks).delete()
    }
}
