import Fluent

/// The management token kept sealed beside its digest: Smartcar webhooks are signed with it. Applications created
/// before have none until their token is rotated (`carport apps rotate-management-token`).
struct M014KeepManagementTokensSealed: AsyncMigration {
    var name: String { "014_keep_management_tokens_sealed" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ApplicationModel.schema).field("sealed_management_token", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ApplicationModel.schema).deleteField("sealed_management_token").update()
    }
}
