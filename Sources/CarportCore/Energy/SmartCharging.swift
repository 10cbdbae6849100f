import Foundation

/// A vehicle's smart-charging policy: when enabled, a plugged-in car reaches its charge limit by `deadline` (a time
/// of day, UTC), charging in the cheapest hours of the tariff before it.
public struct SmartChargingPolicy: Sendable, Codable, Equatable {
    public var isEnabled: Bool
    /// Minutes after midnight UTC; nil until set (and smart charging cannot be enabled without it).
    public var deadlineMinutes: Int?

    public init(isEnabled: Bool, deadlineMinutes: Int?) {
        self.isEnabled = isEnabled
        self.deadlineMinutes = deadlineMinutes
    }

    public static let unset = SmartChargingPolicy(isEnabled: false, deadlineMinutes: nil)

    /// `HH:MM` on a 24-hour clock.
    public var deadline: String? {
        deadlineMinutes.map { String(format: "%02d:%02d", $0 / 60, $0 % 60) }
    }

    /// Minutes after midnight of an `HH:MM` time, or nil when it is not one.
    public static func minutes(of text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }
}

/// Why a plugged-in car charges or waits, when something other than the car's own default decides.
public enum ChargeControl: String, Sendable, Codable, Equatable {
    case manuallyStarted, manuallyStopped
    /// Smart charging waits for cheaper hours.
    case smartDelay
    /// Smart charging chose this hour.
    case smartActive
    /// Only charging from now on meets the deadline.
    case smartDeadline
}

/// The smart-charging decision for the coming moments.
public enum SmartChargingPlanner {
    /// Charge now (`smartActive`/`smartDeadline`) or wait (`smartDelay`): the hours before the next deadline are
    /// ranked by price (earlier first on a tie) and the cheapest that give `neededHours` of charging are used.
    public static func decide(now: Date, neededHours: Double, deadlineMinutes: Int, tariff: Tariff) -> ChargeControl {
        let deadline = nextDeadline(after: now, minutes: deadlineMinutes)
        if neededHours >= deadline.timeIntervalSince(now) / 3600 { return .smartDeadline }
        var slots: [(hours: Double, price: Double)] = []
        var start = now
        while start < deadline {
            let hourEnd = Date(timeIntervalSince1970: ((start.timeIntervalSince1970 / 3600).rounded(.down) + 1) * 3600)
            let end = min(hourEnd, deadline)
            slots.append((end.timeIntervalSince(start) / 3600, tariff.price(at: start)))
            start = end
        }
        var remaining = neededHours
        for index in slots.indices.sorted(by: { (slots[$0].price, $0) < (slots[$1].price, $1) }) where remaining > 0 {
            if index == 0 { return .smartActive }
            remaining -= slots[index].hours
        }
        return .smartDelay
    }

    /// The first moment after `now` whose UTC time of day is `minutes`.
    public static func nextDeadline(after now: Date, minutes: Int) -> Date {
        let day = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        let today = Date(timeIntervalSince1970: day + Double(minutes) * 60)
        return today > now ? today : today.addingTimeInterval(86_400)
    }
}
