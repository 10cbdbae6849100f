import CarportCore
import Crypto
import Foundation

/// Test mode: every answer follows from the VIN, the same on every run; commands always succeed.
/// Accounts signed in as `<TYPE>.<CODE>@smartcar.com` (e.g. `VEHICLE_STATE.ASLEEP@smartcar.com`) get that error
/// from every read and command except the static ones (attributes, VIN, permissions).
public struct TestModeConnector: BrandConnector {
    public init() {}

    public func capabilities(of vehicle: ConnectedVehicle) async -> VehicleCapabilities {
        SimulatedCatalog.capabilities(of: SimulatedCatalog.model(for: vehicle.identity).powertrain)
    }

    public func snapshot(_ signals: Set<SignalKind>, of vehicle: ConnectedVehicle) async throws(ConnectorError) -> VehicleSnapshot {
        if let error = Self.scenarioError(accountKey: vehicle.accountKey) { throw .canonical(error) }
        let model = SimulatedCatalog.model(for: vehicle.identity)
        let now = Date()
        var snapshot = VehicleSnapshot()
        for signal in signals {
            let draw = Draw(seed: "\(vehicle.identity.vin)|\(signal.rawValue)")
            snapshot.readings[signal] = SignalReading(value: value(signal, model: model, draw: draw, now: now),
                                                      recordedAt: now.addingTimeInterval(-draw.range(5, 300, at: 31).rounded()), fetchedAt: now)
        }
        return snapshot
    }

    public func perform(_ command: VehicleCommand, on vehicle: ConnectedVehicle) async throws(ConnectorError) {
        if let error = Self.scenarioError(accountKey: vehicle.accountKey) { throw .canonical(error) }
    }

    /// The canonical error a `<TYPE>.<CODE>@smartcar.com` test account asks for.
    static func scenarioError(accountKey: String) -> CarportError? {
        guard let email = accountKey.split(separator: ":", maxSplits: 1).last, email.hasSuffix("@smartcar.com") else { return nil }
        let local = email.dropLast("@smartcar.com".count).uppercased()
        let parts = local.split(separator: ".", maxSplits: 1).map(String.init)
        guard let kind = CarportError.Kind(rawValue: parts[0]) else { return nil }
        let code = parts.count > 1 && parts[1] != "NULL" ? parts[1] : nil
        let retryAfter = kind == .rateLimit ? 60 : nil
        return CarportError(kind, code, "Test-mode scenario \(local): the vehicle answered with this error.", retryAfter: retryAfter)
    }

    private func value(_ signal: SignalKind, model: SimulatedModel, draw: Draw, now: Date) -> SignalValue {
        switch signal {
        case .battery:
            let percent = draw.range(0.15, 0.95, at: 0).rounded(toPlaces: 2)
            return .battery(Battery(percentRemaining: percent, rangeKm: (percent * model.electricRangeKm).rounded(toPlaces: 1)))
        case .batteryCapacity:
            return .batteryCapacity(kWh: model.batteryCapacityKWh)
        case .charge:
            let plugged = draw.byte(1) % 2 == 0
            let states: [ChargingState] = [.charging, .fullyCharged, .notCharging]
            let state = plugged ? states[Int(draw.byte(2)) % 3] : .notCharging
            return .charge(Charge(isPluggedIn: plugged, state: state, powerKW: state == .charging ? model.maxChargePowerKW : 0))
        case .chargeLimit:
            return .chargeLimit([0.8, 0.9, 1.0][Int(draw.byte(3)) % 3])
        case .fuel:
            let percent = draw.range(0.1, 1, at: 4).rounded(toPlaces: 2)
            let litres = (percent * model.fuelTankLitres).rounded(toPlaces: 1)
            return .fuel(Fuel(percentRemaining: percent, amountLitres: litres, rangeKm: (litres * 15).rounded(toPlaces: 1)))
        case .location:
            return .location(Location(latitude: draw.range(37.0, 41.0, at: 5).rounded(toPlaces: 6),
                                      longitude: draw.range(-109.05, -102.05, at: 9).rounded(toPlaces: 6)))
        case .odometer:
            return .odometer(km: draw.range(10_000, 300_000, at: 13).rounded(toPlaces: 1))
        case .security:
            return .security(.closed(locked: draw.byte(17) % 2 == 0))
        case .tirePressure:
            let values = (0..<4).map { draw.range(175, 237, at: 18 + $0 * 2).rounded(toPlaces: 1) }
            return .tirePressure(TirePressure(frontLeft: values[0], frontRight: values[1], backLeft: values[2], backRight: values[3]))
        case .engineOil:
            return .engineOil(lifeRemaining: draw.range(0.1, 1, at: 26).rounded(toPlaces: 2))
        case .serviceHistory:
            let day: Double = 86_400
            return .serviceHistory([
                ServiceRecord(serviceID: "svc-\(draw.byte(27))-1", date: now.addingTimeInterval(-400 * day).startOfDay,
                              odometerKm: 15_000, tasks: ["Tire rotation", "Cabin air filter"], totalCost: 189.5, currency: "USD"),
                ServiceRecord(serviceID: "svc-\(draw.byte(27))-2", date: now.addingTimeInterval(-30 * day).startOfDay,
                              odometerKm: 30_000, tasks: ["Brake fluid"], totalCost: 120, currency: "USD"),
            ])
        case .diagnostics:
            let systems = ["SYSTEM_TPMS", "SYSTEM_BRAKE_FLUID", "SYSTEM_ELECTRIC_MOTOR", "SYSTEM_LOW_VOLTAGE_BATTERY"]
            return .diagnostics(Diagnostics(
                systems: systems.map { Diagnostics.System(systemID: $0, status: "OK", description: nil) }, activeCodes: []))
        }
    }
}

/// Deterministic numbers from a seed.
struct Draw {
    private let bytes: [UInt8]

    init(seed: String) { bytes = Array(SHA256.hash(data: Data(seed.utf8))) }

    func byte(_ index: Int) -> UInt8 { bytes[index % bytes.count] }

    /// A value in `low…high` from two bytes starting at `index`.
    func range(_ low: Double, _ high: Double, at index: Int) -> Double {
        let fraction = Double(UInt16(byte(index)) << 8 | UInt16(byte(index + 1))) / 65_535
        return low + (high - low) * fraction
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = Foundation.pow(10.0, Double(places))
        return (self * factor).rounded() / factor
    }
}

private extension Date {
    var startOfDay: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 / 86_400).rounded(.down) * 86_400) }
}
