import CarportCore
import Foundation

/// A stateful simulated vehicle on its own simulation clock (simulated mode).
///
/// Physics: a plugged-in car whose owner wants it charging gains energy at the model's charging power, tapering
/// above 80 % state of charge, until the charge limit. A driving car spends energy in proportion to distance
/// (a plug-in hybrid falls back to fuel when the battery is empty), adds odometer and moves along its heading.
public struct SimulatedCar: Sendable, Codable, Equatable {
    public var vin: String
    public var model: SimulatedModel
    public var stateOfCharge: Double
    public var chargeLimit: Double = 0.8
    public var isPluggedIn = false
    /// The owner wants it charging (START) or not (STOP); charging happens when also plugged in and below the limit.
    public var chargingEnabled = true
    public var fuelLitres: Double
    public var odometerKm: Double
    public var latitude: Double
    public var longitude: Double
    public var headingDegrees: Double = 0
    /// 0 when parked.
    public var speedKmh: Double = 0
    public var isLocked = true
    public var isAsleep = false
    /// Simulated seconds per real second.
    public var clockSpeed: Double = 1
    /// Real time the state was last brought up to date.
    public var updatedAt: Date

    public static let fullTolerance = 0.0005

    public init(vin: String, model: SimulatedModel, stateOfCharge: Double = 0.6, odometerKm: Double = 12_000,
                latitude: Double = 52.5200, longitude: Double = 13.4050, now: Date) {
        self.vin = vin
        self.model = model
        self.stateOfCharge = model.powertrain == .ice ? 0 : stateOfCharge
        fuelLitres = model.fuelTankLitres * 0.7
        self.odometerKm = odometerKm
        self.latitude = latitude
        self.longitude = longitude
        updatedAt = now
    }

    public var isCharging: Bool {
        isPluggedIn && chargingEnabled && speedKmh == 0 && stateOfCharge < chargeLimit - Self.fullTolerance
    }

    public var chargingState: ChargingState {
        if isCharging { return .charging }
        if isPluggedIn && stateOfCharge >= chargeLimit - Self.fullTolerance { return .fullyCharged }
        return .notCharging
    }

    /// Charging power at a state of charge: full power below 80 %, tapering to 15 % of it at 100 %.
    public func chargePowerKW(at soc: Double) -> Double {
        guard soc > 0.8 else { return model.maxChargePowerKW }
        return model.maxChargePowerKW * max(0.15, 1 - (soc - 0.8) / 0.2 * 0.85)
    }

    /// Brings the state up to `now` on the simulation clock.
    public mutating func advance(to now: Date) {
        let simulatedSeconds = max(0, now.timeIntervalSince(updatedAt)) * clockSpeed
        updatedAt = now
        advance(simulatedSeconds: simulatedSeconds)
    }

    /// Moves the simulation on by this many simulated seconds, in steps of at most a minute.
    public mutating func advance(simulatedSeconds: Double) {
        var remaining = simulatedSeconds
        while remaining > 0 {
            let step = min(60, remaining)
            remaining -= step
            if speedKmh > 0 {
                drive(seconds: step)
            } else if isCharging {
                charge(seconds: step)
            } else if isAsleep {
                return
            }
        }
    }

    private mutating func charge(seconds: Double) {
        let energy = chargePowerKW(at: stateOfCharge) * seconds / 3600
        stateOfCharge = min(chargeLimit, stateOfCharge + energy / model.batteryCapacityKWh)
    }

    private mutating func drive(seconds: Double) {
        let distance = speedKmh * seconds / 3600
        if model.batteryCapacityKWh > 0, stateOfCharge > 0 {
            let kWhPerKm = model.batteryCapacityKWh / model.electricRangeKm
            stateOfCharge = max(0, stateOfCharge - distance * kWhPerKm / model.batteryCapacityKWh)
        } else if fuelLitres > 0 {
            fuelLitres = max(0, fuelLitres - distance * Self.litresPerKm)
        } else {
            speedKmh = 0
            return
        }
        odometerKm += distance
        let heading = headingDegrees * .pi / 180
        latitude += distance / 111.32 * cos(heading)
        longitude += distance / (111.32 * max(0.01, cos(latitude * .pi / 180))) * sin(heading)
    }

    static let litresPerKm = 0.065

    public var electricRangeKm: Double { stateOfCharge * model.electricRangeKm }
    public var fuelRangeKm: Double { fuelLitres / Self.litresPerKm }
}
