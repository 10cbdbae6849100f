import CarportCore

/// Enode v1 Link scopes (enode.md §2.2) and the canonical permissions each stands for.
enum EnodeScopes {
    static let mapping: [String: [Permission]] = [
        "vehicle:charge_state": [.readBattery, .readCharge],
        "vehicle:information": [.readVehicleInfo, .readVIN],
        "vehicle:location": [.readLocation],
        "vehicle:odometer": [.readOdometer],
        "vehicle:smart_charging_policy": [.readCharge, .controlCharge],
        "control:vehicle:charging": [.controlCharge],
        "charging_location": [.readChargeLocations],
        "charger:charge_state": [.readCharger],
        "charger:information": [.readCharger],
        "control:charger:charging": [.controlCharger],
    ]

    /// The permissions of a space-separated Enode scope, and whether `offline_access` asks for refresh tokens.
    static func permissions(for scope: String) throws(OAuthError) -> (permissions: [Permission], offlineAccess: Bool) {
        var permissions: [Permission] = []
        var offlineAccess = false
        for name in scope.split(separator: " ").map(String.init) {
            switch name {
            case "offline_access": offlineAccess = true
            case "all": permissions += mapping.values.flatMap { $0 }
            default:
                guard let mapped = mapping[name] else { throw .invalidScope("Unknown scope \"\(name)\".") }
                permissions += mapped
            }
        }
        let unique = Array(Set(permissions)).sorted()
        guard !unique.isEmpty else { throw .invalidScope("scope is required, e.g. \"all offline_access\".") }
        return (unique, offlineAccess)
    }
}
