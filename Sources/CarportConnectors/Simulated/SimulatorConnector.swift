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

    public func read(_ signal: SignalKind, of vehicle: ConnectedVehicle) async throws(ConnectorError) -> SignalReading {
        let value: SignalValue?
        do {
            value = try await simulator.update(applicationID: vehicle.applicationID, vin: vehicle.identity.vin) { car in
                if car.isAsleep { throw ConnectorError.asleep }
                return car.value(of: signal)
            }
        } catch {
            throw Self.connectorError(error)
        }
        guard let value else { throw .notCapable("reporting \(signal.rawValue)") }
        let now = Date()
        return SignalReading(value: value, recordedAt: now, fetchedAt: now)
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
