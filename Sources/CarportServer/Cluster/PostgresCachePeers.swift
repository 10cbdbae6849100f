import CarportCore
import Foundation
import Logging
import Fluent
import FluentPostgresDriver
import SQLKit

/// The nodes on one PostgreSQL database tell each other what they dropped from their caches: `NOTIFY` on the
/// channel `carport_cache` with `<node> <drop>`, and one connection per node that `LISTEN`s and drops what the
/// others announce (`run`). A node ignores its own announcements. After the listening connection is lost and
/// re-established the node drops everything, since it may have missed announcements meanwhile; the caches' own
/// expiry (5 s for grants and applications) bounds what a node that cannot listen at all serves stale.
final class PostgresCachePeers: CachePeers {
    static let channel = "carport_cache"

    let nodeID = UUID().uuidString
    private let url: String
    /// Nil once the application has shut down (an announcement still on its way is then dropped).
    private let database: @Sendable () -> (any Database)?
    private let logger: Logger

    init(url: String, database: @escaping @Sendable () -> (any Database)?, logger: Logger) {
        self.url = url
        self.database = database
        self.logger = logger
    }

    func announce(_ drop: CacheDrop) {
        let message = "\(nodeID) \(drop.text)"
        Task { [database, logger] in
            do {
                guard let sql = database() as? any SQLDatabase else { return }  // shut down, or not SQL
                try await sql.raw("SELECT pg_notify(\(bind: Self.channel), \(bind: message))").run()
            } catch {
                logger.warning("cannot announce a cache drop to the other nodes: \(error)")
            }
        }
    }

    /// Listens until cancelled, reconnecting after a second when the connection fails; `apply` gets every other
    /// node's drop, and `.everything` once the listener is (re)connected.
    func run(apply: @escaping @Sendable (CacheDrop) -> Void, onListening: @escaping @Sendable () -> Void = {}) async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
                let connection = try await PostgresConnection.connect(configuration: configuration, id: attempt, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.channel) { notifications in
                    apply(.everything)
                    onListening()
                    for try await notification in notifications {
                        let parts = notification.payload.split(separator: " ", maxSplits: 1).map(String.init)
                        guard parts.count == 2, parts[0] != nodeID else { continue }
                        guard let drop = CacheDrop(text: parts[1]) else {
                            logger.warning("unreadable cache announcement: \(notification.payload)")
                            continue
                        }
                        apply(drop)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("cache announcements: listening failed, retrying in 1 s: \(error)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
