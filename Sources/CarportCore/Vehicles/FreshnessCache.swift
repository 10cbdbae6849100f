import Foundation

/// Recent readings per vehicle, filled by whole snapshots: one connector call returns every signal it carried and
/// all of them are kept, so reading six signals of a car costs one call per max-age window. Concurrent reads of one
/// vehicle share a single call (single-flight per vehicle). Reads never wake a car: when the connector says the car
/// sleeps, the last readings are answered with their true age (or `ASLEEP` without any), and the car is not asked
/// again within the same max-age window. Fresh hits are answered under a lock without suspending.
public final class FreshnessCache: @unchecked Sendable {
    public typealias Fetch = @Sendable (Set<SignalKind>) async throws(ConnectorError) -> VehicleSnapshot
    /// Each asked signal's reading, or the reason there is none.
    public typealias Results = [SignalKind: Result<SignalReading, ConnectorError>]

    private struct Flight {
        let id: UInt64
        let signals: Set<SignalKind>
        let task: Task<VehicleSnapshot, any Error>
    }

    private struct Entry {
        var readings: [SignalKind: SignalReading] = [:]
        var flight: Flight?
        /// When the connector last answered that the car sleeps.
        var asleepAt: Date?
    }

    private var entries: [UUID: Entry] = [:]
    private var fetchCount = 0
    private var nextFlight: UInt64 = 0
    private let lock = NSLock()
    private let peers: (any CachePeers)?

    public init(peers: (any CachePeers)? = nil) { self.peers = peers }

    /// Connector calls made so far (for tests, `/metrics` and the benchmark).
    public var fetches: Int { lock.withLock { fetchCount } }

    /// The readings of `wanted`. A miss asks the connector for
    /// `wanted ∪ warming` in one call (`warming`: what else that call should bring, normally every signal the car has).
    public func readings(
        _ wanted: Set<SignalKind>, warming: Set<SignalKind> = [], of vehicleID: UUID, maxAge: Double, now: Date,
        fetch: @escaping Fetch
    ) async -> Results {
        var results: Results = [:]
        var missing = wanted
        for attempt in 0..<3 {
            let step: Step = lock.withLock {
                let entry = entries[vehicleID, default: Entry()]
                for signal in missing {
                    if let cached = entry.readings[signal], now.timeIntervalSince(cached.fetchedAt) <= maxAge {
                        results[signal] = .success(cached)
                        missing.remove(signal)
                    }
                }
                if missing.isEmpty { return .done }
                if let asleepAt = entry.asleepAt, now.timeIntervalSince(asleepAt) <= maxAge { return .asleep(entry.readings) }
                if let flight = entry.flight, attempt < 2 { return .join(flight) }
                return .fly(start(missing.union(warming), vehicleID: vehicleID, fetch: fetch))
            }
            let flight: Flight
            switch step {
            case .done: return results
            case .asleep(let stale):
                return Self.asleep(missing, stale: stale, into: results)
            case .join(let running): flight = running
            case .fly(let started): flight = started
            }
            let outcome = await land(flight, vehicleID: vehicleID, now: now)
            switch outcome {
            case .success(let snapshot):
                for signal in missing {
                    if let reading = snapshot.readings[signal] {
                        results[signal] = .success(reading)
                    } else if let failure = snapshot.failures[signal] {
                        results[signal] = .failure(failure)
                    }
                }
                missing.subtract(results.keys)
                if missing.isEmpty { return results }
                if flight.signals.isSuperset(of: missing) { return Self.unanswered(missing, into: results) }
            case .failure(.asleep):
                return Self.asleep(missing, stale: lock.withLock { entries[vehicleID]?.readings ?? [:] }, into: results)
            case .failure(let error):
                for signal in missing { results[signal] = .failure(error) }
                return results
            }
        }
        return Self.unanswered(missing, into: results)
    }

    /// An asleep car: its last readings, with their age, or `ASLEEP`.
    private static func asleep(
        _ signals: Set<SignalKind>, stale: [SignalKind: SignalReading], into results: Results
    ) -> Results {
        var results = results
        for signal in signals { results[signal] = stale[signal].map { .success($0) } ?? .failure(.asleep) }
        return results
    }

    /// Signals a call that was asked for them did not bring.
    private static func unanswered(
        _ signals: Set<SignalKind>, into results: Results
    ) -> Results {
        var results = results
        for signal in signals { results[signal] = .failure(.upstream("The brand's answer had no \(signal.rawValue).")) }
        return results
    }

    /// One signal (a snapshot is still taken: `warming` comes along).
    public func reading(
        _ signal: SignalKind, warming: Set<SignalKind> = [], of vehicleID: UUID, maxAge: Double, now: Date, fetch: @escaping Fetch
    ) async throws(ConnectorError) -> SignalReading {
        let result = await readings([signal], warming: warming, of: vehicleID, maxAge: maxAge, now: now, fetch: fetch)[signal]
        guard let result else { throw .upstream("No reading of \(signal.rawValue).") }
        return try result.get()
    }

    /// Forgets readings a command made stale (and that the car slept: a command may have woken it); unless the news
    /// came from a peer, tells the peers to.
    public func invalidate(_ signals: [SignalKind], of vehicleID: UUID, announce: Bool = true) {
        lock.withLock {
            for signal in signals { entries[vehicleID]?.readings[signal] = nil }
            entries[vehicleID]?.asleepAt = nil
        }
        if announce { peers?.announce(.readings(vehicleID, signals)) }
    }

    /// Forgets every reading (a peer's announcements may have been missed).
    public func removeAll() {
        lock.withLock { for id in entries.keys { entries[id]?.readings = [:]; entries[id]?.asleepAt = nil } }
    }

    private enum Step {
        case done, asleep([SignalKind: SignalReading]), join(Flight), fly(Flight)
    }

    /// Starts a connector call (under the lock).
    private func start(_ signals: Set<SignalKind>, vehicleID: UUID, fetch: @escaping Fetch) -> Flight {
        fetchCount += 1
        nextFlight += 1
        let flight = Flight(id: nextFlight, signals: signals, task: Task { try await fetch(signals) })
        entries[vehicleID, default: Entry()].flight = flight
        return flight
    }

    /// Waits for a call and keeps what it brought (every waiter does; a reading never replaces a newer one).
    private func land(_ flight: Flight, vehicleID: UUID, now: Date) async -> Result<VehicleSnapshot, ConnectorError> {
        let outcome: Result<VehicleSnapshot, ConnectorError>
        do {
            outcome = .success(try await flight.task.value)
        } catch {
            outcome = .failure((error as? ConnectorError) ?? .upstream(String(describing: error)))
        }
        lock.withLock {
            var entry = entries[vehicleID, default: Entry()]
            if entry.flight?.id == flight.id { entry.flight = nil }
            switch outcome {
            case .success(let snapshot):
                for (signal, reading) in snapshot.readings
                where entry.readings[signal].map({ $0.fetchedAt <= reading.fetchedAt }) ?? true {
                    entry.readings[signal] = reading
                }
                entry.asleepAt = nil
            case .failure(.asleep):
                entry.asleepAt = max(entry.asleepAt ?? now, now)
            case .failure:
                break
            }
            entries[vehicleID] = entry
        }
        return outcome
    }
}
