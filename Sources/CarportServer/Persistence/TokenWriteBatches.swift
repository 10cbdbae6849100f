import CarportCore
import Fluent
import Foundation
import SQLKit

/// The token endpoint's writes, group-committed per process: refresh-token rotations (per batch, one INSERT … SELECT
/// stores the replacements and one UPDATE … RETURNING claims the tokens) and new tokens of other grants (one
/// INSERT). Under load a grant then shares its statements, commit and WAL pages with the grants that arrived alongside.
final class TokenWriteBatches: Sendable {
    struct Rotation: Sendable {
        let digest: String
        let applicationID: UUID
        let at: Date
        let replacements: [TokenReplacement]
    }

    let rotations: GroupCommit<Rotation, StoredToken?>
    let inserts: GroupCommit<[StoredToken], Void>

    init(resolveDatabase: @escaping @Sendable () -> any Database) {
        rotations = GroupCommit(maxBatch: 64) { rotations in
            try await Self.rotate(rotations, on: try Self.sql(resolveDatabase()))
        }
        inserts = GroupCommit(maxBatch: 64) { groups in
            try await Self.insert(groups.flatMap { $0 }, on: try Self.sql(resolveDatabase()))
            return groups.map { _ in () }
        }
    }

    /// Replacements first, claims second, each one statement (no transaction, so no BEGIN and COMMIT round trips):
    /// a replay that finds a token used therefore always finds its replacements in the family it revokes. The
    /// replacements of a rotation that claimed nothing (the same token earlier in the batch, or claimed, revoked or
    /// expired in between) are deleted again. A crash between the two statements leaves replacements nobody holds
    /// the secrets of, which expire.
    static func rotate(_ rotations: [Rotation], on sql: any SQLDatabase) async throws -> [StoredToken?] {
        try await insertReplacements(rotations, on: sql)
        let claimed = try await claim(rotations, on: sql)
        let orphans = zip(rotations, claimed).filter { $0.1 == nil }.flatMap { $0.0.replacements.map(\.digest) }
        if !orphans.isEmpty {
            try await sql.delete(from: TokenModel.schema).where("digest", .in, orphans).run()
        }
        return claimed
    }

    /// Stores each rotation's replacements, with application, grant, family and scope of the token they replace,
    /// if that token is the application's and claimable now.
    static func insertReplacements(_ rotations: [Rotation], on sql: any SQLDatabase) async throws {
        let rows: [SQLQueryString] = rotations.flatMap { rotation in
            rotation.replacements.map { new -> SQLQueryString in
                let values: [any Encodable & Sendable] = [SecureRandom.timeOrderedUUID(), new.digest, new.kind.rawValue, new.issuedAt,
                                                          new.expiresAt, rotation.digest, rotation.applicationID, rotation.at]
                return "(\(binds: values))"
            }
        }
        guard !rows.isEmpty else { return }
        let query: SQLQueryString = """
            INSERT INTO \(ident: TokenModel.schema) (id, digest, kind, application_id, grant_id, family_id, scope, issued_at, expires_at)
            SELECT fresh.column1, fresh.column2, fresh.column3, replaced.application_id, replaced.grant_id,
                   replaced.family_id, replaced.scope, fresh.column4, fresh.column5
            FROM (VALUES \(rows.joined(separator: ", "))) AS fresh
            JOIN \(ident: TokenModel.schema) AS replaced
              ON replaced.digest = fresh.column6 AND replaced.application_id = fresh.column7
            WHERE replaced.kind = \(bind: TokenKind.refresh.rawValue) AND replaced.used_at IS NULL
              AND replaced.revoked_at IS NULL AND replaced.expires_at > fresh.column8
              AND replaced.grant_id IS NOT NULL AND replaced.family_id IS NOT NULL
            """
        try await sql.raw(query).run()
    }

    /// Marks each refresh token used if it is the application's, unused, unrevoked and unexpired at its claim time.
    static func claim(_ claims: [Rotation], on sql: any SQLDatabase) async throws -> [StoredToken?] {
        let rows = try await sql.update(TokenModel.schema)
            .set("used_at", to: claims.map(\.at).max()!)
            .where("kind", .equal, TokenKind.refresh.rawValue)
            .where("used_at", .is, SQLLiteral.null)
            .where("revoked_at", .is, SQLLiteral.null)
            .where(group: { group in
                for claim in claims {
                    group.orWhere(group: { term in
                        term.where("digest", .equal, claim.digest)
                            .where("application_id", .equal, claim.applicationID)
                            .where("expires_at", .greaterThan, claim.at)
                    })
                }
                return group
            })
            .returning(tokenColumns.map { SQLColumn($0) })
            .all()
        var claimed: [String: StoredToken] = [:]
        for row in rows {
            if let token = try storedToken(row) { claimed[token.digest] = token }
        }
        // The same token twice in one batch (a replay racing its original) is claimed once, by the first in order:
        // the second then sees it used, as if the two had run one after the other.
        return claims.map { claim in
            guard let token = claimed[claim.digest], token.applicationID == claim.applicationID else { return nil }
            claimed[claim.digest] = nil
            return token
        }
    }

    static func insert(_ tokens: [StoredToken], on sql: any SQLDatabase) async throws {
        guard !tokens.isEmpty else { return }
        var insert = sql.insert(into: TokenModel.schema).columns(tokenColumns)
        for token in tokens {
            insert = insert.values([
                SQLBind(SecureRandom.timeOrderedUUID()), SQLBind(token.digest), SQLBind(token.kind.rawValue),
                SQLBind(token.applicationID), SQLBind(token.grantID), SQLBind(token.familyID), SQLBind(token.scope),
                SQLBind(token.issuedAt), SQLBind(token.expiresAt), SQLBind(token.usedAt), SQLBind(token.revokedAt),
            ])
        }
        try await insert.run()
    }

    static let tokenColumns = ["id", "digest", "kind", "application_id", "grant_id", "family_id", "scope",
                               "issued_at", "expires_at", "used_at", "revoked_at"]

    static func storedToken(_ row: any SQLRow) throws -> StoredToken? {
        guard let kind = TokenKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
        return StoredToken(
            digest: try row.decode(column: "digest", as: String.self), kind: kind,
            applicationID: try row.decode(column: "application_id", as: UUID.self),
            grantID: try row.decode(column: "grant_id", as: UUID?.self),
            familyID: try row.decode(column: "family_id", as: UUID?.self),
            scope: try row.decode(column: "scope", as: String.self),
            issuedAt: try row.decode(column: "issued_at", as: Date.self),
            expiresAt: try row.decode(column: "expires_at", as: Date.self),
            usedAt: try row.decode(column: "used_at", as: Date?.self),
            revokedAt: try row.decode(column: "revoked_at", as: Date?.self))
    }

    private static func sql(_ database: any Database) throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
        return sql
    }
}
