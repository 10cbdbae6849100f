import CarportCore
import Fluent
import Foundation

/// An authorization code, stored as its digest.
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

    init(_ code: StoredAuthorizationCode) {
        digest = code.digest
        $application.id = code.applicationID
        $grant.id = code.grantID
        redirectURI = code.redirectURI
        redirectURIWasExplicit = code.redirectURIWasExplicit
        codeChallenge = code.codeChallenge
        familyID = code.familyID
        expiresAt = code.expiresAt
        usedAt = code.usedAt
    }

    var domain: StoredAuthorizationCode {
        StoredAuthorizationCode(
            digest: digest, applicationID: $application.id, grantID: $grant.id, redirectURI: redirectURI,
            redirectURIWasExplicit: redirectURIWasExplicit, codeChallenge: codeChallenge, familyID: familyID,
            expiresAt: expiresAt, usedAt: usedAt)
    }
}
