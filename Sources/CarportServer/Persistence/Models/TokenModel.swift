import CarportCore
import Fluent
import Foundation

/// An access, refresh or application token, stored as its digest.
final class TokenModel: Model, @unchecked Sendable {
    static let schema = "tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "digest") var digest: String
    @Enum(key: "kind") var kind: TokenKind
    @Parent(key: "application_id") var application: ApplicationModel
    @OptionalParent(key: "grant_id") var grant: GrantModel?
    @OptionalField(key: "family_id") var familyID: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "issued_at") var issuedAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(_ token: StoredToken) {
        digest = token.digest
        kind = token.kind
        $application.id = token.applicationID
        $grant.id = token.grantID
        familyID = token.familyID
        scope = token.scope
        issuedAt = token.issuedAt
        expiresAt = token.expiresAt
        usedAt = token.usedAt
        revokedAt = token.revokedAt
    }

    var domain: StoredToken {
        StoredToken(
            digest: digest, kind: kind, applicationID: $application.id, grantID: $grant.id, familyID: familyID,
            scope: scope, issuedAt: issuedAt, expiresAt: expiresAt, usedAt: usedAt, revokedAt: revokedAt)
    }
}
