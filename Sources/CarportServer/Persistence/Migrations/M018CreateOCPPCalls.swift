import Fluent
import SQLKit

/// CALLs asked for a charger whose socket may be on another node (or by a one-shot command): queued rows that the
/// node holding the socket claims, sends and answers.
struct M018CreateOCPPCalls: AsyncMigration {
    var name: String { "018_create_ocpp_calls" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FluentOCPPCallStore.table)
            .field("id", .uuid, .identifier(auto: false))
            .field("charge_point_id", .string, .required)
            .field("action", .string, .required)
            .field("payload", .string, .required)
            .field("timeout_seconds", .double, .required)
            .field("status", .string, .required)
            .field("answer", .string)
            .field("failure", .string)
            .field("node", .string)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .create()
        try await (database as? any SQLDatabase)?.create(index: "ocpp_calls_by_status").on(FluentOCPPCallStore.table)
            .column("status").column("created_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentOCPPCallStore.table).delete()
    }
}
