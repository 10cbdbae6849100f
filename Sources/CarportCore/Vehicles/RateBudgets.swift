import Foundation

/// Token buckets: `capacity` requests at once, refilled at `perSecond`.
public struct RateLimit: Sendable, Equatable {
    public var capacity: Double
    public var perSecond: Double

    public init(capacity: Double, perSecond: Double) {
        self.capacity = capacity
        self.perSecond = perSecond
    }

    /// Parses `RATE/s` or `RATE/s,BURST` (e.g. `10/s,30`).
    public init?(_ text: String) {
        let parts = text.split(separator: ",")
        guard let rateText = parts.first, rateText.hasSuffix("/s"), let rate = Double(rateText.dropLast(2)), rate > 0
        else { return nil }
        let burst = parts.count > 1 ? Double(parts[1]) : rate
        guard let burst, burst >= 1, parts.count <= 2 else { return nil }
        self.init(capacity: burst, perSecond: rate)
    }
}

/// Rate budgets per application and per vehicle. In memory: each server node keeps its own buckets.
public final class RateBudgets: @unchecked Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private struct Key: Hashable {
        let id: UUID
        let isVehicle: Bool
    }

    public let perApplication: RateLimit
    public let perVehicle: RateLimit
    private var buckets: [Key: Bucket] = [:]
    private let lock = NSLock()

    public init(perApplication: RateLimit, perVehicle: RateLimit) {
        self.perApplication = perApplication
        self.perVehicle = perVehicle
    }

    /// Takes one request from the application's and the vehicle's budgets, or says which is exhausted.
    public func spend(applicationID: UUID, vehicleID: UUID?, now: Date = Date()) throws(CarportError) {
        lock.lock()
        defer { lock.unlock() }
        let appKey = Key(id: applicationID, isVehicle: false)
        if let wait = wait(appKey, perApplication, now) {
            throw CarportError(.rateLimit, "SMARTCAR_API", "The application has sent too many requests. Try again later.",
                               retryAfter: wait)
        }
        if let vehicleID, let wait = wait(Key(id: vehicleID, isVehicle: true), perVehicle, now) {
            throw CarportError(.rateLimit, "VEHICLE", "Too many requests to this vehicle. Try again later.", retryAfter: wait)
        }
        take(appKey, perApplication, now)
        if let vehicleID { take(Key(id: vehicleID, isVehicle: true), perVehicle, now) }
    }

    /// Seconds until a token is available, or nil when one is.
    private func wait(_ key: Key, _ limit: RateLimit, _ now: Date) -> Int? {
        let tokens = refilled(key, limit, now)
        guard tokens < 1 else { return nil }
        return max(1, Int(((1 - tokens) / limit.perSecond).rounded(.up)))
    }

    private func take(_ key: Key, _ limit: RateLimit, _ now: Date) {
        buckets[key] = Bucket(tokens: refilled(key, limit, now) - 1, updated: now)
    }

    private func refilled(_ key: Key, _ limit: RateLimit, _ now: Date) -> Double {
        guard let bucket = buckets[key] else { return limit.capacity }
        return min(limit.capacity, bucket.tokens + now.timeIntervalSince(bucket.updated) * limit.perSecond)
    }
}
