import CarportCore
import Fluent

struct M001CreateApplications: AsyncMigration {
    var name: String { "001_create_applications" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationModel.schema)
            .id()
            .field("name", .string, .required)
            .field("redirect_uris", .array(of: .string), .required)
            .field("mode", .string, .required)
            .field("client_secret_digest", .string, .required)
            .field("management_token_digest", .string, .required)
            .field("api_key_digest", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "management_token_digest")
            .unique(on: "api_key_digest")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ApplicationModel.schema).delete()
    }
}
