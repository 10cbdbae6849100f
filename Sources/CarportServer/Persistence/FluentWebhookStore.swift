import CarportCore
import Fluent
import Foundation
import SQLKit

/// `WebhookStore` in SQL: endpoints with their secret sealed (AES-GCM), the outbox as one row per event. The outbox
/// also holds Smartcar webhooks' events (`smartcar_webhook_id` set), which `FluentSmartcarWebhookStore` delivers.
struct FluentWebhookStore: WebhookStore, LazyDatabaseStore {
    static let endpoints = "webhook_endpoints"
    static let events = "webhook_events"
    let resolveDatabase: @Sendable () -> any Database
    let box: SecretBox

    func endpoint(applicationID: UUID) async throws -> WebhookEndpoint? {
        try await endpoints { $0.where("application_id", .equal, SQLBind(applicationID)) }.first
    }

    func save(_ endpoint: WebhookEndpoint) async throws {
        let sealed = try box.seal(endpoint.secret)
        let values: [(String, any Encodable & Sendable)] = [
            ("url", endpoint.url), ("sealed_secret", sealed), ("is_active", endpoint.isActive),
            ("consecutive_failures", endpoint.consecutiveFailures), ("next_attempt_at", endpoint.nextAttemptAt),
            ("last_success_at", endpoint.lastSuccessAt), ("lease_until", Date?.none),
        ]
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            var update = sql.update(Self.endpoints).where("application_id", .equal, SQLBind(endpoint.applicationID))
            for (column, value) in values { update = update.set(SQLIdentifier(column), to: SQLBind(value)) }
            try await update.run()
            let exists = try await sql.select().column("application_id").from(Self.endpoints)
                .where("application_id", .equal, SQLBind(endpoint.applicationID)).first() != nil
            guard !exists else { return }
            try await sql.insert(into: Self.endpoints).columns(["application_id"] + values.map(\.0))
                .values([SQLBind(endpoint.applicationID)] + values.map { SQLBind($0.1) }).run()
        }
    }

    func deleteEndpoint(applicationID: UUID) async throws -> Bool {
        guard try await endpoint(applicationID: applicationID) != nil else { return false }
        try await sql.delete(from: Self.events).where("application_id", .equal, SQLBind(applicationID))
            .where(SQLColumn("smartcar_webhook_id"), .is, SQLLiteral.null).run()
        try await sql.delete(from: Self.endpoints).where("application_id", .equal, SQLBind(applicationID)).run()
        return true
    }

    func endpoints() async throws -> [WebhookEndpoint] {
        try await endpoints { $0 }
    }

    /// One statement claims the endpoints; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent nodes pass over each
    /// other's rows instead of waiting (SQLite serialises writers).
    func claimDue(at time: Date, leaseUntil: Date, limit: Int) async throws -> [WebhookEndpoint] {
        let sql = try sql
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE \(ident: Self.endpoints) SET lease_until = \(bind: leaseUntil) WHERE application_id IN (
                SELECT application_id FROM \(ident: Self.endpoints)
                WHERE is_active = \(bind: true) AND next_attempt_at <= \(bind: time) AND (lease_until IS NULL OR lease_until <= \(bind: time))
                AND EXISTS (SELECT 1 FROM \(ident: Self.events) WHERE \(ident: Self.events).application_id = \(ident: Self.endpoints).application_id
                            AND \(ident: Self.events).smartcar_webhook_id IS NULL)
                ORDER BY next_attempt_at LIMIT \(literal: limit)\(unsafeRaw: lock))
            RETURNING *
            """).all()
        return try rows.map(endpoint(from:))
    }

    func recordDelivery(_ endpoint: WebhookEndpoint) async throws {
        try await sql.update(Self.endpoints).where("application_id", .equal, SQLBind(endpoint.applicationID))
            .set("is_active", to: SQLBind(endpoint.isActive)).set("consecutive_failures", to: SQLBind(endpoint.consecutiveFailures))
            .set("next_attempt_at", to: SQLBind(endpoint.nextAttemptAt)).set("last_success_at", to: SQLBind(endpoint.lastSuccessAt))
            .set("lease_until", to: SQLBind(Date?.none)).run()
    }

    func release(applicationID: UUID) async throws {
        try await sql.update(Self.endpoints).where("application_id", .equal, SQLBind(applicationID))
            .set("lease_until", to: SQLBind(Date?.none)).run()
    }

    /// Queues events in `database` — a transaction that also saves what produced them, so both or neither stay.
    static func enqueue(_ events: [Data], applicationID: UUID, in database: any Database, box: SecretBox) async throws {
        try await FluentWebhookStore(resolveDatabase: { database }, box: box)
            .enqueue(events.map { QueuedEvent(applicationID: applicationID, json: $0, createdAt: Date()) })
    }

    func enqueue(_ events: [QueuedEvent]) async throws {
        let sql = try sql
        // Rows keep their order through created_at: a millisecond apart within one call.
        for (index, event) in events.enumerated() {
            try await sql.insert(into: Self.events).columns("id", "application_id", "payload", "created_at")
                .values(SQLBind(event.id), SQLBind(event.applicationID), SQLBind(String(decoding: event.json, as: UTF8.self)),
                        SQLBind(event.createdAt.addingTimeInterval(Double(index) / 1000)))
                .run()
        }
    }

    func queued(applicationID: UUID, limit: Int) async throws -> [QueuedEvent] {
        try await sql.select().columns("id", "payload", "created_at").from(Self.events)
            .where("application_id", .equal, SQLBind(applicationID)).where(SQLColumn("smartcar_webhook_id"), .is, SQLLiteral.null)
            .orderBy("created_at").limit(limit).all()
            .map { row in
                QueuedEvent(id: try row.decode(column: "id", as: UUID.self), applicationID: applicationID,
                            json: Data(try row.decode(column: "payload", as: String.self).utf8),
                            createdAt: try row.decode(column: "created_at", as: Date.self))
            }
    }

    func remove(eventIDs: [UUID]) async throws {
        guard !eventIDs.isEmpty else { return }
        try await sql.delete(from: Self.events).where("id", .in, SQLBind.group(eventIDs)).run()
    }

    private func endpoints(_ filter: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [WebhookEndpoint] {
        try await filter(sql.select().column("*").from(Self.endpoints)).all().map(endpoint(from:))
    }

    private func endpoint(from row: any SQLRow) throws -> WebhookEndpoint {
        WebhookEndpoint(
            applicationID: try row.decode(column: "application_id", as: UUID.self),
            url: try row.decode(column: "url", as: String.self),
            secret: try box.openText(try row.decode(column: "sealed_secret", as: String.self)),
            isActive: try row.decode(column: "is_active", as: Bool.self),
            consecutiveFailures: try row.decode(column: "consecutive_failures", as: Int.self),
            nextAttemptAt: try row.decode(column: "next_attempt_at", as: Date.self),
            lastSuccessAt: try row.decode(column: "last_success_at", as: Date?.self))
    }
}
