import CarportConnectors
import Foundation

/// A simulated vehicle as the simulator API and CLI show it.
public struct SimulatedVehicleView: Codable, Sendable {
    public var vin: String
    public var make: String
    public var model: String
    public var year: Int
    public var email: String
    /// Only in the answer that created the vehicle.
    public var password: String?
    public var state: SimulatedCarState

    public init(_ record: SimulatedVehicleRecord, password: String? = nil) {
        vin = record.car.vin
        make = record.car.model.make
        model = record.car.model.name
        year = record.car.model.year
        email = record.ownerEmail
        self.password = password
        state = SimulatedCarState(record.car)
    }
}

/// The live state of a simulated car.
public struct SimulatedCarState: Codable, Sendable {
    public var stateOfCharge: Double
    public var chargeLimit: Double
    public var isPluggedIn: Bool
    public var chargingState: String
    public var chargePowerKW: Double
    public var fuelLitres: Double
    public var odometerKm: Double
    public var latitude: Double
    public var longitude: Double
    public var speedKmh: Double
    public var isLocked: Bool
    public var isAsleep: Bool
    /// The failure its brand answers with (`BRAND_UNAVAILABLE`, `LOGIN_REQUIRED`, `ACCESS_REVOKED`), if any.
    public var fault: String?
    public var clockSpeed: Double

    public init(_ car: SimulatedCar) {
        stateOfCharge = (car.stateOfCharge * 10_000).rounded() / 10_000
        chargeLimit = car.chargeLimit
        isPluggedIn = car.isPluggedIn
        chargingState = car.chargingState.rawValue
        chargePowerKW = car.isCharging ? (car.chargePowerKW(at: car.stateOfCharge) * 100).rounded() / 100 : 0
        fuelLitres = (car.fuelLitres * 10).rounded() / 10
        odometerKm = (car.odometerKm * 10).rounded() / 10
        latitude = car.latitude
        longitude = car.longitude
        speedKmh = car.speedKmh
        isLocked = car.isLocked
        isAsleep = car.isAsleep
        fault = car.fault?.rawValue
        clockSpeed = car.clockSpeed
    }
}
