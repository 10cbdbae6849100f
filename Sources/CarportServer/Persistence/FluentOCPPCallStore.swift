import Fluent
import Foundation
import SQLKit

/// A CALL asked for a charger, as a row: queued until the node holding the charger's socket claims it (`sent`),
/// then `answered` with the charger's CALLRESULT payload or `failed` with the reason. Nobody sends it after
/// `expiresAt`, so a late claim cannot reach a charger after its asker gave up.
struct OCPPCall: Sendable, Equatable {
    enum Status: String, Sendable { case queued, sent, answered, failed }

    var id: UUID
    var chargePointID: String
    var action: String
    var payload: JSONValue
    /// How long the sending node waits for the charger's answer.
    var timeout: Double
    var status: Status
    var answer: JSONValue? = nil
    var failure: OCPPLink.Failure? = nil
    var createdAt: Date
    var expiresAt: Date
}

struct FluentOCPPCallStore: LazyDatabaseStore {
    static let table = "ocpp_calls"
    let resolveDatabase: @Sendable () -> any Database

    func insert(_ call: OCPPCall) async throws {
        try await sql.insert(into: Self.table)
            .columns("id", "charge_point_id", "action", "payload", "timeout_seconds", "status", "created_at", "expires_at")
            .values(SQLBind(call.id), SQLBind(call.chargePointID), SQLBind(call.action), SQLBind(call.payload.text), SQLBind(call.timeout),
                    SQLBind(call.status.rawValue), SQLBind(call.createdAt), SQLBind(call.expiresAt))
            .run()
    }

    func call(id: UUID) async throws -> OCPPCall? {
        try await sql.select().column("*").from(Self.table).where("id", .equal, SQLBind(id)).first().map(Self.call)
    }

    /// The queued calls nobody has given up on, oldest first.
    func queued(now: Date, limit: Int = 100) async throws -> [OCPPCall] {
        try await sql.select().column("*").from(Self.table).where("status", .equal, SQLBind(OCPPCall.Status.queued.rawValue))
            .where("expires_at", .greaterThan, SQLBind(now)).orderBy("created_at").limit(limit).all().map(Self.call)
    }

    /// Takes a queued call for `node`; false when another node took it, its asker gave up or it expired.
    func claim(id: UUID, node: String, now: Date) async throws -> Bool {
        try await !sql.raw("""
            UPDATE \(ident: Self.table) SET status = \(bind: OCPPCall.Status.sent.rawValue), node = \(bind: node)
            WHERE id = \(bind: id) AND status = \(bind: OCPPCall.Status.queued.rawValue) AND expires_at > \(bind: now)
            RETURNING id
            """).all().isEmpty
    }

    /// Ends a call with the charger's answer or the reason it has none, if it is still in one of `statuses`.
    func finish(id: UUID, answer: JSONValue? = nil, failure: OCPPLink.Failure? = nil, from statuses: [OCPPCall.Status] = [.sent])
        async throws -> Bool {
        let failureText = try failure.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return try await !sql.raw("""
            UPDATE \(ident: Self.table) SET status = \(bind: (answer != nil ? OCPPCall.Status.answered : .failed).rawValue),
            answer = \(bind: answer?.text), failure = \(bind: failureText)
            WHERE id = \(bind: id) AND status IN (\(binds: statuses.map(\.rawValue)))
            RETURNING id
            """).all().isEmpty
    }

    /// Forgets calls that ended or expired before `time`.
    func purge(before time: Date) async throws {
        try await sql.delete(from: Self.table).where("expires_at", .lessThan, SQLBind(time)).run()
    }

    private static func call(_ row: any SQLRow) throws -> OCPPCall {
        OCPPCall(
            id: try row.decode(column: "id", as: UUID.self), chargePointID: try row.decode(column: "charge_point_id", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            payload: try JSONValue.parse(try row.decode(column: "payload", as: String.self)),
            timeout: try row.decode(column: "timeout_seconds", as: Double.self),
            status: OCPPCall.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            answer: try row.decode(column: "answer", as: String?.self).map(JSONValue.parse),
            failure: try row.decode(column: "failure", as: String?.self).map { try JSONDecoder().decode(OCPPLink.Failure.self, from: Data($0.utf8)) },
            createdAt: try row.decode(column: "created_at", as: Date.self), expiresAt: try row.decode(column: "expires_at", as: Date.self))
    }
}
