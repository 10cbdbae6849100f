import Fluent
import Foundation

/// An end user of one application, known to the application by its own external id.
final class ApplicationUserModel: Model, @unchecked Sendable {
    static let schema = "application_users"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: ApplicationModel
    @Field(key: "external_id") var externalID: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    /// Jedlix users: ISO 3166 country and language given at creation.
    @OptionalField(key: "default_country") var defaultCountry: String?
    @OptionalField(key: "locale") var locale: String?

    init() {}

    init(applicationID: UUID, externalID: String) {
        self.$application.id = applicationID
        self.externalID = externalID
    }
}
