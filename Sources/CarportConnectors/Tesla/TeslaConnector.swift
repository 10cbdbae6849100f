import CarportCore
import Foundation

/// Live Tesla vehicles through the Fleet API: one `vehicle_data` per snapshot mapped to canonical signals (miles →
/// km), reads that never wake a car, charge and lock commands (signed through the operator's proxy when the car
/// needs it), Tesla's refusals mapped to `VEHICLE_STATE` codes.
public struct TeslaConnector: BrandConnector {
    let fleet: TeslaFleetClient

    public init(fleet: TeslaFleetClient) { self.fleet = fleet }

    public static let capabilities = VehicleCapabilities(
        signals: [.battery, .charge, .chargeLimit, .location, .odometer, .security],
        commands: [.security, .charge, .chargeLimit])

    public func capabilities(of vehicle: ConnectedVehicle) async -> VehicleCapabilities { Self.capabilities }

    /// One `vehicle_data` call with the endpoints that cover every asked signal the owner's Tesla consent allows,
    /// after the free state check: an asleep car is not woken (unless the operator turned wake-on-read on).
    public func snapshot(_ signals: Set<SignalKind>, of vehicle: ConnectedVehicle) async throws(ConnectorError) -> VehicleSnapshot {
        let account = TeslaAccount(applicationID: vehicle.applicationID, accountKey: vehicle.accountKey)
        let granted = Set(try await fleet.tokens.current(account).scopes)
        var snapshot = VehicleSnapshot()
        var readable: Set<SignalKind> = []
        for signal in signals {
            if !Self.capabilities.signals.contains(signal) {
                snapshot.failures[signal] = .notCapable("reporting \(signal.rawValue)")
            } else if !TeslaScopes.covers(signal.permission, granted: granted) {
                snapshot.failures[signal] = Self.missingScope(signal.permission)
            } else {
                readable.insert(signal)
            }
        }
        guard !readable.isEmpty else { return snapshot }
        let vin = vehicle.identity.vin
        let wakes = fleet.configuration.wakeOnRead
        if !wakes, try await fleet.state(account, vin: vin) != "online" { throw .asleep }
        let reply = try await fleet.call(account, .GET, "/api/1/vehicles/\(vin)/vehicle_data?endpoints=\(TeslaSignals.endpoints(for: readable))",
                                         vin: vin, kind: .data, wakes: wakes)
        guard let data = reply.response as? [String: Any] else { throw .upstream("Tesla's vehicle_data had no response") }
        let now = Date()
        for signal in readable {
            if let value = TeslaSignals.value(signal, from: data) {
                snapshot.readings[signal] = SignalReading(value: value, recordedAt: TeslaSignals.recordedAt(signal, from: data) ?? now, fetchedAt: now)
            } else {
                snapshot.failures[signal] = .upstream("Tesla's vehicle_data had no \(signal.rawValue) in \(TeslaSignals.section(for: signal))")
            }
        }
        return snapshot
    }

    public func perform(_ command: VehicleCommand, on vehicle: ConnectedVehicle) async throws(ConnectorError) {
        let account = TeslaAccount(applicationID: vehicle.applicationID, accountKey: vehicle.accountKey)
        try await requireScope(for: command.permission, account)
        guard let (name, parameters) = TeslaSignals.command(command) else { throw .notCapable("this command") }
        let vin = vehicle.identity.vin
        let signed = TeslaVIN.requiresCommandProtocol(vehicle.identity)
        if signed {
            guard try await fleet.isKeyPaired(account, vin: vin) else {
                throw .virtualKeyRequired(pairingURL: fleet.pairingURL(vin: vin))
            }
            guard fleet.configuration.commandProxyURL != nil else {
                throw .upstream("This car takes only signed commands and Carport has no tesla-http-proxy configured (CARPORT_TESLA_PROXY_URL).")
            }
        }
        let body = try? JSONSerialization.data(withJSONObject: parameters)
        let reply = try await fleet.call(account, .POST, "/api/1/vehicles/\(vin)/command/\(name)", json: body, vin: vin,
                                         kind: .command, viaProxy: signed, wakes: true)
        guard let outcome = reply.response as? [String: Any], let result = outcome["result"] as? Bool else {
            throw .upstream("Tesla's command answer had no result")
        }
        if !result { try TeslaSignals.refusal(outcome["reason"] as? String ?? "", pairingURL: fleet.pairingURL(vin: vin)) }
    }

    /// A permission the application holds but Tesla's consent does not cover is `PERMISSION` (re-authenticate with Tesla).
    private func requireScope(for permission: Permission, _ account: TeslaAccount) async throws(ConnectorError) {
        let credentials = try await fleet.tokens.current(account)
        guard TeslaScopes.covers(permission, granted: Set(credentials.scopes)) else { throw Self.missingScope(permission) }
    }

    private static func missingScope(_ permission: Permission) -> ConnectorError {
        .canonical(CarportError(.permission, nil,
            "The owner has not granted the Tesla permission this needs (\(TeslaScopes.scope(for: permission) ?? "")). Send them through Connect's Tesla permission update."))
    }
}
