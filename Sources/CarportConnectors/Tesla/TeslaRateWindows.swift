import CarportCore
import Foundation
import NIOConcurrencyHelpers

/// Carport's side of Tesla's per-vehicle limits: a one-minute sliding window per car and category, so Carport
/// never sends more than Tesla allows, and a block until `Retry-After` when Tesla answered 429 anyway.
final class TeslaRateWindows: Sendable {
    private struct State {
        var windows: [String: [Date]] = [:]
        var blockedUntil: [String: Date] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Takes one request from the window, or fails with the seconds to wait.
    func take(_ category: TeslaCategory, vin: String, now: Date = Date()) throws(ConnectorError) {
        let key = "\(vin)|\(category.rawValue)"
        let wait: Int? = state.withLockedValue { state in
            if let until = state.blockedUntil[key], until > now { return Int(until.timeIntervalSince(now).rounded(.up)) }
            var window = state.windows[key, default: []].filter { now.timeIntervalSince($0) < 60 }
            if window.count >= category.perMinute {
                state.windows[key] = window
                return max(1, Int((60 - now.timeIntervalSince(window[0])).rounded(.up)))
            }
            window.append(now)
            state.windows[key] = window
            return nil
        }
        if let wait { throw .rateLimited(retryAfter: wait) }
    }

    /// Tesla said 429: nothing more for this car and category until `seconds` pass.
    func block(_ category: TeslaCategory, vin: String, seconds: Int) {
        state.withLockedValue { $0.blockedUntil["\(vin)|\(category.rawValue)"] = Date().addingTimeInterval(Double(seconds)) }
    }
}
