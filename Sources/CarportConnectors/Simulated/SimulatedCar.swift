import CarportCore
import Foundation

/// A stateful simulated vehicle on its own simulation clock (simulated mode).
///
/// Physics: a plugged-in car whose owner wants it charging gains energy at the model's charging power, tapering
/// above 80 % state of charge, until the charge limit. A driving car spends energy in proportion to distance
/// (a plug-in hybrid falls back to fuel when the battery is empty), adds odometer and moves along its heading.
/// It does not plan: smart charging is the platform's, which starts and stops it like a real car. It records the
/// energy it took per hour.
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
    /// A failure the car's brand answers every read and command with until it recovers (nil: none).
    public var fault: Fault?
    /// Simulated seconds per real second.
    public var clockSpeed: Double = 1
    /// Real time the state was last brought up to date.
    public var updatedAt: Date
    /// The car's own time, which runs at `clockSpeed` (nil on records older than it: the same as `updatedAt`).
    public var simulatedTime: Date?
    /// Energy taken per hour, oldest first, for the last `chargeLogDays` days.
    public var chargeLog: [ChargingHour]?

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

    /// A plugged-in car that was told to STOP says so, as real cars do.
    public var chargeControl: ChargeControl? { isPluggedIn && !chargingEnabled ? .manuallyStopped : nil }

    public var clock: Date { simulatedTime ?? updatedAt }

    public var chargingState: ChargingState {
        if isCharging { return .charging }
        if isPluggedIn && stateOfCharge >= chargeLimit - Self.fullTolerance { return .fullyCharged }
        return .notCharging
    }

    /// Charging power at a state of charge, along the generic curve.
    public func chargePowerKW(at soc: Double) -> Double { model.maxChargePowerKW * ChargeCurve.fraction(at: soc) }

    /// Brings the state up to `now` on the simulation clock.
    public mutating func advance(to now: Date) {
        let simulatedSeconds = max(0, now.timeIntervalSince(updatedAt)) * clockSpeed
        simulatedTime = clock
        updatedAt = now
        advance(simulatedSeconds: simulatedSeconds)
    }

    /// Moves the simulation on by this many simulated seconds, in steps of at most a minute.
    public mutating func advance(simulatedSeconds: Double) {
        var remaining = simulatedSeconds
        var time = clock
        defer { simulatedTime = time }
        while remaining > 0 {
            let step = min(60, remaining)
            if speedKmh > 0 {
                drive(seconds: step)
            } else if isPluggedIn {
                if isCharging { charge(seconds: step, at: time) }
            } else {
                break  // parked and unplugged: nothing changes until someone acts
            }
            remaining -= step
            time.addTimeInterval(step)
        }
        time.addTimeInterval(remaining)
    }

    private mutating func charge(seconds: Double, at time: Date) {
        let power = chargePowerKW(at: stateOfCharge)
        let before = stateOfCharge
        stateOfCharge = min(chargeLimit, stateOfCharge + power * seconds / 3600 / model.batteryCapacityKWh)
        record(kWh: (stateOfCharge - before) * model.batteryCapacityKWh, kW: power, seconds: seconds, at: time)
    }

    static let chargeLogDays = 35

    private mutating func record(kWh: Double, kW: Double, seconds: Double, at time: Date) {
        let hour = Date(timeIntervalSince1970: (time.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        var log = chargeLog ?? []
        if log.last?.hourStart != hour {
            log.append(ChargingHour(hourStart: hour, location: Location(latitude: latitude, longitude: longitude)))
            let oldest = hour.addingTimeInterval(-Double(Self.chargeLogDays) * 86_400)
            log.removeAll { $0.hourStart < oldest }
        }
        log[log.count - 1].add(kWh: kWh, kW: kW, seconds: seconds)
        chargeLog = log
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
