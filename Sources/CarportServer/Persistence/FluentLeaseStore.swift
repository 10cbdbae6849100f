import CarportCore
import Fluent
import Foundation
import SQLKit

/// Leases as rows of one table, taken with a single upsert: the conflict branch takes the row over only when its
/// lease ran out, so of two concurrent claims one inserts or updates and the other gets no row back.
struct FluentLeaseStore: LeaseStore, LazyDatabaseStore {
    static let schema = "leases"
    let resolveDatabase: @Sendable () -> any Database

    func claim(_ name: String, holder: String, until: Date, now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            INSERT INTO \(ident: Self.schema) (name, holder, lease_until) VALUES (\(bind: name), \(bind: holder), \(bind: until))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
            WHERE \(ident: Self.schema).lease_until <= \(bind: now)
            RETURNING name
            """).all()
        return !rows.isEmpty
    }

    func release(_ name: String, holder: String) async throws {
        try await sql.delete(from: Self.schema).where("name", .equal, SQLBind(name)).where("holder", .equal, SQLBind(holder)).run()
    }
}
