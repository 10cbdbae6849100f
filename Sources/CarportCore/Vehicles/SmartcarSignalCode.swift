/// The v3 signal codes Carport can supply (smartcar-webhooks-v3.md §3), each with the reading it comes from: what
/// Smartcar webhooks trigger on and carry, and what the v3 signals API serves.
public enum SmartcarSignalCode: String, Sendable, CaseIterable {
    case stateOfCharge = "tractionbattery-stateofcharge"
    case range = "tractionbattery-range"
    case nominalCapacity = "tractionbattery-nominalcapacity"
    case isCharging = "charge-ischarging"
    case isChargingCableConnected = "charge-ischargingcableconnected"
    case detailedChargingStatus = "charge-detailedchargingstatus"
    case wattage = "charge-wattage"
    case chargeLimits = "charge-chargelimits"
    case fuelLevel = "internalcombustionengine-fuellevel"
    case fuelAmountRemaining = "internalcombustionengine-amountremaining"
    case fuelRange = "internalcombustionengine-range"
    case oilLife = "internalcombustionengine-oillife"
    case preciseLocation = "location-preciselocation"
    case traveledDistance = "odometer-traveleddistance"
    case isLocked = "closure-islocked"
    case doors = "closure-doors"
    case windows = "closure-windows"
    case sunroof = "closure-sunroof"
    case frontTrunk = "closure-fronttrunk"
    case rearTrunk = "closure-reartrunk"
    case isChargingPortFlapOpen = "charge-ischargingportflapopen"
    case tires = "wheel-tires"
    case troubleCodes = "diagnostics-dtclist"
    case troubleCodeCount = "diagnostics-dtccount"
    case serviceRecords = "service-records"

    /// The reading it is taken from (and so the permission it needs).
    public var source: SignalKind {
        switch self {
        case .stateOfCharge, .range: .battery
        case .nominalCapacity: .batteryCapacity
        case .isCharging, .isChargingCableConnected, .detailedChargingStatus, .wattage: .charge
        case .chargeLimits: .chargeLimit
        case .fuelLevel, .fuelAmountRemaining, .fuelRange: .fuel
        case .oilLife: .engineOil
        case .preciseLocation: .location
        case .traveledDistance: .odometer
        case .isLocked, .doors, .windows, .sunroof, .frontTrunk, .rearTrunk, .isChargingPortFlapOpen: .security
        case .tires: .tirePressure
        case .troubleCodes, .troubleCodeCount: .diagnostics
        case .serviceRecords: .serviceHistory
        }
    }

    /// `group-name` in Smartcar's spelling: the group and the name of the signal.
    public var group: String {
        switch self {
        case .stateOfCharge, .range, .nominalCapacity: "TractionBattery"
        case .isCharging, .isChargingCableConnected, .detailedChargingStatus, .wattage, .chargeLimits, .isChargingPortFlapOpen: "Charge"
        case .fuelLevel, .fuelAmountRemaining, .fuelRange, .oilLife: "InternalCombustionEngine"
        case .preciseLocation: "Location"
        case .traveledDistance: "Odometer"
        case .isLocked, .doors, .windows, .sunroof, .frontTrunk, .rearTrunk: "Closure"
        case .tires: "Wheel"
        case .troubleCodes, .troubleCodeCount: "Diagnostics"
        case .serviceRecords: "Service"
        }
    }

    public var name: String {
        switch self {
        case .stateOfCharge: "StateOfCharge"
        case .range, .fuelRange: "Range"
        case .nominalCapacity: "NominalCapacity"
        case .isCharging: "IsCharging"
        case .isChargingCableConnected: "IsChargingCableConnected"
        case .detailedChargingStatus: "DetailedChargingStatus"
        case .wattage: "Wattage"
        case .chargeLimits: "ChargeLimits"
        case .fuelLevel: "FuelLevel"
        case .fuelAmountRemaining: "AmountRemaining"
        case .oilLife: "OilLife"
        case .preciseLocation: "PreciseLocation"
        case .traveledDistance: "TraveledDistance"
        case .isLocked: "IsLocked"
        case .doors: "Doors"
        case .windows: "Windows"
        case .sunroof: "Sunroof"
        case .frontTrunk: "FrontTrunk"
        case .rearTrunk: "RearTrunk"
        case .isChargingPortFlapOpen: "IsChargingPortFlapOpen"
        case .tires: "Tires"
        case .troubleCodes: "DTCList"
        case .troubleCodeCount: "DTCCount"
        case .serviceRecords: "Records"
        }
    }

    /// Parses a comma- or space-separated list of codes as written (lower case); the codes Carport does not know are
    /// returned as the failure.
    public static func list(_ text: String) -> Result<[SmartcarSignalCode], UnknownCodes> {
        var codes: [SmartcarSignalCode] = [], unknown: [String] = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            if let code = SmartcarSignalCode(rawValue: String(part)) {
                if !codes.contains(code) { codes.append(code) }
            } else {
                unknown.append(String(part))
            }
        }
        return unknown.isEmpty ? .success(codes) : .failure(UnknownCodes(codes: unknown))
    }

    public struct UnknownCodes: Error, Equatable, CustomStringConvertible {
        public let codes: [String]
        public var description: String {
            "unknown signal code(s) \(codes.joined(separator: ", ")); known: \(SmartcarSignalCode.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}
