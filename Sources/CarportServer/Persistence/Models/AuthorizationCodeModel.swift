import CarportCore
import Fluent
import Foundation

/// An authorization code, stored as its digest (the store reads and writes it with plain SQL).
final class AuthorizationCodeModel: Model, @unchecked Sendable {
    static let schema = "authorization_codes"

    @ID(key: .id) var id: UUID?
    @Field(key: "digest") var digest: String
    @Parent(key: "application_id") var application: ApplicationModel
    @Parent(key: "grant_id") var grant: GrantModel
    @Field(key: "redirect_uri") var redirectURI: String
    @Field(key: "redirect_uri_explicit") var redirectURIWasExplicit: Bool
    @OptionalField(key: "code_challenge") var codeChallenge: String?
    @Field(key: "family_id") var familyID: UUID
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}
