import CarportCore
import Foundation
import NIOConcurrencyHelpers

/// Applications with their secret digests, kept `ttl` seconds so authorization requests, client authentication on
/// the token endpoint and API-key authentication (Jedlix face) need no database read. The store drops an entry when
/// it rotates or deletes; other nodes see that within `ttl`.
final class ApplicationCache: Sendable {
    private struct Entry {
        let application: RegisteredApplication
        let digests: ApplicationSecretDigests
        let until: Date
    }

    private struct Entries {
        var byID: [UUID: Entry] = [:]
        var idByAPIKey: [String: UUID] = [:]
    }

    private let ttl: Double
    private let entries = NIOLockedValueBox(Entries())
    private let peers: (any CachePeers)?

    init(ttl: Double = 5, peers: (any CachePeers)? = nil) {
        self.ttl = ttl
        self.peers = peers
    }

    func lookup(id: UUID, now: Date = Date()) -> (RegisteredApplication, ApplicationSecretDigests)? {
        entries.withLockedValue { entries in
            guard let entry = entries.byID[id], entry.until > now else { return nil }
            return (entry.application, entry.digests)
        }
    }

    /// The application whose API key has this digest, if cached.
    func lookup(apiKeyDigest: String, now: Date = Date()) -> RegisteredApplication? {
        entries.withLockedValue { entries in
            guard let id = entries.idByAPIKey[apiKeyDigest], let entry = entries.byID[id], entry.until > now,
                  entry.digests.apiKey == apiKeyDigest
            else { return nil }
            return entry.application
        }
    }

    func store(_ application: RegisteredApplication, _ digests: ApplicationSecretDigests, now: Date = Date()) {
        entries.withLockedValue { entries in
            if entries.byID.count >= 10_000 { entries = Entries() }
            entries.byID[application.id] = Entry(application: application, digests: digests, until: now.addingTimeInterval(ttl))
            entries.idByAPIKey[digests.apiKey] = application.id
        }
    }

    func remove(id: UUID, announce: Bool = true) {
        entries.withLockedValue { entries in
            if let entry = entries.byID.removeValue(forKey: id) { entries.idByAPIKey.removeValue(forKey: entry.digests.apiKey) }
        }
        if announce { peers?.announce(.application(id)) }
    }

    func removeAll() {
        entries.withLockedValue { $0 = Entries() }
    }
}
