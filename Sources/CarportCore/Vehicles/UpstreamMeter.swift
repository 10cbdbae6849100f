import Foundation

/// What an upstream request was for, as brands bill them (Tesla: data, commands and wakes at their own rates).
public enum UpstreamCategory: String, Sendable, CaseIterable {
    /// Vehicle data (Tesla `vehicle_data`).
    case data
    case command
    case wake
    /// The car's list entry or online state (Tesla `GET /api/1/vehicles/{id}`), checked before any data request.
    case state
    /// Everything else: tokens, region look-ups, partner registration, key status.
    case account
}

/// Counts requests to brands' clouds by brand, category and HTTP status (0: no answer), for `/metrics`.
public final class UpstreamMeter: @unchecked Sendable {
    public struct Key: Hashable, Sendable, Comparable {
        public var brand: String
        public var category: UpstreamCategory
        public var status: Int

        public static func < (a: Key, b: Key) -> Bool {
            (a.brand, a.category.rawValue, a.status) < (b.brand, b.category.rawValue, b.status)
        }
    }

    private var requests: [Key: Int] = [:]
    private let lock = NSLock()

    public init() {}

    public func record(brand: String, _ category: UpstreamCategory, status: Int) {
        lock.withLock { requests[Key(brand: brand, category: category, status: status), default: 0] += 1 }
    }

    public var counts: [Key: Int] { lock.withLock { requests } }
}
