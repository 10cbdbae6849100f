import Fluent

/// Webhook endpoints carry a delivery lease: the worker that claimed one holds it until it records the outcome or
/// the lease runs out (its node died), so two nodes never deliver the same batch.
struct M012AddWebhookLeases: AsyncMigration {
    var name: String { "012_add_webhook_leases" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FluentWebhookStore.endpoints).field("lease_until", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentWebhookStore.endpoints).deleteField("lease_until").update()
    }
}
