import CarportCore
import Foundation

/// Tesla's `vehicle_data` sections and command names in canonical terms.
enum TeslaSignals {
    static let kilometresPerMile = 1.609344

    /// The `endpoints` value that brings a signal.
    static func endpoint(for signal: SignalKind) -> String {
        switch signal {
        case .location: "location_data"
        case .odometer, .security: "vehicle_state"
        default: "charge_state"
        }
    }

    /// The `endpoints` query for all of `signals`, in a stable order (`;` written as `%3B`, as Tesla's docs do).
    static func endpoints(for signals: Set<SignalKind>) -> String {
        Set(signals.map(endpoint(for:))).sorted().joined(separator: "%3B")
    }

    /// The section a signal is read from: asked for with `location_data`, the position arrives inside `drive_state`
    /// (tesla-real-clients.md §1).
    static func section(for signal: SignalKind) -> String {
        signal == .location ? "drive_state" : endpoint(for: signal)
    }

    static func value(_ signal: SignalKind, from data: [String: Any]) -> SignalValue? {
        guard let section = data[section(for: signal)] as? [String: Any] else { return nil }
        func number(_ key: String) -> Double? { (section[key] as? NSNumber)?.doubleValue }
        switch signal {
        case .battery:
            guard let level = number("battery_level"), let miles = number("battery_range") else { return nil }
            return .battery(Battery(percentRemaining: level / 100, rangeKm: (miles * kilometresPerMile * 10).rounded() / 10))
        case .charge:
            guard let state = section["charging_state"] as? String else { return nil }
            let plugged = !["Disconnected", ""].contains(state)
            let charging: ChargingState = switch state {
            case "Charging", "Starting": .charging
            case "Complete": .fullyCharged
            default: .notCharging
            }
            return .charge(Charge(isPluggedIn: plugged, state: charging, powerKW: charging == .charging ? number("charger_power") ?? 0 : 0))
        case .chargeLimit:
            return number("charge_limit_soc").map { .chargeLimit($0 / 100) }
        case .location:
            guard let latitude = number("latitude"), let longitude = number("longitude") else { return nil }
            return .location(Location(latitude: latitude, longitude: longitude))
        case .odometer:
            return number("odometer").map { .odometer(km: ($0 * kilometresPerMile * 10).rounded() / 10) }
        case .security:
            return (section["locked"] as? Bool).map { .security(Security.closed(locked: $0)) }
        default:
            return nil
        }
    }

    /// When the car recorded a signal: the position's `gps_as_of` (epoch seconds), else its section's `timestamp`
    /// (epoch milliseconds).
    static func recordedAt(_ signal: SignalKind, from data: [String: Any]) -> Date? {
        let section = data[section(for: signal)] as? [String: Any]
        if signal == .location, let seconds = section?["gps_as_of"] as? NSNumber {
            return Date(timeIntervalSince1970: seconds.doubleValue)
        }
        return (section?["timestamp"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1000) }
    }

    /// Tesla's command name and JSON parameters.
    static func command(_ command: VehicleCommand) -> (String, [String: Any])? {
        switch command {
        case .lock: ("door_lock", [:])
        case .unlock: ("door_unlock", [:])
        case .startCharge: ("charge_start", [:])
        case .stopCharge: ("charge_stop", [:])
        case .setChargeLimit(let fraction): ("set_charge_limit", ["percent": Int((fraction * 100).rounded())])
        case .navigate: nil
        }
    }

    /// A `result:false` reason: harmless ones are success, the rest become `VEHICLE_STATE` codes.
    static func refusal(_ reason: String, pairingURL: String) throws(ConnectorError) {
        switch reason {
        case "already_set", "requested", "already_started", "already_standard", "already_max_range": return
        case "disconnected": throw .vehicleState(code: "CHARGING_PLUG_NOT_CONNECTED", description: "The charging cable is not plugged in.")
        case "is_charging": throw .vehicleState(code: "CHARGING_IN_PROGRESS", description: "The vehicle is already charging.")
        case "complete": throw .vehicleState(code: "FULLY_CHARGED", description: "The battery is already charged to its limit.")
        case "not_charging": throw .vehicleState(code: "NOT_CHARGING", description: "The vehicle is not charging.")
        case "no_power": throw .vehicleState(code: "CHARGE_FAULT", description: "The charger delivers no power.")
        case "unsigned_cmds_hardlocked": throw .virtualKeyRequired(pairingURL: pairingURL)
        default: throw .vehicleState(code: "UNKNOWN", description: "Tesla refused the command: \(reason).")
        }
    }
}
