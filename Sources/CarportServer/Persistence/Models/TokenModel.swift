import CarportCore
import Fluent
import Foundation

/// An access, refresh or application token, stored as its digest (the store reads and writes it with plain SQL).
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
}
