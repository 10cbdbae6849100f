import Foundation

/// What a node dropped from its in-memory caches after a change in the database, announced so that the other nodes
/// on the same database drop it too (they would otherwise serve it until it expires).
public enum CacheDrop: Sendable, Equatable {
    /// Every cached grant and access token (a revocation, a disconnection, a user's deletion).
    case grants
    /// An application with its secret digests (a rotation, a deletion).
    case application(UUID)
    /// A connected vehicle's record.
    case vehicle(UUID)
    /// Readings of a vehicle a command made stale.
    case readings(UUID, [SignalKind])
    /// Everything (announcements may have been missed).
    case everything

    /// One line of text: `grants`, `application <id>`, `vehicle <id>`, `readings <id> <signal,…>`, `everything`.
    public var text: String {
        switch self {
        case .grants: "grants"
        case .application(let id): "application \(id.uuidString)"
        case .vehicle(let id): "vehicle \(id.uuidString)"
        case .readings(let id, let signals): "readings \(id.uuidString) \(signals.map(\.rawValue).joined(separator: ","))"
        case .everything: "everything"
        }
    }

    public init?(text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("grants", 1): self = .grants
        case ("everything", 1): self = .everything
        case ("application", 2): guard let id = UUID(uuidString: parts[1]) else { return nil }; self = .application(id)
        case ("vehicle", 2): guard let id = UUID(uuidString: parts[1]) else { return nil }; self = .vehicle(id)
        case ("readings", 3):
            let signals = parts[2].split(separator: ",").map { SignalKind(rawValue: String($0)) }
            guard let id = UUID(uuidString: parts[1]), !signals.contains(nil) else { return nil }
            self = .readings(id, signals.compactMap { $0 })
        default: return nil
        }
    }
}

/// The other nodes on the database, told of every drop (PostgreSQL `NOTIFY` when there are several; none on SQLite).
public protocol CachePeers: Sendable {
    func announce(_ drop: CacheDrop)
}
