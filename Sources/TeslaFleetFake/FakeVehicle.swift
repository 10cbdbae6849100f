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
    /// kWh added in the current charging session (Tesla's `charge_energy_added`).
    var energyAdded: Double = 0
    var climateOn = false
    var sentryMode = false
    var driverTempSetting = 21.0
    /// Partner domains whose virtual key the owner added to the car.
    var pairedDomains: [String] = []

    /// Tesla's API id, stable per VIN.
    var id: Int64 { Int64(bitPattern: UInt64(truncatingIfNeeded: vin.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 })) & 0x000F_FFFF_FFFF_FFFF }

    /// Cars that take only signed commands (Vehicle Command Protocol): all but pre-2021 Model S/X.
    var requiresCommandProtocol: Bool { !((model == "Model S" || model == "Model X") && year < 2021) }

    static let batteryMilesAtFull = 310.0
    static let percentPerSecondCharging = 0.05
    static let usableKWh = 75.0

    /// Brings the car up to `now`: wake-ups land, charging adds energy, idle cars fall asleep.
    mutating func advance(to now: Date, sleepAfter: Double) {
        if let wakesAt, now >= wakesAt { state = "online"; self.wakesAt = nil; lastActivity = now }
        if charging {
            let elapsed = max(0, now.timeIntervalSince(lastActivity))
            let before = batteryLevel
            batteryLevel = min(Double(chargeLimit), batteryLevel + elapsed * Self.percentPerSecondCharging)
            energyAdded += (batteryLevel - before) / 100 * Self.usableKWh
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
            energyAdded = 0
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
        case "charge_max_range":
            if chargeLimit == 100 { return (false, "already_max_range") }
            chargeLimit = 100
        case "charge_standard":
            if chargeLimit == 90 { return (false, "already_standard") }
            chargeLimit = 90
        case "door_lock": locked = true
        case "door_unlock": locked = false
        case "auto_conditioning_start": climateOn = true
        case "auto_conditioning_stop": climateOn = false
        case "set_sentry_mode":
            guard let on = body["on"] as? Bool else { throw FakeFailure(400, "invalid_field", "on is required") }
            sentryMode = on
        case "set_temps":
            guard let driver = (body["driver_temp"] as? NSNumber)?.doubleValue, (15...28).contains(driver) else {
                throw FakeFailure(400, "invalid_field", "driver_temp must be 15..28")
            }
            driverTempSetting = driver
        case "charge_port_door_open", "charge_port_door_close", "honk_horn", "flash_lights", "remote_start_drive": break
        default: return nil
        }
        return (true, "")
    }

    /// The vehicle object of `/api/1/vehicles` and `/api/1/products` (tesla-real-clients.md §1 #3).
    var summary: [String: Any] {
        ["id": id, "vehicle_id": id % 1_000_000_000, "user_id": id % 100_000, "vin": vin, "display_name": displayName,
         "color": NSNull(), "access_type": "OWNER", "tokens": [String(vin.suffix(16))], "state": state, "in_service": false,
         "id_s": String(id), "calendar_enabled": true, "api_version": 71, "backseat_token": NSNull(),
         "backseat_token_updated_at": NSNull(), "option_codes": NSNull(), "cached_data": "",
         "command_signing": requiresCommandProtocol ? "required" : "off", "granular_access": ["hide_private": false],
         "mobile_access_disabled": false, "ble_autopair_enrolled": false, "device_type": "vehicle",
         "release_notes_supported": true]
    }

    /// The sections `endpoints` asks for. `location_data` adds the position to `drive_state` (and is no section
    /// of its own); `vehicle_data_combo` stands for Tesla's default set. Nil names an unknown endpoint.
    func vehicleData(endpoints: [String], now: Date) -> Result<[String: Any], FakeFailure> {
        var body = summary
        let located = endpoints.contains("location_data")
        var names = endpoints.flatMap { $0 == "vehicle_data_combo" ? Self.defaultEndpoints : [$0] }.filter { $0 != "location_data" }
        if located, !names.contains("drive_state") { names.append("drive_state") }
        for name in names {
            guard let section = section(name, now: now, located: located) else {
                return .failure(FakeFailure(400, "invalid_field", "Unknown endpoint \(name)"))
            }
            body[name] = section
        }
        return .success(body)
    }

    static let defaultEndpoints = ["charge_state", "climate_state", "drive_state", "gui_settings", "vehicle_config", "vehicle_state"]

    /// One `vehicle_data` section; `located`: `drive_state` carries the position.
    func section(_ endpoint: String, now: Date, located: Bool = false) -> [String: Any]? {
        let timestamp = Int64(now.timeIntervalSince1970 * 1000)
        switch endpoint {
        case "charge_state":
            return chargeState(timestamp: timestamp)
        case "vehicle_state":
            return ["locked": locked, "odometer": odometerMiles, "car_version": "2024.14.30 abcdef", "sentry_mode": sentryMode,
                    "sentry_mode_available": true, "vehicle_name": displayName, "is_user_present": false,
                    "center_display_state": 0, "valet_mode": false, "remote_start": false, "timestamp": timestamp]
                .merging(closures, uniquingKeysWith: { $1 })
        case "closures_state":
            return closures.merging(["timestamp": timestamp], uniquingKeysWith: { $1 })
        case "drive_state":
            var drive: [String: Any] = ["shift_state": NSNull(), "speed": NSNull(), "power": 0, "timestamp": timestamp,
                                        "active_route_destination": NSNull()]
            if located {
                drive.merge(["latitude": latitude, "longitude": longitude, "heading": 180, "gps_as_of": Int64(now.timeIntervalSince1970),
                             "native_latitude": latitude, "native_longitude": longitude, "native_location_supported": 1,
                             "native_type": "wgs"], uniquingKeysWith: { $1 })
            }
            return drive
        case "vehicle_config":
            return ["car_type": model.lowercased().replacingOccurrences(of: " ", with: ""), "trim_badging": "74d",
                    "exterior_color": "MidnightSilver", "wheel_type": "Pinwheel18", "can_accept_navigation_requests": true,
                    "timestamp": timestamp]
        case "climate_state":
            return ["inside_temp": 21.5, "outside_temp": 14.0, "is_climate_on": climateOn, "driver_temp_setting": driverTempSetting,
                    "passenger_temp_setting": driverTempSetting, "is_auto_conditioning_on": climateOn, "timestamp": timestamp]
        case "gui_settings":
            return ["gui_distance_units": "mi/hr", "gui_temperature_units": "F", "gui_charge_rate_units": "mi/hr",
                    "gui_range_display": "Rated", "gui_24_hour_time": false, "timestamp": timestamp]
        case "charge_schedule_data":
            return ["charge_schedules": [], "charge_buffer": 5, "max_num_charge_schedules": 10, "next_schedule": false,
                    "timestamp": timestamp]
        case "preconditioning_schedule_data":
            return ["preconditioning_schedules": [], "max_num_precondition_schedules": 10, "next_schedule": false,
                    "timestamp": timestamp]
        default:
            return nil
        }
    }

    /// Doors, trunks and windows: all closed (`vehicle_state` and `closures_state`).
    private var closures: [String: Any] {
        ["df": 0, "dr": 0, "pf": 0, "pr": 0, "ft": 0, "rt": 0, "fd_window": 0, "fp_window": 0, "rd_window": 0, "rp_window": 0,
         "sun_roof_state": "closed", "sun_roof_percent_open": 0]
    }

    private func chargeState(timestamp: Int64) -> [String: Any] {
        let power = charging ? Double(chargingAmps) * 240 / 1000 : 0
        let range = (batteryLevel / 100 * Self.batteryMilesAtFull * 100).rounded() / 100
        let hoursToFull = charging ? (Double(chargeLimit) - batteryLevel) / Self.percentPerSecondCharging / 3600 : 0
        let milesPerHour = charging ? power / Self.usableKWh * Self.batteryMilesAtFull : 0
        return ["battery_level": Int(batteryLevel.rounded(.down)), "usable_battery_level": Int(batteryLevel.rounded(.down)),
                "battery_range": range, "est_battery_range": (range * 0.9 * 100).rounded() / 100, "ideal_battery_range": range,
                "charge_limit_soc": chargeLimit, "charge_limit_soc_min": 50, "charge_limit_soc_max": 100,
                "charge_limit_soc_std": 90, "charging_state": chargingState, "charger_power": Int(power.rounded()),
                "charger_voltage": charging ? 240 : 0, "charger_actual_current": charging ? chargingAmps : 0,
                "charger_pilot_current": chargingAmps, "charge_amps": chargingAmps, "charge_current_request": chargingAmps,
                "charge_current_request_max": 48, "charger_phases": charging ? 1 : NSNull(), "charge_port_door_open": pluggedIn,
                "charge_port_latch": pluggedIn ? "Engaged" : "Disengaged", "conn_charge_cable": pluggedIn ? "SAE" : "<invalid>",
                "charge_energy_added": (energyAdded * 100).rounded() / 100,
                "charge_miles_added_rated": (energyAdded / Self.usableKWh * Self.batteryMilesAtFull * 10).rounded() / 10,
                "charge_miles_added_ideal": (energyAdded / Self.usableKWh * Self.batteryMilesAtFull * 10).rounded() / 10,
                "charge_rate": (milesPerHour * 10).rounded() / 10, "charge_enable_request": charging,
                "user_charge_enable_request": NSNull(), "fast_charger_present": false, "fast_charger_type": "<invalid>",
                "fast_charger_brand": "<invalid>", "battery_heater_on": false, "not_enough_power_to_heat": NSNull(),
                "managed_charging_active": false, "off_peak_charging_enabled": false, "preconditioning_enabled": false,
                "scheduled_charging_mode": "Off", "scheduled_charging_pending": false, "scheduled_charging_start_time": NSNull(),
                "scheduled_departure_time": NSNull(), "supercharger_session_trip_planner": false, "trip_charging": false,
                "max_range_charge_counter": 0, "time_to_full_charge": (hoursToFull * 100).rounded() / 100,
                "minutes_to_full_charge": Int(hoursToFull * 60), "timestamp": timestamp]
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
