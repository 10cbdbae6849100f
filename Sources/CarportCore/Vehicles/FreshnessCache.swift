import Foundation

/// Recent signal readings per vehicle. A read may be served from data younger than a max age; concurrent reads of
/// one signal share a single connector call (single-flight), so many pollers cost the brand one request per window.
public actor FreshnessCache {
    struct Key: Hashable {
        let vehicleID: UUID
        let signal: SignalKind
    }

    private var readings: [Key: SignalReading] = [:]
    private var inFlight: [Key: Task<SignalReading, any Error>] = [:]
    /// Connector calls made so far (for tests and the benchmark).
    public private(set) var fetches = 0

    public init() {}

    public func reading(
        _ signal: SignalKind, of vehicleID: UUID, maxAge: Double, now: Date,
        fetch: @escaping @Sendable () async throws(ConnectorError) -> SignalReading
    ) async throws(ConnectorError) -> SignalReading {
        let key = Key(vehicleID: vehicleID, signal: signal)
        if let cached = readings[key], now.timeIntervalSince(cached.fetchedAt) <= maxAge { return cached }
        let task: Task<SignalReading, any Error>
        if let running = inFlight[key] {
            task = running
        } else {
            fetches += 1
            task = Task { try await fetch() }
            inFlight[key] = task
        }
        do {
            let reading = try await task.value
            if inFlight[key] == task {
                inFlight[key] = nil
                readings[key] = reading
            }
            return reading
        } catch {
            if inFlight[key] == task { inFlight[key] = nil }
            throw (error as? ConnectorError) ?? .upstream(String(describing: error))
        }
    }

    /// Forgets readings a command made stale.
    public func invalidate(_ signals: [SignalKind], of vehicleID: UUID) {
        for signal in signals { readings[Key(vehicleID: vehicleID, signal: signal)] = nil }
    }
}
