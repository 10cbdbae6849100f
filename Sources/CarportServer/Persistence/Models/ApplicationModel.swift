import CarportCore
import Fluent
import Foundation

/// A registered application. Secrets are stored as SHA-256 digests; the management token also sealed (AES-GCM),
/// since Smartcar webhooks are signed with it.
final class ApplicationModel: Model, @unchecked Sendable {
    static let schema = "applications"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "redirect_uris") var redirectURIs: [String]
    @Enum(key: "mode") var mode: ApplicationMode
    @Field(key: "client_secret_digest") var clientSecretDigest: String
    @Field(key: "management_token_digest") var managementTokenDigest: String
    @Field(key: "api_key_digest") var apiKeyDigest: String
    @OptionalField(key: "sealed_management_token") var sealedManagementToken: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(_ application: RegisteredApplication, digests: ApplicationSecretDigests) {
        id = application.id
        name = application.name
        redirectURIs = application.redirectURIs
        mode = application.mode
        clientSecretDigest = digests.clientSecret
        managementTokenDigest = digests.managementToken
        apiKeyDigest = digests.apiKey
        createdAt = application.createdAt
    }

    var domain: RegisteredApplication {
        get throws {
            RegisteredApplication(
                id: try requireID(), name: name, redirectURIs: redirectURIs, mode: mode,
                createdAt: createdAt ?? Date(timeIntervalSince1970: 0))
        }
    }

    var digests: ApplicationSecretDigests {
        ApplicationSecretDigests(
            clientSecret: clientSecretDigest, managementToken: managementTokenDigest, apiKey: apiKeyDigest)
    }
}
