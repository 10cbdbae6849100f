import Fluent

/// Brand tokens (Tesla's) per application and brand account, sealed with the data key.
struct M009CreateBrandCredentials: AsyncMigration {
    var name: String { "009_create_brand_credentials" }

    func prepare(on database: any Database) async throws {
        try await database.schema(FluentTeslaCredentialStore.schema)
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("account_key", .string, .required)
            .field("sealed", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "application_id", "account_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(FluentTeslaCredentialStore.schema).delete()
    }
}
