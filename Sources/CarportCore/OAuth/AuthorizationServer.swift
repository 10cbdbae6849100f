import Foundation

/// The OAuth 2.0 authorization server's rules: single-use codes bound to client and redirect URI, PKCE,
/// refresh-token rotation with reuse detection (RFC 9700 §4.14), revocation and introspection.
public struct AuthorizationServer: Sendable {
    enum Prefix {
        static let code = "cpc_"
        static let access = "cpa_"
        static let refresh = "cpr_"
        static let application = "cpt_"
    }

    let store: any OAuthStore
    private let lifetimes: TokenLifetimes
    private let cache: GrantCache?
    let now: @Sendable () -> Date

    public init(store: any OAuthStore, cache: GrantCache? = nil, lifetimes: TokenLifetimes = .init(),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.cache = cache
        self.lifetimes = lifetimes
        self.now = now
    }

    /// Records the grant and returns a fresh authorization code for it.
    public func issueCode(
        for grant: Grant, redirectURI: String, redirectURIWasExplicit: Bool, codeChallenge: String?
    ) async throws -> String {
        try await store.insertGrant(grant)
        cache?.store(grant, now: now())  // the code's exchange and the first reads need it next
        let code = SecretToken.generate(prefix: Prefix.code)
        try await store.insertCode(StoredAuthorizationCode(
            digest: SecretToken.digest(code), applicationID: grant.applicationID, grantID: grant.id,
            redirectURI: redirectURI, redirectURIWasExplicit: redirectURIWasExplicit, codeChallenge: codeChallenge,
            familyID: SecureRandom.uuid(), expiresAt: now().addingTimeInterval(lifetimes.code)))
        return code
    }

    /// The `authorization_code` grant. A replayed code revokes every token issued from it.
    public func exchangeCode(
        client: RegisteredApplication, code: String, redirectURI: String?, codeVerifier: String?
    ) async throws -> TokenResponse {
        let invalid = OAuthError.invalidGrant("Invalid code: \(code).")
        let time = now()
        switch try await store.redeemCode(digest: SecretToken.digest(code), at: time) {
        case .notFound:
            throw invalid
        case .alreadyUsed(let stored):
            try await revokeFamily(stored.familyID, at: time)
            throw invalid
        case .redeemed(let stored):
            guard stored.applicationID == client.id, stored.expiresAt > time else { throw invalid }
            let sentRedirect = redirectURI.flatMap { $0 == "undefined" || $0.isEmpty ? nil : $0 }
            if stored.redirectURIWasExplicit || sentRedirect != nil {
                guard sentRedirect == stored.redirectURI else {
                    throw OAuthError.invalidGrant("redirect_uri does not match the authorization request.")
                }
            }
            switch (stored.codeChallenge, codeVerifier) {
            case (nil, nil): break
            case (nil, .some):
                throw OAuthError.invalidGrant("code_verifier was sent but the authorization request had no code_challenge.")
            case (.some, nil):
                throw OAuthError.invalidGrant("code_verifier is required: the authorization request had a code_challenge.")
            case (.some(let challenge), .some(let verifier)):
                guard PKCE.verify(verifier: verifier, challenge: challenge) else {
                    throw OAuthError.invalidGrant("code_verifier does not match the code_challenge.")
                }
            }
            guard let grant = try await grant(id: stored.grantID) else { throw invalid }
            return try await issueTokens(grant: grant, familyID: stored.familyID)
        }
    }

    /// The `refresh_token` grant with rotation: presenting a token that was already rotated revokes its family.
    /// The new tokens take the grant, family and scope of the one they replace (a grant never changes).
    public func refresh(client: RegisteredApplication, refreshToken: String) async throws -> TokenResponse {
        let invalid = OAuthError.invalidGrant("Invalid refresh_token: \(refreshToken).")
        let digest = SecretToken.digest(refreshToken)
        let time = now()
        let secrets = NewSecrets(withRefresh: true)
        let claimed = try await store.rotateRefreshToken(
            digest: digest, applicationID: client.id, at: time,
            replacements: secrets.replacements(at: time, lifetimes: lifetimes))
        if let claimed {
            guard claimed.grantID != nil, claimed.familyID != nil else { throw invalid }
            return secrets.response(scope: claimed.scope, lifetimes: lifetimes)
        }
        // Unknown, another client's, expired, revoked — or used before: a replay, which ends the whole family.
        if let stored = try await store.token(digest: digest), stored.kind == .refresh, stored.applicationID == client.id,
           stored.usedAt != nil, let familyID = stored.familyID {
            try await revokeFamily(familyID, at: time)
        }
        throw invalid
    }

    /// The `client_credentials` grant: an application token, no refresh token.
    public func applicationToken(client: RegisteredApplication, lifetime: Double? = nil) async throws -> TokenResponse {
        let token = SecretToken.generate(prefix: Prefix.application)
        let time = now()
        let lifetime = lifetime ?? lifetimes.applicationToken
        try await store.insertTokens([StoredToken(
            digest: SecretToken.digest(token), kind: .application, applicationID: client.id, grantID: nil,
            familyID: nil, scope: "", issuedAt: time, expiresAt: time.addingTimeInterval(lifetime))])
        return TokenResponse(accessToken: token, expiresIn: Int(lifetime), refreshToken: nil, scope: "")
    }

    /// RFC 7009. Revoking a refresh token revokes its whole family; unknown tokens and other clients' tokens are
    /// ignored, so the answer reveals nothing.
    public func revoke(client: RegisteredApplication, token: String) async throws {
        let digest = SecretToken.digest(token)
        guard let stored = try await store.token(digest: digest), stored.applicationID == client.id else { return }
        if stored.kind == .refresh, let familyID = stored.familyID {
            try await revokeFamily(familyID, at: now())
        } else {
            try await store.revokeToken(digest: digest, at: now())
            cache?.removeAll()
        }
    }

    /// RFC 7662: details of an active token of this client, or nil (inactive).
    public func introspect(client: RegisteredApplication, token: String) async throws -> TokenIntrospection? {
        guard let stored = try await store.token(digest: SecretToken.digest(token)),
              stored.applicationID == client.id, stored.isActive(at: now()),
              !(stored.kind == .refresh && stored.usedAt != nil)
        else { return nil }
        var subject: String?
        if let grantID = stored.grantID { subject = try await store.grant(id: grantID)?.userID.uuidString.lowercased() }
        return TokenIntrospection(
            kind: stored.kind, scope: stored.scope, clientID: client.clientID,
            issuedAt: Int(stored.issuedAt.timeIntervalSince1970), expiresAt: Int(stored.expiresAt.timeIntervalSince1970),
            subject: subject)
    }

    /// A grant by id, from the cache when it holds it.
    func grant(id: UUID) async throws -> Grant? {
        let time = now()
        if let cached = cache?.grant(id: id, now: time) { return cached }
        let grant = try await store.grant(id: id)
        if let grant { cache?.store(grant, now: time) }
        return grant
    }

    private func revokeFamily(_ familyID: UUID, at time: Date) async throws {
        try await store.revokeFamily(familyID, at: time)
        cache?.removeAll()
    }

    private func issueTokens(grant: Grant, familyID: UUID) async throws -> TokenResponse {
        let secrets = NewSecrets(withRefresh: grant.issuesRefreshTokens)
        let time = now()
        let rows = secrets.rows(applicationID: grant.applicationID, grantID: grant.id, familyID: familyID,
                                scope: grant.scope, at: time, lifetimes: lifetimes)
        try await store.insertTokens(rows)
        // The new access token's first read then needs no lookup (the entry a first read would store).
        if let access = rows.first(where: { $0.kind == .access }) {
            cache?.store(grant, accessTokenDigest: access.digest, tokenExpiresAt: access.expiresAt, now: time)
        }
        return secrets.response(scope: grant.scope, lifetimes: lifetimes)
    }
}

/// A new access token, and refresh token when the grant issues them: the secrets handed out once, and the rows
/// stored for them.
private struct NewSecrets: Sendable {
    let access: String
    let refresh: String?

    init(withRefresh: Bool) {
        access = SecretToken.generate(prefix: AuthorizationServer.Prefix.access)
        refresh = withRefresh ? SecretToken.generate(prefix: AuthorizationServer.Prefix.refresh) : nil
    }

    func replacements(at time: Date, lifetimes: TokenLifetimes) -> [TokenReplacement] {
        var rows = [TokenReplacement(digest: SecretToken.digest(access), kind: .access, issuedAt: time,
                                     expiresAt: time.addingTimeInterval(lifetimes.accessToken))]
        if let refresh {
            rows.append(TokenReplacement(digest: SecretToken.digest(refresh), kind: .refresh, issuedAt: time,
                                         expiresAt: time.addingTimeInterval(lifetimes.refreshToken)))
        }
        return rows
    }

    func rows(applicationID: UUID, grantID: UUID, familyID: UUID, scope: String, at time: Date,
              lifetimes: TokenLifetimes) -> [StoredToken] {
        replacements(at: time, lifetimes: lifetimes).map { row in
            StoredToken(digest: row.digest, kind: row.kind, applicationID: applicationID, grantID: grantID,
                        familyID: familyID, scope: scope, issuedAt: row.issuedAt, expiresAt: row.expiresAt)
        }
    }

    func response(scope: String, lifetimes: TokenLifetimes) -> TokenResponse {
        TokenResponse(accessToken: access, expiresIn: Int(lifetimes.accessToken), refreshToken: refresh, scope: scope)
    }
}

extension AuthorizationServer {
    /// The grant behind an active access token, or nil.
    public func grant(forAccessToken token: String) async throws -> Grant? {
        let digest = SecretToken.digest(token)
        let time = now()
        if let grant = cache?.grant(accessTokenDigest: digest, now: time) { return grant }
        guard let stored = try await store.token(digest: digest), stored.kind == .access,
              stored.isActive(at: time), let grantID = stored.grantID,
              let grant = try await grant(id: grantID)
        else { return nil }
        cache?.store(grant, accessTokenDigest: digest, tokenExpiresAt: stored.expiresAt, now: time)
        return grant
    }

    /// The application behind an active client-credentials token, or nil.
    public func application(forApplicationToken token: String) async throws -> UUID? {
        guard let stored = try await store.token(digest: SecretToken.digest(token)), stored.kind == .application,
              stored.isActive(at: now())
        else { return nil }
        return stored.applicationID
    }

    /// Everything one user of the application granted, as one grant (for application tokens acting for a user, like
    /// Enode's `Enode-User-Id`): all permissions over the union of the user's vehicles. Nil when the user is unknown.
    public func userAccess(applicationID: UUID, externalUserID: String) async throws -> Grant? {
        guard let userID = try await store.user(applicationID: applicationID, externalID: externalUserID) else { return nil }
        let grants = try await store.grants(userID: userID)
        var vehicleIDs: [UUID] = []
        for id in grants.flatMap(\.vehicleIDs) where !vehicleIDs.contains(id) { vehicleIDs.append(id) }
        return Grant(id: grants.first?.id ?? UUID(), applicationID: applicationID, userID: userID, vehicleIDs: vehicleIDs,
                     permissions: Permission.allCases, mode: grants.first?.mode ?? .test, scope: "all",
                     issuesRefreshTokens: false, createdAt: grants.first?.createdAt ?? now())
    }

    /// What the user's grants to the application allow on one of its vehicles (for work done on the user's behalf
    /// later, like a scheduled webhook's reads).
    public func permissions(userID: UUID, applicationID: UUID, vehicleID: UUID) async throws -> Set<Permission> {
        Set(try await store.grants(userID: userID)
            .filter { $0.applicationID == applicationID && $0.vehicleIDs.contains(vehicleID) }.flatMap(\.permissions))
    }

    /// Carport's id of the application's user with its own id `externalUserID`, if the user is known.
    public func userID(applicationID: UUID, externalUserID: String) async throws -> UUID? {
        try await store.user(applicationID: applicationID, externalID: externalUserID)
    }

    /// The application's own id for a user (e.g. Enode's `userId`).
    public func externalID(userID: UUID) async throws -> String? {
        try await store.externalID(userID: userID)
    }

    /// Ends every session of a user (Enode `DELETE /users/{id}/authorization`): their tokens stop working; the
    /// connections stay. Returns false when the user is unknown.
    public func revokeAll(applicationID: UUID, externalUserID: String) async throws -> Bool {
        guard let userID = try await store.user(applicationID: applicationID, externalID: externalUserID) else { return false }
        try await store.revokeTokens(userID: userID, at: now())
        cache?.removeAll()
        return true
    }

    /// Removes a user and everything they connected (Enode `DELETE /users/{id}`). Returns false when unknown.
    public func deleteUser(applicationID: UUID, externalUserID: String) async throws -> Bool {
        guard let userID = try await store.user(applicationID: applicationID, externalID: externalUserID) else { return false }
        try await store.revokeTokens(userID: userID, at: now())
        try await store.deleteUser(userID: userID)
        cache?.removeAll()
        return true
    }
}
