import CarportCore
import Foundation
import Logging
import Fluent
import FluentPostgresDriver
import SQLKit

/// The nodes on one PostgreSQL database tell each other what they dropped from their caches: `NOTIFY` on the
/// channel `carport_cache` with `<node> <drop>`, and a `PostgresListener` per node that drops what the others
/// announce (`run`). A node ignores its own announcements. After the listening connection is lost and
/// re-established the node drops everything, since it may have missed announcements meanwhile; the caches' own
/// expiry (5 s for grants and applications) bounds what a node that cannot listen at all serves stale.
final class PostgresCachePeers: CachePeers {
    static let channel = "carport_cache"

    let nodeID: String
    private let url: String
    /// Nil once the application has shut down (an announcement still on its way is then dropped).
    private let database: @Sendable () -> (any Database)?
    private let logger: Logger

    init(nodeID: String, url: String, database: @escaping @Sendable () -> (any Database)?, logger: Logger) {
        self.nodeID = nodeID
        self.url = url
        self.database = database
        self.logger = logger
    }

    func announce(_ drop: CacheDrop) {
        let message = "\(nodeID) \(drop.text)"
        Task { [database, logger] in
            do {
                guard let sql = database() as? any SQLDatabase else { return }  // shut down, or not SQL
                try await PostgresListener.notify(Self.channel, message, on: sql)
            } catch {
                logger.warning("cannot announce a cache drop to the other nodes: \(error)")
            }
        }
    }

    /// Listens until cancelled; `apply` gets every other node's drop, and `.everything` once the listener is
    /// (re)connected.
    func run(apply: @escaping @Sendable (CacheDrop) -> Void, onListening: @escaping @Sendable () -> Void = {}) async {
        await PostgresListener(url: url, channel: Self.channel, logger: logger).run(onConnected: {
            apply(.everything)
            onListening()
        }, onPayload: { [nodeID, logger] payload in
            let parts = payload.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] != nodeID else { return }
            guard let drop = CacheDrop(text: parts[1]) else { return logger.warning("unreadable cache announcement: \(payload)") }
            apply(drop)
        })
    }
}
