import CarportCore

/// Canonical permissions and the Tesla scopes that cover them (seed 002's mapping table).
public enum TeslaScopes {
    public static func scope(for permission: Permission) -> String? {
        switch permission {
        case .controlCharge, .readChargeRecords: "vehicle_charging_cmds"
        case .controlClimate, .controlNavigation, .controlPin, .controlSecurity, .controlTrunk: "vehicle_cmds"
        case .readLocation: "vehicle_location"
        case .readUserProfile: "user_data"
        case .readBattery, .readCharge, .readClimate, .readCompass, .readEngineOil, .readExtendedVehicleInfo, .readFuel,
             .readOdometer, .readSecurity, .readSpeedometer, .readThermometer, .readTires, .readVehicleInfo, .readVIN:
            "vehicle_device_data"
        default: nil
        }
    }

    /// What to ask Tesla for: the mapped scopes plus `openid offline_access`.
    public static func requested(for permissions: [Permission]) -> [String] {
        var scopes = ["openid", "offline_access"]
        for scope in permissions.compactMap(scope(for:)) where !scopes.contains(scope) { scopes.append(scope) }
        return scopes
    }

    /// Canonical permissions Tesla's consent covers with `granted` scopes. Charging commands also pass with
    /// `vehicle_cmds` (tesla.md §3).
    public static func covers(_ permission: Permission, granted: Set<String>) -> Bool {
        guard let scope = scope(for: permission) else { return true }
        return granted.contains(scope) || (scope == "vehicle_charging_cmds" && permission == .controlCharge && granted.contains("vehicle_cmds"))
    }
}
