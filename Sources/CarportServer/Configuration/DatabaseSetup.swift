import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

/// Registers the configured database with Fluent and proves it can be reached.
enum DatabaseSetup {
    static func register(_ location: DatabaseLocation, on app: Application) throws(StartupError) {
        switch location {
        case .sqlite(let path):
            app.databases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url):
            do {
                app.databases.use(
                    try .postgres(url: url, connectionPoolTimeout: .seconds(5), sqlLogLevel: .trace), as: .psql)
            } catch {
                throw StartupError("DATABASE_URL is malformed: \(error)")
            }
        }
    }

    /// SQLite runs in write-ahead-log mode (readers never wait for the writer; the setting stays with the file)
    /// with `synchronous=NORMAL`, which syncs at checkpoints rather than at every commit: the file cannot be
    /// corrupted, but the last transactions before a power loss may be lost. Use PostgreSQL where that matters.
    /// `synchronous` and `busy_timeout` belong to a connection; Fluent keeps one long-lived SQLite connection per
    /// event loop.
    static func tune(_ location: DatabaseLocation, on app: Application) async throws {
        guard case .sqlite = location else { return }
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let sql = app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await sql.raw("PRAGMA synchronous=NORMAL").run()
            // SQLiteNIO's busy handler retries at once, forever: two connections contending for the write lock spin
            // on the CPU they share with the work that would release it. SQLite's own handler sleeps and gives up
            // after 5 s instead (about +25 % refresh grants per second measured on 2 cores).
            try await sql.raw("PRAGMA busy_timeout=5000").run()
            // A checkpoint every 4,000 WAL pages (16 MB) instead of 1,000: a page written many times between two
            // checkpoints is copied back once, and the writer that runs the checkpoint stalls a quarter as often
            // (refresh grants: about +20 % per second on 2 cores).
            try await sql.raw("PRAGMA wal_autocheckpoint=4000").run()
        }
    }

    /// Fails with a plain reason when the database does not answer within a few seconds.
    static func checkReachable(_ location: DatabaseLocation, on app: Application) async throws(StartupError) {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await DatabaseProbe.check(app.db) }
                group.addTask {
                    try await Task.sleep(for: .seconds(8))
                    throw StartupError("timed out")
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            throw StartupError("cannot reach the database (\(location.redacted)): \(plainReason(error))")
        }
    }

    private static func plainReason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if text.contains("timed out") || text.contains("Timeout") { return "timed out" }
        if let psql = error as? PSQLError, let message = psql.serverInfo?[.message] { return message }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
