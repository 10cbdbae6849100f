import Foundation

/// Registers applications and manages their credentials. Only digests of secrets reach the store, and the management
/// token sealed: Smartcar webhooks are signed with it, so it must be usable as a key.
public struct ApplicationRegistry: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidName
        case noRedirectURI
        case invalidRedirectURI(String)
        case unknownApplication(String)
        case invalidUserTokenClaims
        case managementTokenNotKept(String)

        public var description: String {
            switch self {
            case .invalidName: "application name must not be empty"
            case .noRedirectURI: "at least one redirect URI is required"
            case .invalidRedirectURI(let reason): reason
            case .unknownApplication(let id): "no application with id \(id)"
            case .invalidUserTokenClaims: "issuer and audience must not be empty"
            case .managementTokenNotKept(let id):
                "application \(id) was created before Carport kept management tokens as signing keys: run "
                    + "`carport apps rotate-management-token \(id)` and give the application the new token"
            }
        }
    }

    enum SecretPrefix {
        static let clientSecret = "cps_"
        static let managementToken = "cpm_"
        static let apiKey = "cpk_"
    }

    private let store: any ApplicationStore
    private let userTokenKeys: (any UserTokenKeyStore)?
    private let box: SecretBox
    private let now: @Sendable () -> Date

    public init(store: any ApplicationStore, userTokenKeys: (any UserTokenKeyStore)? = nil, box: SecretBox,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.userTokenKeys = userTokenKeys
        self.box = box
        self.now = now
    }

    public func create(
        name: String, redirectURIs: [String], mode: ApplicationMode = .test
    ) async throws -> IssuedApplicationCredentials {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw Failure.invalidName }
        guard !redirectURIs.isEmpty else { throw Failure.noRedirectURI }
        if let problem = redirectURIs.lazy.compactMap(RedirectURI.problem(with:)).first {
            throw Failure.invalidRedirectURI(problem)
        }
        let application = RegisteredApplication(
            id: UUID(), name: name, redirectURIs: redirectURIs, mode: mode, createdAt: now())
        let credentials = IssuedApplicationCredentials(
            clientId: application.clientID,
            clientSecret: SecretToken.generate(prefix: SecretPrefix.clientSecret),
            managementToken: SecretToken.generate(prefix: SecretPrefix.managementToken),
            apiKey: SecretToken.generate(prefix: SecretPrefix.apiKey),
            redirectUris: redirectURIs)
        try await store.insert(application, digests: ApplicationSecretDigests(
            clientSecret: SecretToken.digest(credentials.clientSecret),
            managementToken: SecretToken.digest(credentials.managementToken),
            apiKey: SecretToken.digest(credentials.apiKey)), sealedManagementToken: try box.seal(credentials.managementToken))
        return credentials
    }

    public func list() async throws -> [RegisteredApplication] { try await store.all() }

    public func find(clientID: String) async throws -> RegisteredApplication? {
        guard let id = UUID(uuidString: clientID) else { return nil }
        return try await store.find(id: id)
    }

    /// Issues a new client secret; the old one stops working at once.
    public func rotateSecret(clientID: String) async throws -> String {
        guard let id = UUID(uuidString: clientID) else { throw Failure.unknownApplication(clientID) }
        let secret = SecretToken.generate(prefix: SecretPrefix.clientSecret)
        guard try await store.replaceClientSecretDigest(id: id, with: SecretToken.digest(secret)) else {
            throw Failure.unknownApplication(clientID)
        }
        return secret
    }

    /// Issues a new management token (the key of its webhook signatures too); the old one stops working at once.
    public func rotateManagementToken(clientID: String) async throws -> String {
        guard let id = UUID(uuidString: clientID) else { throw Failure.unknownApplication(clientID) }
        let token = SecretToken.generate(prefix: SecretPrefix.managementToken)
        guard try await store.replaceManagementToken(id: id, digest: SecretToken.digest(token), sealed: try box.seal(token)) else {
            throw Failure.unknownApplication(clientID)
        }
        return token
    }

    /// The plain management token: the HMAC key of the application's Smartcar webhook challenges and signatures.
    public func managementTokenKey(applicationID: UUID) async throws -> String {
        guard let sealed = try await store.sealedManagementToken(id: applicationID) else {
            throw Failure.managementTokenNotKept(applicationID.uuidString.lowercased())
        }
        return try box.openText(sealed)
    }

    /// Generates the key the application signs its users' tokens with (HS256) and records the issuer and audience
    /// those tokens carry; an earlier key stops working. Returns the key, base64url, shown once.
    public func registerUserTokenKey(clientID: String, issuer: String, audience: String) async throws -> String {
        guard let id = UUID(uuidString: clientID), let userTokenKeys, try await store.find(id: id) != nil else {
            throw Failure.unknownApplication(clientID)
        }
        let issuer = issuer.trimmingCharacters(in: .whitespaces), audience = audience.trimmingCharacters(in: .whitespaces)
        guard !issuer.isEmpty, !audience.isEmpty else { throw Failure.invalidUserTokenClaims }
        let secret = SecretBox.generateKeyData()
        try await userTokenKeys.save(UserTokenKey(applicationID: id, issuer: issuer, audience: audience, secret: secret))
        return Base64URL.encode(secret)
    }

    public func delete(clientID: String) async throws {
        guard let id = UUID(uuidString: clientID), try await store.delete(id: id) else {
            throw Failure.unknownApplication(clientID)
        }
    }

    /// The application whose client id and secret these are, or nil.
    public func authenticate(clientID: String, secret: String) async throws -> RegisteredApplication? {
        guard let id = UUID(uuidString: clientID),
              let (application, digests) = try await store.withSecretDigests(id: id),
              SecretToken.matches(secret, digest: digests.clientSecret)
        else { return nil }
        return application
    }

    /// The key the application's user tokens are signed with, if it registered one.
    public func userTokenKey(applicationID: UUID) async throws -> UserTokenKey? {
        try await userTokenKeys?.key(applicationID: applicationID)
    }

    public func isEmpty() async throws -> Bool { try await store.count() == 0 }

    /// The application whose API key this is, or nil.
    public func authenticate(apiKey: String) async throws -> RegisteredApplication? {
        try await store.find(apiKeyDigest: SecretToken.digest(apiKey))
    }

    /// The application whose management token this is, or nil.
    public func authenticate(managementToken: String) async throws -> RegisteredApplication? {
        try await store.find(managementTokenDigest: SecretToken.digest(managementToken))
    }
}
