import Fluent

struct M002CreateApplicationUsers: AsyncMigration {
    var name: String { "002_create_application_users" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationUserModel.schema)
            .id()
            .field("application_id", .uuid, .required,
                   .references(ApplicationModel.schema, "id", onDelete: .cascade))
            .field("external_id", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "application_id", "external_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ApplicationUserModel.schema).delete()
    }
}
