import Foundation

/// Named leases in the shared database: background work that must run on one node at a time (a periodic scan, an
/// application's change scan) claims a lease first. A lease runs out by itself, so when its holder's node dies
/// another node takes the work over after at most the lease's duration.
public protocol LeaseStore: Sendable {
    /// Takes the lease `name` for `holder` until `until` when nobody holds it or its lease ran out by `now`; true
    /// when taken. Concurrent claims of one name never both succeed.
    func claim(_ name: String, holder: String, until: Date, now: Date) async throws -> Bool
    /// Gives the lease back if `holder` still holds it.
    func release(_ name: String, holder: String) async throws
}

/// Another holder kept the lease for longer than the caller was willing to wait.
public struct LeaseBusy: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "lease \(name) is held by another node" }
}

extension LeaseStore {
    /// Runs `body` holding the lease `name` (for at most `duration` seconds), waiting up to `wait` seconds for it;
    /// throws `LeaseBusy` when it stays held. The lease is given back when `body` ends, however it ends.
    public func withLease<T: Sendable>(
        _ name: String, duration: Double, wait: Double, now: @Sendable () -> Date = Date.init,
        _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let holder = UUID().uuidString
        let giveUp = now().addingTimeInterval(wait)
        while try await !claim(name, holder: holder, until: now().addingTimeInterval(duration), now: now()) {
            guard now() < giveUp else { throw LeaseBusy(name: name) }
            try await Task.sleep(for: .milliseconds(50))
        }
        do {
            let result = try await body()
            try await release(name, holder: holder)
            return result
        } catch {
            try? await release(name, holder: holder)
            throw error
        }
    }
}
