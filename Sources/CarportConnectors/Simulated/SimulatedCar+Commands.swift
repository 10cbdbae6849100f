import CarportCore
import Foundation

extension SimulatedCar {
    /// Applies an application's command as the car would, refusing the illegal ones.
    public mutating func perform(_ command: VehicleCommand) throws(ConnectorError) {
        if let fault { throw fault.error }
        if isAsleep { throw .asleep }
        switch command {
        case .lock, .unlock:
            guard speedKmh == 0 else {
                throw .vehicleState(code: "IN_MOTION", description: "The vehicle is moving; stop it before locking or unlocking.")
            }
            isLocked = command == .lock
        case .startCharge:
            guard isPluggedIn else {
                throw .vehicleState(code: "CHARGING_PLUG_NOT_CONNECTED", description: "The charging cable is not plugged in.")
            }
            guard stateOfCharge < chargeLimit - Self.fullTolerance else {
                throw .vehicleState(code: "FULLY_CHARGED", description: "The battery is already charged to its limit.")
            }
            chargingEnabled = true
        case .stopCharge:
            guard isPluggedIn else {
                throw .vehicleState(code: "CHARGING_PLUG_NOT_CONNECTED", description: "The charging cable is not plugged in.")
            }
            chargingEnabled = false
        case .setChargeLimit(let limit):
            chargeLimit = limit
        case .navigate:
            break
        }
    }

    /// What the simulator's user can do to the car.
    public enum Control: Sendable, Equatable {
        case plug, unplug
        case startTrip(speedKmh: Double, headingDegrees: Double)
        case stopTrip
        case sleep, wake
        case setStateOfCharge(Double)
        case setClockSpeed(Double)
        case fail(Fault), recover
    }

    /// How a simulated car's brand can fail, as real brands do.
    public enum Fault: String, Sendable, Codable, Equatable, CaseIterable {
        /// The brand's servers fail (`UPSTREAM`).
        case brandUnavailable = "BRAND_UNAVAILABLE"
        /// The owner's sign-in at the brand lapsed (`AUTHENTICATION`, reconnect).
        case loginRequired = "LOGIN_REQUIRED"
        /// The owner withdrew access at the brand.
        case accessRevoked = "ACCESS_REVOKED"

        public var error: ConnectorError {
            switch self {
            case .brandUnavailable: .upstream("The brand's servers are not answering.")
            case .loginRequired: .loginRequired
            case .accessRevoked: .accessRevoked
            }
        }
    }

    public enum ControlError: Error, Equatable, CustomStringConvertible {
        case invalid(String)

        public var description: String {
            switch self { case .invalid(let reason): reason }
        }
    }

    public mutating func apply(_ control: Control) throws(ControlError) {
        switch control {
        case .plug:
            guard model.powertrain != .ice else { throw .invalid("A fuel car has no charging port.") }
            guard speedKmh == 0 else { throw .invalid("Stop the trip before plugging in.") }
            isPluggedIn = true
            chargingEnabled = true
        case .unplug:
            isPluggedIn = false
        case .startTrip(let speed, let heading):
            guard (1...250).contains(speed) else { throw .invalid("speed must be 1-250 km/h.") }
            guard !isPluggedIn else { throw .invalid("Unplug the car before driving.") }
            isAsleep = false
            speedKmh = speed
            headingDegrees = heading
        case .stopTrip:
            speedKmh = 0
        case .sleep:
            guard speedKmh == 0 else { throw .invalid("A moving car cannot sleep.") }
            isAsleep = true
        case .wake:
            isAsleep = false
        case .setStateOfCharge(let soc):
            guard model.powertrain != .ice else { throw .invalid("A fuel car has no traction battery.") }
            guard (0...1).contains(soc) else { throw .invalid("state of charge must be 0-1.") }
            stateOfCharge = soc
        case .fail(let fault):
            self.fault = fault
        case .recover:
            fault = nil
        case .setClockSpeed(let speed):
            guard (0...10_000).contains(speed) else { throw .invalid("clock speed must be 0-10000.") }
            clockSpeed = speed
        }
    }

    /// The car's reading of one signal.
    public func value(of signal: SignalKind) -> SignalValue? {
        switch signal {
        case .battery: .battery(Battery(percentRemaining: (stateOfCharge * 1000).rounded() / 1000,
                                        rangeKm: (electricRangeKm * 10).rounded() / 10))
        case .batteryCapacity: .batteryCapacity(kWh: model.batteryCapacityKWh)
        case .charge: .charge(Charge(isPluggedIn: isPluggedIn, state: chargingState,
                                     powerKW: isCharging ? chargePowerKW(at: stateOfCharge) : 0, control: chargeControl))
        case .chargeLimit: .chargeLimit(chargeLimit)
        case .fuel: .fuel(Fuel(percentRemaining: model.fuelTankLitres > 0 ? fuelLitres / model.fuelTankLitres : 0,
                              amountLitres: (fuelLitres * 10).rounded() / 10, rangeKm: (fuelRangeKm * 10).rounded() / 10))
        case .location: .location(Location(latitude: latitude, longitude: longitude))
        case .odometer: .odometer(km: (odometerKm * 10).rounded() / 10)
        case .security: .security(.closed(locked: isLocked))
        case .tirePressure: .tirePressure(TirePressure(frontLeft: 230, frontRight: 230, backLeft: 235, backRight: 235))
        case .engineOil: .engineOil(lifeRemaining: max(0.05, 1 - odometerKm.truncatingRemainder(dividingBy: 15_000) / 15_000))
        case .serviceHistory: .serviceHistory([])
        case .diagnostics: .diagnostics(Diagnostics(
            systems: [Diagnostics.System(systemID: "SYSTEM_LOW_VOLTAGE_BATTERY", status: "OK", description: nil)], activeCodes: []))
        }
    }
}
