import Foundation

/// Grants behind recently seen access tokens, so the hot path of the vehicle API needs no database round trip.
///
/// Entries live at most `ttl` seconds and never past the token's expiry. Anything that revokes tokens or narrows a
/// grant empties the cache of this process at once; other nodes see such changes within `ttl`.
public final class AccessTokenCache: @unchecked Sendable {
    private struct Entry {
        let grant: Grant
        let validUntil: Date
    }

    public let ttl: Double
    public let capacity: Int
    private var entries: [String: Entry] = [:]
    private let lock = NSLock()

    public init(ttl: Double = 5, capacity: Int = 100_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func grant(digest: String, now: Date) -> Grant? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[digest] else { return nil }
        guard entry.validUntil > now else {
            entries[digest] = nil
            return nil
        }
        return entry.grant
    }

    func store(_ grant: Grant, digest: String, tokenExpiresAt: Date, now: Date) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[digest] = Entry(grant: grant, validUntil: min(tokenExpiresAt, now.addingTimeInterval(ttl)))
    }

    /// Forgets everything (after a revocation or a disconnection).
    public func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        entries.removeAll()
    }
}
