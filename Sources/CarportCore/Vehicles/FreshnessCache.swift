import Foundation

/// Recent signal readings per vehicle. A read may be served from data younger than a max age; concurrent reads of
/// one signal share a single connector call (single-flight), so many pollers cost the brand one request per window.
/// A fresh hit is answered under a lock without suspending.
public final class FreshnessCache: @unchecked Sendable {
    struct Key: Hashable {
        let vehicleID: UUID
        let signal: SignalKind
    }

    private var readings: [Key: SignalReading] = [:]
    private var inFlight: [Key: Task<SignalReading, any Error>] = [:]
    private var fetchCount = 0
    private let lock = NSLock()

    public init() {}

    /// Connector calls made so far (for tests, `/metrics` and the benchmark).
    public var fetches: Int { lock.withLock { fetchCount } }

    public func reading(
        _ signal: SignalKind, of vehicleID: UUID, maxAge: Double, now: Date,
        fetch: @escaping @Sendable () async throws(ConnectorError) -> SignalReading
    ) async throws(ConnectorError) -> SignalReading {
        let key = Key(vehicleID: vehicleID, signal: signal)
        let lookup: Result<SignalReading, Never>? = lock.withLock {
            guard let cached = readings[key], now.timeIntervalSince(cached.fetchedAt) <= maxAge else { return nil }
            return .success(cached)
        }
        if case .success(let cached) = lookup { return cached }
        let task: Task<SignalReading, any Error> = lock.withLock {
            if let running = inFlight[key] { return running }
            fetchCount += 1
            let started = Task { try await fetch() }
            inFlight[key] = started
            return started
        }
        do {
            let reading = try await task.value
            lock.withLock {
                if inFlight[key] == task {
                    inFlight[key] = nil
                    readings[key] = reading
                }
            }
            return reading
        } catch {
            lock.withLock { if inFlight[key] == task { inFlight[key] = nil } }
            throw (error as? ConnectorError) ?? .upstream(String(describing: error))
        }
    }

    /// Forgets readings a command made stale.
    public func invalidate(_ signals: [SignalKind], of vehicleID: UUID) {
        lock.withLock {
            for signal in signals { readings[Key(vehicleID: vehicleID, signal: signal)] = nil }
        }
    }
}
