import Fluent

struct M006CreateConnectFlows: AsyncMigration {
    var name: String { "006_create_connect_flows" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ConnectFlowRecord.schema)
            .id()
            .field("payload", .string, .required)
            .field("expires_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConnectFlowRecord.schema).delete()
    }
}
