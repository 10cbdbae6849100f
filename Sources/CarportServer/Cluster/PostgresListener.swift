import Foundation
import Logging
import FluentPostgresDriver
import SQLKit

/// One connection of this node that `LISTEN`s on a PostgreSQL channel until cancelled, reconnecting after a second
/// when it fails. `onConnected` runs each time it is (re)connected: notifications sent meanwhile were missed.
struct PostgresListener: Sendable {
    let url: String
    let channel: String
    let logger: Logger

    func run(onConnected: @escaping @Sendable () -> Void, onPayload: @escaping @Sendable (String) -> Void) async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
                let connection = try await PostgresConnection.connect(configuration: configuration, id: attempt, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: channel) { notifications in
                    onConnected()
                    for try await notification in notifications { onPayload(notification.payload) }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("\(channel): listening failed, retrying in 1 s: \(error)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Sends `payload` to every node listening on `channel` (this one included).
    static func notify(_ channel: String, _ payload: String, on database: any SQLDatabase) async throws {
        try await database.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
    }
}
