import Fluent
import SQLKit

struct M005CreateCodesAndTokens: AsyncMigration {
    var name: String { "005_create_codes_and_tokens" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AuthorizationCodeModel.schema)
            .id()
            .field("digest", .string, .required)
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("grant_id", .uuid, .required, .references(GrantModel.schema, "id", onDelete: .cascade))
            .field("redirect_uri", .string, .required)
            .field("redirect_uri_explicit", .bool, .required)
            .field("code_challenge", .string)
            .field("family_id", .uuid, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "digest")
            .create()
        try await database.schema(TokenModel.schema)
            .id()
            .field("digest", .string, .required)
            .field("kind", .string, .required)
            .field("application_id", .uuid, .required, .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("grant_id", .uuid, .references(GrantModel.schema, "id", onDelete: .cascade))
            .field("family_id", .uuid)
            .field("scope", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "digest")
            .create()
        try await (database as? any SQLDatabase)?
            .create(index: "tokens_family_id").on(TokenModel.schema).column("family_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TokenModel.schema).delete()
        try await database.schema(AuthorizationCodeModel.schema).delete()
    }
}
