import CarportCore
import Foundation

/// How Carport reaches Tesla: the operator's Fleet API application and Tesla's (or a fake's) URLs.
public struct TeslaConfiguration: Sendable, Equatable {
    public var clientID: String
    public var clientSecret: String
    /// The partner domain registered with Tesla; the virtual key is `https://www.tesla.com/_ak/<domain>`.
    public var partnerDomain: String
    /// Carport's callback registered with Tesla (`<public URL>/connect/oem/callback`).
    public var redirectURI: String
    public var authorizeURL = "https://auth.tesla.com/oauth2/v3/authorize"
    public var tokenURL = "https://fleet-auth.prd.vn.cloud.tesla.com/oauth2/v3/token"
    /// Fleet API base URL per region code.
    public var regionBaseURLs: [String: String] = [
        "na": "https://fleet-api.prd.na.vn.cloud.tesla.com",
        "eu": "https://fleet-api.prd.eu.vn.cloud.tesla.com",
    ]
    /// The operator's `tesla-http-proxy`, which signs commands for cars that need the Vehicle Command Protocol.
    public var commandProxyURL: String?
    public var pairingBaseURL = "https://www.tesla.com/_ak"
    /// Per-request timeout, seconds.
    public var requestTimeout: Double = 10
    /// How long to wait for a woken car before answering `ASLEEP`, and how often to look.
    public var wakeTimeout: Double = 30
    public var wakePollInterval: Double = 2
    /// Whether a read of an asleep car wakes it (off: reads answer the last readings or `ASLEEP`; commands still wake).
    public var wakeOnRead = false

    public init(clientID: String, clientSecret: String, partnerDomain: String, redirectURI: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.partnerDomain = partnerDomain
        self.redirectURI = redirectURI
    }

    public var virtualKeyURL: String { "\(pairingBaseURL)/\(partnerDomain)" }

    /// The region served at `baseURL` (matching a configured base URL, ignoring a trailing slash).
    public func region(ofBaseURL baseURL: String) -> String? {
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return regionBaseURLs.first { $0.value == trimmed }?.key
    }

    public var defaultRegion: String { regionBaseURLs.keys.contains("na") ? "na" : regionBaseURLs.keys.sorted()[0] }
}

/// Tesla's per-vehicle limits (tesla.md §10): realtime data, commands and wakes per minute.
public enum TeslaCategory: String, Sendable, CaseIterable {
    case data, commands, wakes

    /// The window a request of this kind spends, if any.
    init?(_ kind: UpstreamCategory) {
        switch kind {
        case .data: self = .data
        case .command: self = .commands
        case .wake: self = .wakes
        case .state, .account: return nil
        }
    }

    public var perMinute: Int {
        switch self {
        case .data: 60
        case .commands: 30
        case .wakes: 3
        }
    }
}
