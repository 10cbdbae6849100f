import CarportCore
import Fluent
import Foundation
import SQLKit

/// `SmartcarWebhookStore` in SQL. A definition's codes are one comma-separated column whose meaning follows its
/// kind: trigger signals (current), read endpoints (scheduled) or charging events (eventBased); `signals` holds a
/// current webhook's subscribed signals.
struct FluentSmartcarWebhookStore: SmartcarWebhookStore, LazyDatabaseStore {
    static let webhooks = "smartcar_webhooks"
    static let subscriptions = "smartcar_webhook_subscriptions"
    static let deliveries = "smartcar_webhook_deliveries"
    let resolveDatabase: @Sendable () -> any Database

    func save(_ webhook: SmartcarWebhook) async throws {
        let (codes, signals, interval): ([String], [String], Int?) = switch webhook.kind {
        case .current(let triggers, let signals): (triggers.map(\.rawValue), signals.map(\.rawValue), nil)
        case .scheduled(let interval, let endpoints): (endpoints, [], interval)
        case .eventBased(let events): (events.map(\.rawValue), [], nil)
        }
        let values: [(String, any Encodable & Sendable)] = [
            ("application_id", webhook.applicationID), ("name", webhook.name), ("url", webhook.url),
            ("error_url", webhook.errorURL), ("kind", webhook.kind.name), ("codes", codes.joined(separator: ",")),
            ("signals", signals.joined(separator: ",")), ("interval_seconds", interval), ("is_enabled", webhook.isEnabled),
            ("all_vehicles", webhook.subscribesAllVehicles), ("verified_at", webhook.verifiedAt), ("created_at", webhook.createdAt),
        ]
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            let exists = try await sql.select().column("id").from(Self.webhooks).where("id", .equal, SQLBind(webhook.id)).first() != nil
            if exists {
                var update = sql.update(Self.webhooks).where("id", .equal, SQLBind(webhook.id))
                for (column, value) in values { update = update.set(SQLIdentifier(column), to: SQLBind(value)) }
                try await update.run()
            } else {
                try await sql.insert(into: Self.webhooks).columns(["id"] + values.map(\.0))
                    .values([SQLBind(webhook.id)] + values.map { SQLBind($0.1) }).run()
            }
        }
    }

    func webhook(id: UUID) async throws -> SmartcarWebhook? {
        try await sql.select().column("*").from(Self.webhooks).where("id", .equal, SQLBind(id)).first().map(Self.webhook(from:))
    }

    func webhooks(applicationID: UUID?) async throws -> [SmartcarWebhook] {
        var select = try sql.select().column("*").from(Self.webhooks)
        if let applicationID { select = select.where("application_id", .equal, SQLBind(applicationID)) }
        return try await select.orderBy("created_at").all().map(Self.webhook(from:))
    }

    func delete(id: UUID) async throws -> Bool {
        guard try await webhook(id: id) != nil else { return false }
        let sql = try sql
        try await sql.delete(from: FluentWebhookStore.events).where("smartcar_webhook_id", .equal, SQLBind(id)).run()
        try await sql.delete(from: Self.deliveries).where("webhook_id", .equal, SQLBind(id)).run()
        try await sql.delete(from: Self.subscriptions).where("webhook_id", .equal, SQLBind(id)).run()
        try await sql.delete(from: Self.webhooks).where("id", .equal, SQLBind(id)).run()
        return true
    }

    func subscribe(webhookID: UUID, vehicleID: UUID, at time: Date) async throws -> Bool {
        let sql = try sql
        let rows = try await sql.raw("""
            INSERT INTO \(ident: Self.subscriptions) (webhook_id, vehicle_id, subscribed_at)
            VALUES (\(bind: webhookID), \(bind: vehicleID), \(bind: time)) ON CONFLICT (webhook_id, vehicle_id) DO NOTHING
            RETURNING webhook_id
            """).all()
        return !rows.isEmpty
    }

    func unsubscribe(webhookID: UUID, vehicleID: UUID) async throws -> Bool {
        let sql = try sql
        let rows = try await sql.raw("""
            DELETE FROM \(ident: Self.subscriptions) WHERE webhook_id = \(bind: webhookID) AND vehicle_id = \(bind: vehicleID)
            RETURNING webhook_id
            """).all()
        return !rows.isEmpty
    }

    func subscribedVehicles(webhookID: UUID, among vehicleID: UUID?) async throws -> [UUID] {
        var select = try sql.select().column("vehicle_id").from(Self.subscriptions).where("webhook_id", .equal, SQLBind(webhookID))
        if let vehicleID { select = select.where("vehicle_id", .equal, SQLBind(vehicleID)) }
        return try await select.orderBy("subscribed_at").all().map { try $0.decode(column: "vehicle_id", as: UUID.self) }
    }

    func record(_ attempt: SmartcarDeliveryAttempt) async throws {
        try await sql.insert(into: Self.deliveries).columns(Self.deliveryColumns).values(Self.values(of: attempt)).run()
    }

    private static let deliveryColumns = ["id", "webhook_id", "event_id", "event_type", "delivery_id", "at", "status", "milliseconds",
                                          "succeeded", "reason"]

    private static func values(of attempt: SmartcarDeliveryAttempt) -> [any SQLExpression] {
        [SQLBind(UUID()), SQLBind(attempt.webhookID), SQLBind(attempt.eventID), SQLBind(attempt.eventType), SQLBind(attempt.deliveryID),
         SQLBind(attempt.at), SQLBind(attempt.status), SQLBind(attempt.milliseconds), SQLBind(attempt.succeeded), SQLBind(attempt.reason)]
    }

    func deliveries(webhookID: UUID, limit: Int) async throws -> [SmartcarDeliveryAttempt] {
        try await sql.select().column("*").from(Self.deliveries).where("webhook_id", .equal, SQLBind(webhookID))
            .orderBy("at", .descending).limit(limit).all().map { row in
                SmartcarDeliveryAttempt(
                    webhookID: webhookID, eventID: try row.decode(column: "event_id", as: String.self),
                    eventType: try row.decode(column: "event_type", as: String.self),
                    deliveryID: try row.decode(column: "delivery_id", as: String.self),
                    at: try row.decode(column: "at", as: Date.self), status: try row.decode(column: "status", as: Int?.self),
                    milliseconds: try row.decode(column: "milliseconds", as: Int.self),
                    succeeded: try row.decode(column: "succeeded", as: Bool.self),
                    reason: try row.decode(column: "reason", as: String?.self))
            }
    }

    /// One statement claims the events; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent nodes pass over each
    /// other's rows.
    func claimDue(at time: Date, leaseUntil: Date, limit: Int) async throws -> [SmartcarQueuedEvent] {
        let sql = try sql
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let events = FluentWebhookStore.events
        return try await sql.raw("""
            UPDATE \(ident: events) SET lease_until = \(bind: leaseUntil) WHERE id IN (
                SELECT id FROM \(ident: events)
                WHERE smartcar_webhook_id IS NOT NULL AND next_attempt_at <= \(bind: time)
                AND (lease_until IS NULL OR lease_until <= \(bind: time))
                ORDER BY next_attempt_at LIMIT \(literal: limit)\(unsafeRaw: lock))
            RETURNING *
            """).all().map { row in
                SmartcarQueuedEvent(
                    rowID: try row.decode(column: "id", as: UUID.self), webhookID: try row.decode(column: "smartcar_webhook_id", as: UUID.self),
                    applicationID: try row.decode(column: "application_id", as: UUID.self),
                    eventID: try row.decode(column: "event_id", as: String.self), eventType: try row.decode(column: "event_type", as: String.self),
                    payload: Data(try row.decode(column: "payload", as: String.self).utf8), attempts: try row.decode(column: "attempts", as: Int.self))
            }
    }

    func settle(_ outcomes: [SmartcarDeliveryOutcome]) async throws {
        guard !outcomes.isEmpty else { return }
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            let attempts = outcomes.compactMap(\.attempt)
            for chunk in stride(from: 0, to: attempts.count, by: 100).map({ attempts[$0..<min($0 + 100, attempts.count)] }) {
                var insert = sql.insert(into: Self.deliveries).columns(Self.deliveryColumns)
                for attempt in chunk { insert = insert.values(Self.values(of: attempt)) }
                try await insert.run()
            }
            let removed = outcomes.filter { $0.retryAt == nil }.map { SQLBind($0.event.rowID) }
            if !removed.isEmpty {
                try await sql.delete(from: FluentWebhookStore.events).where("id", .in, SQLGroupExpression(SQLList(removed))).run()
            }
            for outcome in outcomes {
                guard let next = outcome.retryAt else { continue }
                try await sql.update(FluentWebhookStore.events).where("id", .equal, SQLBind(outcome.event.rowID))
                    .set("attempts", to: SQLBind(outcome.event.attempts)).set("next_attempt_at", to: SQLBind(next))
                    .set("lease_until", to: SQLBind(Date?.none)).run()
            }
        }
    }

    /// Queues events in `database` — a transaction that also saves the snapshots they were computed from.
    static func enqueue(_ events: [SmartcarQueuedEvent], in database: any Database, at time: Date = Date()) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
        for (index, event) in events.enumerated() {
            let created = time.addingTimeInterval(Double(index) / 1000)
            try await sql.insert(into: FluentWebhookStore.events)
                .columns("id", "application_id", "payload", "created_at", "smartcar_webhook_id", "event_id", "event_type", "attempts", "next_attempt_at")
                .values(SQLBind(event.rowID), SQLBind(event.applicationID), SQLBind(String(decoding: event.payload, as: UTF8.self)),
                        SQLBind(created), SQLBind(event.webhookID), SQLBind(event.eventID), SQLBind(event.eventType), SQLBind(0), SQLBind(created))
                .run()
        }
    }

    /// The trigger values (and error state) a subscription's last event was computed from; nil before its first.
    func snapshot(webhookID: UUID, vehicleID: UUID) async throws -> String? {
        try await sql.select().column("snapshot").from(Self.subscriptions).where("webhook_id", .equal, SQLBind(webhookID))
            .where("vehicle_id", .equal, SQLBind(vehicleID)).first()?.decode(column: "snapshot", as: String?.self)
    }

    static func saveSnapshot(_ snapshot: String, webhookID: UUID, vehicleID: UUID, in database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
        try await sql.update(subscriptions).where("webhook_id", .equal, SQLBind(webhookID)).where("vehicle_id", .equal, SQLBind(vehicleID))
            .set("snapshot", to: SQLBind(snapshot)).run()
    }

    private static func webhook(from row: any SQLRow) throws -> SmartcarWebhook {
        func list(_ column: String) throws -> [String] {
            try row.decode(column: column, as: String.self).split(separator: ",").map(String.init)
        }
        let kind: SmartcarWebhook.Kind
        switch try row.decode(column: "kind", as: String.self) {
        case "scheduled":
            kind = .scheduled(interval: try row.decode(column: "interval_seconds", as: Int?.self) ?? 86_400, endpoints: try list("codes"))
        case "eventBased":
            kind = .eventBased(events: try list("codes").compactMap(SmartcarChargingEvent.init(rawValue:)))
        default:
            kind = .current(triggers: try list("codes").compactMap(SmartcarSignalCode.init(rawValue:)),
                            signals: try list("signals").compactMap(SmartcarSignalCode.init(rawValue:)))
        }
        return SmartcarWebhook(
            id: try row.decode(column: "id", as: UUID.self), applicationID: try row.decode(column: "application_id", as: UUID.self),
            name: try row.decode(column: "name", as: String.self), url: try row.decode(column: "url", as: String.self),
            errorURL: try row.decode(column: "error_url", as: String?.self), kind: kind,
            isEnabled: try row.decode(column: "is_enabled", as: Bool.self),
            subscribesAllVehicles: try row.decode(column: "all_vehicles", as: Bool.self),
            verifiedAt: try row.decode(column: "verified_at", as: Date?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }
}
