import CarportConnectors
import CarportCore
import Fluent
import Foundation
import SQLKit

/// `TeslaCredentialStore` over the database: each account's tokens sealed (AES-GCM) as one JSON payload.
struct FluentTeslaCredentialStore: TeslaCredentialStore, LazyDatabaseStore {
    static let schema = "brand_credentials"
    let resolveDatabase: @Sendable () -> any Database
    let box: SecretBox

    func credentials(applicationID: UUID, accountKey: String) async throws -> TeslaCredentials? {
        guard let row = try await sql.select().column("sealed").from(Self.schema)
            .where("application_id", .equal, SQLBind(applicationID)).where("account_key", .equal, SQLBind(accountKey)).first()
        else { return nil }
        let sealed = try row.decode(column: "sealed", as: String.self)
        return try JSONDecoder().decode(TeslaCredentials.self, from: try box.open(sealed))
    }

    func save(_ credentials: TeslaCredentials, applicationID: UUID, accountKey: String) async throws {
        let sealed = try box.seal(try JSONEncoder().encode(credentials))
        try await sql.insert(into: Self.schema).columns("id", "application_id", "account_key", "sealed", "updated_at")
            .values(SQLBind(UUID()), SQLBind(applicationID), SQLBind(accountKey), SQLBind(sealed), SQLBind(Date()))
            .onConflict(with: ["application_id", "account_key"]) {
                $0.set(excludedValueOf: "sealed").set(excludedValueOf: "updated_at")
            }
            .run()
    }
}
