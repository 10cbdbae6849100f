import Foundation

/// What a vehicle can report. Units are metric: km, litres, kPa, kWh, fractions 0…1.
public enum SignalKind: String, Sendable, Codable, CaseIterable {
    case battery, batteryCapacity, charge, chargeLimit, fuel, location, odometer, security, tirePressure, engineOil
    case serviceHistory, diagnostics

    /// The canonical permission an application needs to read it.
    public var permission: Permission {
        switch self {
        case .battery, .batteryCapacity: .readBattery
        case .charge, .chargeLimit: .readCharge
        case .fuel: .readFuel
        case .location: .readLocation
        case .odometer: .readOdometer
        case .security: .readSecurity
        case .tirePressure: .readTires
        case .engineOil: .readEngineOil
        case .serviceHistory: .readServiceHistory
        case .diagnostics: .readDiagnostics
        }
    }
}

public struct Battery: Sendable, Codable, Equatable {
    public var percentRemaining: Double
    public var rangeKm: Double
    public init(percentRemaining: Double, rangeKm: Double) { self.percentRemaining = percentRemaining; self.rangeKm = rangeKm }
}

public enum ChargingState: String, Sendable, Codable {
    case charging = "CHARGING", fullyCharged = "FULLY_CHARGED", notCharging = "NOT_CHARGING"
}

public struct Charge: Sendable, Codable, Equatable {
    public var isPluggedIn: Bool
    public var state: ChargingState
    /// Power flowing into the battery, kW (0 unless charging).
    public var powerKW: Double
    /// Who decided, when not the car's default (a manual command or smart charging).
    public var control: ChargeControl?
    public init(isPluggedIn: Bool, state: ChargingState, powerKW: Double = 0, control: ChargeControl? = nil) {
        self.isPluggedIn = isPluggedIn
        self.state = state
        self.powerKW = powerKW
        self.control = control
    }
}

public struct Fuel: Sendable, Codable, Equatable {
    public var percentRemaining: Double
    public var amountLitres: Double
    public var rangeKm: Double
    public init(percentRemaining: Double, amountLitres: Double, rangeKm: Double) {
        self.percentRemaining = percentRemaining
        self.amountLitres = amountLitres
        self.rangeKm = rangeKm
    }
}

public struct Location: Sendable, Codable, Equatable {
    public var latitude: Double
    public var longitude: Double
    public init(latitude: Double, longitude: Double) { self.latitude = latitude; self.longitude = longitude }
}

/// A door, window, sunroof, storage compartment or charging port and its status (`LOCKED`, `OPEN`, `CLOSED`…).
public struct Closure: Sendable, Codable, Equatable {
    public var type: String
    public var status: String
    public init(type: String, status: String) { self.type = type; self.status = status }
}

public struct Security: Sendable, Codable, Equatable {
    public var isLocked: Bool
    public var doors: [Closure]
    public var windows: [Closure]
    public var sunroof: [Closure]
    public var storage: [Closure]
    public var chargingPort: [Closure]

    /// All closed; doors locked or unlocked with the car.
    public static func closed(locked: Bool) -> Security {
        let doorStatus = locked ? "LOCKED" : "UNLOCKED"
        let corners = ["frontLeft", "frontRight", "backLeft", "backRight"]
        return Security(
            isLocked: locked,
            doors: corners.map { Closure(type: $0, status: doorStatus) },
            windows: corners.map { Closure(type: $0, status: "CLOSED") },
            sunroof: [Closure(type: "sunroof", status: "CLOSED")],
            storage: [Closure(type: "rear", status: "CLOSED"), Closure(type: "front", status: "CLOSED")],
            chargingPort: [Closure(type: "chargingPort", status: "CLOSED")])
    }
}

public struct TirePressure: Sendable, Codable, Equatable {
    public var frontLeft: Double
    public var frontRight: Double
    public var backLeft: Double
    public var backRight: Double
    public init(frontLeft: Double, frontRight: Double, backLeft: Double, backRight: Double) {
        self.frontLeft = frontLeft
        self.frontRight = frontRight
        self.backLeft = backLeft
        self.backRight = backRight
    }
}

public struct ServiceRecord: Sendable, Codable, Equatable {
    public var serviceID: String
    public var date: Date
    public var odometerKm: Double
    public var tasks: [String]
    public var totalCost: Double
    public var currency: String

    public init(serviceID: String, date: Date, odometerKm: Double, tasks: [String], totalCost: Double, currency: String) {
        self.serviceID = serviceID
        self.date = date
        self.odometerKm = odometerKm
        self.tasks = tasks
        self.totalCost = totalCost
        self.currency = currency
    }
}

public struct Diagnostics: Sendable, Codable, Equatable {
    public struct System: Sendable, Codable, Equatable {
        public var systemID: String
        public var status: String
        public var description: String?

        public init(systemID: String, status: String, description: String?) {
            self.systemID = systemID
            self.status = status
            self.description = description
        }
    }
    public struct TroubleCode: Sendable, Codable, Equatable {
        public var code: String
        public var timestamp: Date

        public init(code: String, timestamp: Date) {
            self.code = code
            self.timestamp = timestamp
        }
    }
    public var systems: [System]
    public var activeCodes: [TroubleCode]

    public init(systems: [System], activeCodes: [TroubleCode]) {
        self.systems = systems
        self.activeCodes = activeCodes
    }
}

/// One signal's value.
public enum SignalValue: Sendable, Equatable {
    case battery(Battery)
    case batteryCapacity(kWh: Double)
    case charge(Charge)
    case chargeLimit(Double)
    case fuel(Fuel)
    case location(Location)
    case odometer(km: Double)
    case security(Security)
    case tirePressure(TirePressure)
    case engineOil(lifeRemaining: Double)
    case serviceHistory([ServiceRecord])
    case diagnostics(Diagnostics)
}

/// A signal value with the time the car recorded it and the time the platform fetched it.
public struct SignalReading: Sendable, Equatable {
    public var value: SignalValue
    public var recordedAt: Date
    public var fetchedAt: Date

    public init(value: SignalValue, recordedAt: Date, fetchedAt: Date) {
        self.value = value
        self.recordedAt = recordedAt
        self.fetchedAt = fetchedAt
    }
}
