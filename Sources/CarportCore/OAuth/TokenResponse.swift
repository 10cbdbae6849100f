/// What the token endpoint returns on success.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var expiresIn: Int
    public var refreshToken: String?
    public var scope: String
}

/// What RFC 7662 introspection reveals about an active token.
public struct TokenIntrospection: Sendable, Equatable {
    public var kind: TokenKind
    public var scope: String
    public var clientID: String
    public var issuedAt: Int
    public var expiresAt: Int
    /// The application user the grant belongs to (none for application tokens).
    public var subject: String?
}

/// Lifetimes of what the authorization server issues.
public struct TokenLifetimes: Sendable {
    public var code: Double = 600
    public var accessToken: Double = 7200
    public var refreshToken: Double = 60 * 24 * 3600
    public var applicationToken: Double = 3600

    public init() {}
}
