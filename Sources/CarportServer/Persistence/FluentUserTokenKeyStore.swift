import CarportCore
import Fluent
import Foundation
import SQLKit

/// `UserTokenKeyStore` over the database; the HMAC key is sealed (AES-GCM) with the data key.
struct FluentUserTokenKeyStore: UserTokenKeyStore, LazyDatabaseStore {
    static let schema = "user_token_keys"
    let resolveDatabase: @Sendable () -> any Database
    let box: SecretBox

    func key(applicationID: UUID) async throws -> UserTokenKey? {
        guard let row = try await sql.select().columns("issuer", "audience", "sealed_key").from(Self.schema)
            .where("application_id", .equal, SQLBind(applicationID)).first()
        else { return nil }
        return UserTokenKey(
            applicationID: applicationID, issuer: try row.decode(column: "issuer", as: String.self),
            audience: try row.decode(column: "audience", as: String.self),
            secret: try box.open(try row.decode(column: "sealed_key", as: String.self)))
    }

    func save(_ key: UserTokenKey) async throws {
        try await sql.insert(into: Self.schema).columns("id", "application_id", "issuer", "audience", "sealed_key", "created_at")
            .values(SQLBind(UUID()), SQLBind(key.applicationID), SQLBind(key.issuer), SQLBind(key.audience),
                    SQLBind(try box.seal(key.secret)), SQLBind(Date()))
            .onConflict(with: ["application_id"]) {
                $0.set(excludedValueOf: "issuer").set(excludedValueOf: "audience").set(excludedValueOf: "sealed_key")
                    .set(excludedValueOf: "created_at")
            }
            .run()
    }
}
