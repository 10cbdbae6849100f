import Foundation

/// Grants, and which grant an access token opens, kept in memory so hot paths (vehicle reads, refresh) need no
/// database round trip for them.
///
/// Entries live at most `ttl` seconds and an access token's entry never outlives the token. Anything that revokes
/// tokens or narrows a grant empties the cache of this process at once and announces it to the `peers`, whose
/// caches empty as the announcement arrives; `ttl` bounds the staleness when one is missed.
public final class GrantCache: @unchecked Sendable {
    private struct Entry<Value> {
        let value: Value
        let validUntil: Date
    }

    public let ttl: Double
    public let capacity: Int
    private var byToken: [String: Entry<Grant>] = [:]
    private var byID: [UUID: Entry<Grant>] = [:]
    private let lock = NSLock()
    private let peers: (any CachePeers)?

    public init(ttl: Double = 5, capacity: Int = 100_000, peers: (any CachePeers)? = nil) {
        self.ttl = ttl
        self.capacity = capacity
        self.peers = peers
    }

    func grant(accessTokenDigest digest: String, now: Date) -> Grant? {
        lock.withLock { Self.fresh(&byToken, digest, now) }
    }

    func store(_ grant: Grant, accessTokenDigest digest: String, tokenExpiresAt: Date, now: Date) {
        lock.withLock {
            if byToken.count >= capacity { byToken.removeAll(keepingCapacity: true) }
            byToken[digest] = Entry(value: grant, validUntil: min(tokenExpiresAt, now.addingTimeInterval(jitteredTTL())))
        }
    }

    func grant(id: UUID, now: Date) -> Grant? {
        lock.withLock { Self.fresh(&byID, id, now) }
    }

    func store(_ grant: Grant, now: Date) {
        lock.withLock {
            if byID.count >= capacity { byID.removeAll(keepingCapacity: true) }
            byID[grant.id] = Entry(value: grant, validUntil: now.addingTimeInterval(jitteredTTL()))
        }
    }

    /// Between half the TTL and the TTL, so entries stored together do not all expire together.
    private func jitteredTTL() -> Double { ttl * Double.random(in: 0.5...1) }

    /// Forgets everything (after a revocation or a disconnection) and, unless the news came from a peer, tells the
    /// peers to.
    public func removeAll(announce: Bool = true) {
        lock.withLock {
            byToken.removeAll()
            byID.removeAll()
        }
        if announce { peers?.announce(.grants) }
    }

    private static func fresh<Key: Hashable>(_ table: inout [Key: Entry<Grant>], _ key: Key, _ now: Date) -> Grant? {
        guard let entry = table[key] else { return nil }
        guard entry.validUntil > now else {
            table[key] = nil
            return nil
        }
        return entry.value
    }
}
