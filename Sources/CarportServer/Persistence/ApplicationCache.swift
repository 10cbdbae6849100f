import CarportCore
import Foundation
import NIOConcurrencyHelpers

/// Applications with their secret digests, kept `ttl` seconds so client authentication on the token endpoint needs
/// no database read. The store drops an entry when it rotates or deletes; other nodes see that within `ttl`.
final class ApplicationCache: Sendable {
    private let ttl: Double
    private let entries = NIOLockedValueBox<[UUID: (application: RegisteredApplication, digests: ApplicationSecretDigests, until: Date)]>([:])

    init(ttl: Double = 5) { self.ttl = ttl }

    func lookup(id: UUID, now: Date = Date()) -> (RegisteredApplication, ApplicationSecretDigests)? {
        entries.withLockedValue { entries in
            guard let entry = entries[id], entry.until > now else { return nil }
            return (entry.application, entry.digests)
        }
    }

    func store(_ application: RegisteredApplication, _ digests: ApplicationSecretDigests, now: Date = Date()) {
        entries.withLockedValue { entries in
            if entries.count >= 10_000 { entries.removeAll(keepingCapacity: true) }
            entries[application.id] = (application, digests, now.addingTimeInterval(ttl))
        }
    }

    func remove(id: UUID) {
        _ = entries.withLockedValue { $0.removeValue(forKey: id) }
    }
}
