import CarportCore
import Fluent
import Foundation
import SQLKit

/// `ConnectSessionStore` over the database: each session sealed (AES-GCM) as one JSON payload, since its steps
/// carry keys and the brand's state; owner, kind and whether it finished stay plain for lookups.
struct FluentConnectSessionStore: ConnectSessionStore, LazyDatabaseStore {
    static let schema = "connect_sessions"
    let resolveDatabase: @Sendable () -> any Database
    let box: SecretBox

    func insert(_ session: ConnectSession) async throws {
        try await sql.insert(into: Self.schema)
            .columns("id", "application_id", "user_id", "kind", "finished", "sealed", "created_at")
            .values(SQLBind(session.id), SQLBind(session.applicationID), SQLBind(session.userID),
                    SQLBind(session.kind.rawValue), SQLBind(session.isFinished), SQLBind(try seal(session)),
                    SQLBind(session.createdAt))
            .run()
    }

    func update(_ session: ConnectSession) async throws {
        try await sql.update(Self.schema).set("finished", to: SQLBind(session.isFinished))
            .set("sealed", to: SQLBind(try seal(session))).where("id", .equal, SQLBind(session.id)).run()
    }

    func session(id: UUID, userID: UUID) async throws -> ConnectSession? {
        try await sessions { $0.where("id", .equal, SQLBind(id)).where("user_id", .equal, SQLBind(userID)) }.first
    }

    func session(id: UUID) async throws -> ConnectSession? {
        try await sessions { $0.where("id", .equal, SQLBind(id)) }.first
    }

    func unfinished(userID: UUID, kinds: [ConnectSession.Kind]) async throws -> [ConnectSession] {
        try await sessions {
            $0.where("user_id", .equal, SQLBind(userID)).where("finished", .equal, SQLBind(false))
                .where("kind", .in, SQLBind.group(kinds.map(\.rawValue))).orderBy("created_at")
        }
    }

    private func sessions(_ filter: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [ConnectSession] {
        try await filter(sql.select().column("sealed").from(Self.schema)).all().map { row in
            try JSONDecoder().decode(ConnectSession.self, from: try box.open(try row.decode(column: "sealed", as: String.self)))
        }
    }

    private func seal(_ session: ConnectSession) throws -> String { try box.seal(try JSONEncoder().encode(session)) }
}
