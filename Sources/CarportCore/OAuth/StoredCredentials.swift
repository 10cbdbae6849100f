import Foundation

/// An authorization code as stored: only its digest.
public struct StoredAuthorizationCode: Sendable, Equatable {
    public var digest: String
    public var applicationID: UUID
    public var grantID: UUID
    public var redirectURI: String
    /// Whether the authorization request named the redirect URI (then the token request must repeat it).
    public var redirectURIWasExplicit: Bool
    /// PKCE S256 challenge, when the client sent one.
    public var codeChallenge: String?
    /// Every token issued from this code shares this family.
    public var familyID: UUID
    public var expiresAt: Date
    public var usedAt: Date?

    public init(
        digest: String, applicationID: UUID, grantID: UUID, redirectURI: String, redirectURIWasExplicit: Bool,
        codeChallenge: String?, familyID: UUID, expiresAt: Date, usedAt: Date? = nil
    ) {
        self.digest = digest
        self.applicationID = applicationID
        self.grantID = grantID
        self.redirectURI = redirectURI
        self.redirectURIWasExplicit = redirectURIWasExplicit
        self.codeChallenge = codeChallenge
        self.familyID = familyID
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

public enum TokenKind: String, Sendable, Codable {
    /// Access token of an owner's grant.
    case access
    /// Refresh token of an owner's grant; single use (rotation).
    case refresh
    /// Application token from the client-credentials grant.
    case application
}

/// A token as stored: only its digest.
public struct StoredToken: Sendable, Equatable {
    public var digest: String
    public var kind: TokenKind
    public var applicationID: UUID
    public var grantID: UUID?
    public var familyID: UUID?
    public var scope: String
    public var issuedAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    public var revokedAt: Date?

    public init(
        digest: String, kind: TokenKind, applicationID: UUID, grantID: UUID?, familyID: UUID?, scope: String,
        issuedAt: Date, expiresAt: Date, usedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.digest = digest
        self.kind = kind
        self.applicationID = applicationID
        self.grantID = grantID
        self.familyID = familyID
        self.scope = scope
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }

    public func isActive(at now: Date) -> Bool { revokedAt == nil && expiresAt > now }
}

/// The outcome of trying to use an authorization code once.
public enum CodeRedemption: Sendable, Equatable {
    case redeemed(StoredAuthorizationCode)
    /// It was used before: a replay.
    case alreadyUsed(StoredAuthorizationCode)
    case notFound
}

/// A token stored in place of a rotated refresh token: application, grant, family and scope are the replaced token's.
public struct TokenReplacement: Sendable, Equatable {
    public var digest: String
    public var kind: TokenKind
    public var issuedAt: Date
    public var expiresAt: Date

    public init(digest: String, kind: TokenKind, issuedAt: Date, expiresAt: Date) {
        self.digest = digest
        self.kind = kind
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}
