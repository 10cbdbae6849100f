import CarportCore
import Fluent
import Foundation
import SQLKit

/// Charge actions of the Enode face, one row each.
struct FluentChargeActionStore: LazyDatabaseStore {
    static let schema = "charge_actions"
    let resolveDatabase: @Sendable () -> any Database

    func action(id: UUID) async throws -> ChargeAction? {
        try await actions { $0.where("id", .equal, SQLBind(id)) }.first
    }

    /// The device's pending action, if any.
    func pending(targetID: UUID) async throws -> ChargeAction? {
        try await actions {
            $0.where("target_id", .equal, SQLBind(targetID)).where("state", .equal, SQLBind(ChargeAction.State.pending.rawValue))
                .orderBy("created_at", .descending)
        }.first
    }

    /// Inserts a new (pending) action, or records how a pending one ended. False when the stored action was no longer
    /// pending (another request or node ended it first): an action ends once.
    func save(_ action: ChargeAction) async throws -> Bool {
        let values: [(String, any Encodable & Sendable)] = [
            ("state", action.state.rawValue), ("failure_type", action.failureType), ("failure_detail", action.failureDetail),
            ("updated_at", action.updatedAt), ("completed_at", action.completedAt),
        ]
        if action.state == .pending {
            let fixed: [(String, any Encodable & Sendable)] = [
                ("id", action.id), ("application_id", action.applicationID), ("user_id", action.userID),
                ("target_type", action.targetType.rawValue), ("target_id", action.targetID), ("kind", action.kind.rawValue), ("created_at", action.createdAt),
            ]
            try await sql.insert(into: Self.schema).columns((fixed + values).map(\.0)).values((fixed + values).map { SQLBind($0.1) }).run()
            return true
        }
        var update = try sql.update(Self.schema).where("id", .equal, SQLBind(action.id))
            .where("state", .equal, SQLBind(ChargeAction.State.pending.rawValue))
        for (column, value) in values { update = update.set(SQLIdentifier(column), to: SQLBind(value)) }
        return try await !update.returning("id").all().isEmpty
    }

    private func actions(_ filter: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [ChargeAction] {
        try await filter(sql.select().column("*").from(Self.schema)).all().map { row in
            ChargeAction(
                id: try row.decode(column: "id", as: UUID.self), applicationID: try row.decode(column: "application_id", as: UUID.self),
                userID: try row.decode(column: "user_id", as: UUID.self),
                targetType: ChargeAction.TargetType(rawValue: try row.decode(column: "target_type", as: String.self)) ?? .vehicle,
                targetID: try row.decode(column: "target_id", as: UUID.self),
                kind: ChargeAction.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .start,
                state: ChargeAction.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
                failureType: try row.decode(column: "failure_type", as: String?.self),
                failureDetail: try row.decode(column: "failure_detail", as: String?.self),
                createdAt: try row.decode(column: "created_at", as: Date.self), updatedAt: try row.decode(column: "updated_at", as: Date.self),
                completedAt: try row.decode(column: "completed_at", as: Date?.self))
        }
    }
}
