import CarportCore
import Foundation

/// Simulated mode: reads and commands act on the stored, stateful simulated car.
public struct SimulatorConnector: BrandConnector {
    private let simulator: SimulatorService

    public init(simulator: SimulatorService) { self.simulator = simulator }

    /// The simulator is local and cheap: readings are never served stale (concurrent reads still coalesce).
    public var maxAge: Double? { 0 }

    public func capabilities(of vehicle: ConnectedVehicle) async -> VehicleCapabilities {
        SimulatedCatalog.capabilities(of: SimulatedCatalog.model(for: vehicle.identity).powertrain)
    }

    /// One simulation step answers every asked signal the car has.
    public func snapshot(_ signals: Set<SignalKind>, of vehicle: ConnectedVehicle) async throws(ConnectorError) -> VehicleSnapshot {
        let values: [SignalKind: SignalValue]
        do {
            values = try await simulator.update(applicationID: vehicle.applicationID, vin: vehicle.identity.vin) { car in
                if let fault = car.fault { throw fault.error }
                if car.isAsleep { throw ConnectorError.asleep }
                var values: [SignalKind: SignalValue] = [:]
                for signal in signals { values[signal] = car.value(of: signal) }
                return values
            }
        } catch {
            throw Self.connectorError(error)
        }
        let now = Date()
        var snapshot = VehicleSnapshot(readings: values.mapValues { SignalReading(value: $0, recordedAt: now, fetchedAt: now) })
        for signal in signals where values[signal] == nil { snapshot.failures[signal] = .notCapable("reporting \(signal.rawValue)") }
        return snapshot
    }

    public func perform(_ command: VehicleCommand, on vehicle: ConnectedVehicle) async throws(ConnectorError) {
        do {
            try await simulator.update(applicationID: vehicle.applicationID, vin: vehicle.identity.vin) { car in
                try car.perform(command)
            }
        } catch {
            throw Self.connectorError(error)
        }
    }

    public func chargingHistory(of vehicle: ConnectedVehicle) async throws(ConnectorError) -> [ChargingHour] {
        do {
            return try await simulator.car(applicationID: vehicle.applicationID, vin: vehicle.identity.vin)?.chargeLog ?? []
        } catch {
            throw Self.connectorError(error)
        }
    }

    private static func connectorError(_ error: any Error) -> ConnectorError {
        if let error = error as? ConnectorError { return error }
        if case SimulatorService.Failure.unknownVehicle = error {
            return .canonical(CarportError(.connectedServicesAccount, "VEHICLE_MISSING",
                                           "The simulated vehicle no longer exists."))
        }
        return .upstream(String(describing: error))
    }
}
