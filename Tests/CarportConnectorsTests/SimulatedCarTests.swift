import CarportCore
import Foundation
import Testing
@testable import CarportConnectors

@Suite struct SimulatedCarTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func car(_ make: String = "TESLA", _ model: String = "Model 3", soc: Double = 0.5) throws -> SimulatedCar {
        SimulatedCar(vin: "SIMTEST0000000001", model: try #require(SimulatedCatalog.model(make: make, name: model)),
                     stateOfCharge: soc, now: start)
    }

    @Test func pluggedInCarsChargeToTheLimitAtTheModelsPower() throws {
        var car = try car()
        try car.apply(.plug)
        #expect(car.chargingState == .charging)
        car.advance(simulatedSeconds: 3600)
        // 11 kW for an hour into 75 kWh: +14.7 %.
        #expect(abs(car.stateOfCharge - (0.5 + 11.0 / 75)) < 0.001)
        car.advance(simulatedSeconds: 10 * 3600)
        #expect(car.stateOfCharge == car.chargeLimit)
        #expect(car.chargingState == .fullyCharged)
    }

    @Test func chargingTapersAboveEightyPercent() throws {
        var car = try car(soc: 0.8)
        car.chargeLimit = 1
        try car.apply(.plug)
        #expect(car.chargePowerKW(at: 0.5) == 11)
        #expect(car.chargePowerKW(at: 0.9) < 11 * 0.6)
        #expect(abs(car.chargePowerKW(at: 1.0) - 11 * 0.15) < 1e-9)
        car.advance(simulatedSeconds: 3600)
        #expect(car.stateOfCharge < 0.8 + 11.0 / 75, "an hour above 80 % adds less than at full power")
        #expect(car.stateOfCharge > 0.85)
    }

    @Test func drivingSpendsEnergyAddsDistanceAndMoves() throws {
        var car = try car()
        let latitude = car.latitude
        try car.apply(.startTrip(speedKmh: 60, headingDegrees: 0))
        car.advance(simulatedSeconds: 3600)
        #expect(abs(car.odometerKm - 12_060) < 0.01)
        // 60 km of a 513 km range.
        #expect(abs(car.stateOfCharge - (0.5 - 60.0 / 513)) < 0.001)
        #expect(abs(car.latitude - latitude - 60 / 111.32) < 0.001)
    }

    @Test func plugInHybridsFallBackToFuel() throws {
        var car = try car("BMW", "330e", soc: 0.01)
        let fuel = car.fuelLitres
        try car.apply(.startTrip(speedKmh: 60, headingDegrees: 90))
        car.advance(simulatedSeconds: 1800)
        #expect(car.stateOfCharge == 0)
        #expect(car.fuelLitres < fuel)
        #expect(car.odometerKm > 12_029)
    }

    @Test func theSimulationClockCanRunFasterThanRealTime() throws {
        var car = try car()
        try car.apply(.plug)
        try car.apply(.setClockSpeed(60))
        car.advance(to: start.addingTimeInterval(60))
        #expect(abs(car.stateOfCharge - (0.5 + 11.0 / 75)) < 0.001, "one real minute at ×60 is one simulated hour")
    }

    @Test func illegalCommandsFailAsARealCarWould() throws {
        var car = try car()
        #expect(throws: ConnectorError.vehicleState(code: "CHARGING_PLUG_NOT_CONNECTED", description: "The charging cable is not plugged in.")) {
            try car.perform(.startCharge)
        }
        try car.apply(.startTrip(speedKmh: 30, headingDegrees: 0))
        #expect(throws: ConnectorError.self) { try car.perform(.lock) }
        do {
            try car.perform(.lock)
        } catch {
            guard case .vehicleState(let code, _) = error else { throw error }
            #expect(code == "IN_MOTION")
        }
        try car.apply(.stopTrip)
        try car.perform(.lock)
        #expect(car.isLocked)
        try car.apply(.sleep)
        #expect(throws: ConnectorError.asleep) { try car.perform(.unlock) }
        try car.apply(.wake)
        try car.perform(.unlock)
        #expect(!car.isLocked)
    }

    @Test func stopChargeHoldsAndStartResumes() throws {
        var car = try car()
        try car.apply(.plug)
        try car.perform(.stopCharge)
        car.advance(simulatedSeconds: 3600)
        #expect(car.stateOfCharge == 0.5)
        #expect(car.chargingState == .notCharging)
        try car.perform(.startCharge)
        #expect(car.chargingState == .charging)
        car.chargeLimit = 0.5
        #expect(throws: ConnectorError.self) { try car.perform(.startCharge) }
    }

    @Test func controlsRejectNonsense() throws {
        var car = try car()
        #expect(throws: SimulatedCar.ControlError.self) { try car.apply(.setStateOfCharge(1.5)) }
        #expect(throws: SimulatedCar.ControlError.self) { try car.apply(.startTrip(speedKmh: 0, headingDegrees: 0)) }
        try car.apply(.plug)
        #expect(throws: SimulatedCar.ControlError.self) { try car.apply(.startTrip(speedKmh: 50, headingDegrees: 0)) }
        var fuelCar = try self.car("TOYOTA", "Corolla")
        #expect(throws: SimulatedCar.ControlError.self) { try fuelCar.apply(.plug) }
    }
}

@Suite struct TestModeConnectorTests {
    let vehicle = ConnectedVehicle(id: UUID(), applicationID: UUID(), mode: .test, accountKey: "TESLA:owner@example.com",
                                   identity: VehicleIdentity(vin: "0SCTESTVIN0000001", make: "TESLA", model: "Model 3", year: 2023))

    @Test func answersFollowFromTheVIN() async throws {
        let connector = TestModeConnector()
        let first = try await connector.snapshot([.odometer, .location], of: vehicle)
        let second = try await connector.snapshot([.odometer], of: vehicle)
        #expect(first.readings[.odometer]?.value == second.readings[.odometer]?.value)
        guard case .odometer(let km) = first.readings[.odometer]?.value else { throw TestFailure("not an odometer") }
        #expect((10_000...300_000).contains(km))
        guard case .location(let location) = first.readings[.location]?.value else { throw TestFailure("not a location") }
        #expect((37...41).contains(location.latitude) && (-109.05 ... -102.05).contains(location.longitude))
    }

    @Test func scenarioAccountsFailWithTheirError() async throws {
        var asleep = vehicle
        asleep.accountKey = "TESLA:vehicle_state.asleep@smartcar.com"
        await #expect(throws: ConnectorError.canonical(CarportError(.vehicleState, "ASLEEP",
            "Test-mode scenario VEHICLE_STATE.ASLEEP: the vehicle answered with this error."))) {
            try await TestModeConnector().snapshot([.battery], of: asleep)
        }
    }

    @Test func capabilitiesFollowThePowertrain() async {
        let capabilities = await TestModeConnector().capabilities(of: vehicle)
        #expect(capabilities.signals.contains(.battery) && !capabilities.signals.contains(.fuel))
        #expect(capabilities.commands.contains(.charge))
    }
}

struct TestFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }

}

/// START and STOP, and the charge log: the car obeys like a real one and never plans.
extension SimulatedCarTests {
    @Test func aPluggedInCarChargesUntilToldToStopAndResumesOnStart() throws {
        var car = try car()
        try car.apply(.plug)
        #expect(car.isCharging && car.chargeControl == nil, "plugged in, it charges by default")
        try car.perform(.stopCharge)
        #expect(!car.isCharging && car.chargeControl == .manuallyStopped)
        let before = car.stateOfCharge
        car.advance(simulatedSeconds: 3600)
        #expect(car.stateOfCharge == before, "a stopped car takes no energy")
        try car.perform(.startCharge)
        #expect(car.isCharging && car.chargeControl == nil)
        car.advance(simulatedSeconds: 1800)
        #expect(car.stateOfCharge > before)
    }

    @Test func theChargeLogRecordsEnergyPerHour() throws {
        var car = try car()
        try car.apply(.plug)
        car.advance(simulatedSeconds: 2 * 3600)
        let log = try #require(car.chargeLog)
        #expect(log.count >= 2 && log.count <= 3, "two hours of charging fall into two or three clock hours")
        let energy: Double = log.map(\.energyKWh).reduce(0, +)
        #expect(abs(energy - 22) < 0.01, "11 kW for two hours")
        #expect(log.allSatisfy { $0.maxKW <= 11 && $0.meanKW > 0 })
    }
}
