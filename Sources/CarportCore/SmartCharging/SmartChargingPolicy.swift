import Foundation

/// A vehicle's smart-charging policy: when enabled, a car plugged in at one of its owner's charging locations
/// reaches its target level by the next deadline, charging in the cheapest slots before it; below the minimum
/// level it charges at once whatever the price.
public struct SmartChargingPolicy: Sendable, Codable, Equatable {
    public var isEnabled: Bool
    /// The daily deadline, minutes after midnight UTC (Enode); nil until set.
    public var deadlineMinutes: Int?
    /// Charged at once, whatever the price (0–1); nil: none.
    public var minimumChargeLevel: Double?
    /// The level to reach (0–1), never above the car's own charge limit; nil: the car's limit.
    public var targetLevel: Double?
    /// Departure per weekday (1 = Sunday … 7 = Saturday), minutes after local midnight in `timeZone` (Jedlix);
    /// when any is set they replace the daily deadline.
    public var departures: [Int: Int]
    /// IANA name, for `departures`; nil: UTC.
    public var timeZone: String?

    public init(isEnabled: Bool, deadlineMinutes: Int?, minimumChargeLevel: Double? = nil, targetLevel: Double? = nil,
                departures: [Int: Int] = [:], timeZone: String? = nil) {
        self.isEnabled = isEnabled
        self.deadlineMinutes = deadlineMinutes
        self.minimumChargeLevel = minimumChargeLevel
        self.targetLevel = targetLevel
        self.departures = departures
        self.timeZone = timeZone
    }

    public static let unset = SmartChargingPolicy(isEnabled: false, deadlineMinutes: nil)

    /// Whether it can plan: enabled with a deadline or a departure.
    public var isActive: Bool { isEnabled && (deadlineMinutes != nil || !departures.isEmpty) }

    /// Every field in one line: when it changes, the control loop plans again.
    public var fingerprint: String {
        let days = departures.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        return "\(isEnabled)|\(deadlineMinutes ?? -1)|\(minimumChargeLevel ?? -1)|\(targetLevel ?? -1)|\(days)|\(timeZone ?? "")"
    }

    /// `HH:MM` on a 24-hour clock.
    public var deadline: String? { deadlineMinutes.map(Self.clock) }

    public static func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }

    /// Minutes after midnight of an `HH:MM` time, or nil when it is not one.
    public static func minutes(of text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }

    /// The first deadline after `now`: the next departure on its weekday in the owner's time zone, else the daily
    /// UTC deadline; nil when neither is set.
    public func nextDeadline(after now: Date) -> Date? {
        if !departures.isEmpty {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
            let today = calendar.startOfDay(for: now)
            for offset in 0...7 {
                guard let day = calendar.date(byAdding: .day, value: offset, to: today),
                      let minutes = departures[calendar.component(.weekday, from: day)],
                      let time = calendar.date(byAdding: .minute, value: minutes, to: day), time > now
                else { continue }
                return time
            }
            return nil
        }
        guard let deadlineMinutes else { return nil }
        let day = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let today = Date(timeIntervalSince1970: day + Double(deadlineMinutes) * 60)
        return today > now ? today : today.addingTimeInterval(86_400)
    }

    /// English weekday names as Jedlix writes them, index 0 = Sunday.
    public static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
}

/// Why a plugged-in car charges or waits, when something other than the car's own default decides.
public enum ChargeControl: String, Sendable, Codable, Equatable {
    case manuallyStarted, manuallyStopped
    /// Smart charging waits for cheaper slots.
    case smartDelay
    /// Smart charging chose this slot.
    case smartActive
    /// Only charging from now on meets the deadline (or the car is below its minimum level).
    case smartDeadline
}
