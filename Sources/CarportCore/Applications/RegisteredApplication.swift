import Foundation

/// An application registered with Carport, as the platform sees it (secrets are never part of it).
public struct RegisteredApplication: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    public var redirectURIs: [String]
    public var mode: ApplicationMode
    public var createdAt: Date

    public init(id: UUID, name: String, redirectURIs: [String], mode: ApplicationMode, createdAt: Date) {
        self.id = id
        self.name = name
        self.redirectURIs = redirectURIs
        self.mode = mode
        self.createdAt = createdAt
    }

    /// The client id of OAuth, which is the application id.
    public var clientID: String { id.uuidString.lowercased() }
}

/// Stored digests of an application's secrets.
public struct ApplicationSecretDigests: Sendable, Equatable {
    public var clientSecret: String
    public var managementToken: String
    public var apiKey: String

    public init(clientSecret: String, managementToken: String, apiKey: String) {
        self.clientSecret = clientSecret
        self.managementToken = managementToken
        self.apiKey = apiKey
    }
}

/// The credentials of a new application, shown once to the developer and never again.
public struct IssuedApplicationCredentials: Sendable, Equatable, Codable {
    public var clientId: String
    public var clientSecret: String
    public var managementToken: String
    public var apiKey: String
    public var redirectUris: [String]
}
