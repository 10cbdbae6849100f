import Foundation

/// One car in the fake cloud: identity, sleep state, charging and locks, advanced lazily on each access.
struct FakeVehicle: Codable, Sendable {
    var vin: String
    var model: String
    var year: Int
    var displayName: String
    var ownerEmail: String
    /// `online`, `asleep` or `offline`.
    var state = "online"
    var wakesAt: Date?
    var lastActivity = Date()
    var batteryLevel: Double = 62
    var chargeLimit: Int = 80
    var pluggedIn = true
    var charging = false
    var chargingAmps = 16
    var locked = true
    var odometerMiles: Double = 12_345.6
    var latitude = 37.4924
    var longitude = -121.9447
    /// Partner domains whose virtual key the owner added to the car.
    var pairedDomains: [String] = []

    /// Tesla's API id, stable per VIN.
    var id: Int64 { Int64(bitPattern: UInt64(truncatingIfNeeded: vin.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 })) & 0x000F_FFFF_FFFF_FFFF }

    /// Cars that take only signed commands (Vehicle Command Protocol): all but pre-2021 Model S/X.
    var requiresCommandProtocol: Bool { !((model == "Model S" || model == "Model X") && year < 2021) }

    static let batteryMilesAtFull = 310.0
    static let percentPerSecondCharging = 0.05

    /// Brings the car up to `now`: wake-ups land, charging adds energy, idle cars fall asleep.
    mutating func advance(to now: Date, sleepAfter: Double) {
        if let wakesAt, now >= wakesAt { state = "online"; self.wakesAt = nil; lastActivity = now }
        if charging {
            let elapsed = max(0, now.timeIntervalSince(lastActivity))
            batteryLevel = min(Double(chargeLimit), batteryLevel + elapsed * Self.percentPerSecondCharging)
            if batteryLevel >= Double(chargeLimit) { charging = false }
        }
        if state == "online", sleepAfter > 0, !charging, now.timeIntervalSince(lastActivity) > sleepAfter {
            state = "asleep"
        }
        if state == "online" { lastActivity = max(lastActivity, now) }
    }

    var chargingState: String {
        if !pluggedIn { return "Disconnected" }
        if charging { return "Charging" }
        return batteryLevel >= Double(chargeLimit) ? "Complete" : "Stopped"
    }

    /// Executes a REST command; nil when the name is unknown. `result:false` reasons follow Tesla's.
    mutating func execute(_ name: String, body: [String: Any]) throws(FakeFailure) -> (Bool, String)? {
        switch name {
        case "charge_start":
            if !pluggedIn { return (false, "disconnected") }
            if charging { return (false, "is_charging") }
            if batteryLevel >= Double(chargeLimit) { return (false, "complete") }
            charging = true
        case "charge_stop":
            guard charging else { return (false, "not_charging") }
            charging = false
        case "set_charge_limit":
            guard let percent = (body["percent"] as? NSNumber)?.intValue else {
                throw FakeFailure(400, "invalid_field", "percent is required")
            }
            guard (50...100).contains(percent) else { throw FakeFailure(400, "invalid_field", "percent must be 50..100") }
            if percent == chargeLimit { return (false, "already_set") }
            chargeLimit = percent
            if Double(percent) <= batteryLevel { charging = false }
        case "set_charging_amps":
            guard let amps = (body["charging_amps"] as? NSNumber)?.intValue, (0...48).contains(amps) else {
                throw FakeFailure(400, "invalid_field", "charging_amps must be 0..48")
            }
            chargingAmps = amps
        case "door_lock": locked = true
        case "door_unlock": locked = false
        case "charge_port_door_open", "charge_port_door_close", "honk_horn", "flash_lights": break
        default: return nil
        }
        return (true, "")
    }

    /// The vehicle object of `/api/1/vehicles`.
    var summary: [String: Any] {
        ["id": id, "vehicle_id": id % 1_000_000_000, "vin": vin, "display_name": displayName, "color": NSNull(),
         "access_type": "OWNER", "tokens": [String(vin.suffix(16))], "state": state, "in_service": false,
         "id_s": String(id), "calendar_enabled": true, "api_version": 71, "backseat_token": NSNull(),
         "backseat_token_updated_at": NSNull()]
    }

    /// `vehicle_data` sections by endpoint name.
    func section(_ endpoint: String, now: Date) -> [String: Any]? {
        let timestamp = Int64(now.timeIntervalSince1970 * 1000)
        switch endpoint {
        case "charge_state":
            let power = charging ? Double(chargingAmps) * 240 / 1000 : 0
            return ["battery_level": Int(batteryLevel.rounded(.down)), "usable_battery_level": Int(batteryLevel.rounded(.down)),
                    "battery_range": (batteryLevel / 100 * Self.batteryMilesAtFull * 100).rounded() / 100,
                    "est_battery_range": (batteryLevel / 100 * Self.batteryMilesAtFull * 90).rounded() / 100,
                    "charge_limit_soc": chargeLimit, "charge_limit_soc_min": 50, "charge_limit_soc_max": 100,
                    "charge_limit_soc_std": 90, "charging_state": chargingState, "charger_power": Int(power.rounded()),
                    "charger_voltage": charging ? 240 : 0, "charger_actual_current": charging ? chargingAmps : 0,
                    "charge_amps": chargingAmps, "charge_current_request": chargingAmps, "charge_current_request_max": 48,
                    "charger_phases": charging ? 1 : NSNull(), "charge_port_door_open": pluggedIn,
                    "charge_port_latch": pluggedIn ? "Engaged" : "Disengaged", "conn_charge_cable": pluggedIn ? "SAE" : "<invalid>",
                    "fast_charger_present": false, "minutes_to_full_charge": charging ? Int((Double(chargeLimit) - batteryLevel) / Self.percentPerSecondCharging / 60) : 0,
                    "timestamp": timestamp]
        case "vehicle_state":
            return ["locked": locked, "odometer": odometerMiles, "car_version": "2024.14.30", "df": 0, "dr": 0, "pf": 0,
                    "pr": 0, "ft": 0, "rt": 0, "fd_window": 0, "fp_window": 0, "rd_window": 0, "rp_window": 0,
                    "timestamp": timestamp]
        case "drive_state":
            return ["shift_state": NSNull(), "speed": NSNull(), "power": 0, "heading": 180, "timestamp": timestamp]
        case "location_data":
            return ["latitude": latitude, "longitude": longitude, "heading": 180, "gps_as_of": Int64(now.timeIntervalSince1970),
                    "timestamp": timestamp]
        case "vehicle_config":
            return ["car_type": model.lowercased().replacingOccurrences(of: " ", with: ""), "trim_badging": "74d",
                    "timestamp": timestamp]
        case "climate_state":
            return ["inside_temp": 21.5, "outside_temp": 14.0, "is_climate_on": false, "timestamp": timestamp]
        case "gui_settings":
            return ["gui_distance_units": "mi/hr", "gui_temperature_units": "F", "timestamp": timestamp]
        default:
            return nil
        }
    }
}

/// A failed request in Tesla's envelope: `{"response":null,"error":…,"error_description":…}`.
struct FakeFailure: Error {
    var status: Int
    var error: String
    var description: String
    var headers: [(String, String)] = []

    init(_ status: Int, _ error: String, _ description: String = "", headers: [(String, String)] = []) {
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers
    }
}
