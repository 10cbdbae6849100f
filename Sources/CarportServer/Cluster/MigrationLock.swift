import FluentPostgresDriver
import Logging
import PostgresNIO

/// Nodes starting together on one PostgreSQL database migrate one at a time: each holds a session-level advisory
/// lock on a connection of its own while it migrates, so the next node waits and then finds nothing left to do.
/// The lock belongs to the session, so a node killed while migrating releases it. SQLite has one node.
enum MigrationLock {
    /// The advisory lock's key: "carport" in ASCII.
    static let key: Int64 = 0x63_61_72_70_6F_72_74

    static func holding(_ location: DatabaseLocation, logger: Logger, _ body: () async throws -> Void) async throws {
        guard case .postgres(let url) = location else { return try await body() }
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            for try await _ in try await connection.query("SELECT pg_advisory_lock(\(key))", logger: logger) {}
            try await body()
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()  // ending the session releases the lock
    }
}
