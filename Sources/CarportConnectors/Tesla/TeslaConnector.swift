import CarportCore
import Foundation

/// Live Tesla vehicles through the Fleet API: `vehicle_data` mapped to canonical signals (miles → km), charge
/// and lock commands (signed through the operator's proxy when the car needs it), Tesla's refusals mapped to
/// `VEHICLE_STATE` codes.
public struct TeslaConnector: BrandConnector {
    let fleet: TeslaFleetClient

    public init(fleet: TeslaFleetClient) { self.fleet = fleet }

    public static let capabilities = VehicleCapabilities(
        signals: [.battery, .charge, .chargeLimit, .location, .odometer, .security],
        commands: [.security, .charge, .chargeLimit])

    public func capabilities(of vehicle: ConnectedVehicle) async -> VehicleCapabilities { Self.capabilities }

    public func read(_ signal: SignalKind, of vehicle: ConnectedVehicle) async throws(ConnectorError) -> SignalReading {
        let account = TeslaAccount(applicationID: vehicle.applicationID, accountKey: vehicle.accountKey)
        try await requireScope(for: signal.permission, account)
        let endpoint = TeslaSignals.endpoint(for: signal)
        let vin = vehicle.identity.vin
        let reply = try await fleet.call(account, .GET, "/api/1/vehicles/\(vin)/vehicle_data?endpoints=\(endpoint)",
                                         vin: vin, category: .data)
        guard let data = reply.response as? [String: Any], let value = TeslaSignals.value(signal, from: data) else {
            throw .upstream("Tesla's vehicle_data had no \(endpoint)")
        }
        let now = Date()
        return SignalReading(value: value, recordedAt: TeslaSignals.timestamp(data[endpoint]) ?? now, fetchedAt: now)
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
                                         category: .commands, viaProxy: signed)
        guard let outcome = reply.response as? [String: Any], let result = outcome["result"] as? Bool else {
            throw .upstream("Tesla's command answer had no result")
        }
        if !result { try TeslaSignals.refusal(outcome["reason"] as? String ?? "", pairingURL: fleet.pairingURL(vin: vin)) }
    }

    /// A permission the application holds but Tesla's consent does not cover is `PERMISSION` (re-authenticate with Tesla).
    private func requireScope(for permission: Permission, _ account: TeslaAccount) async throws(ConnectorError) {
        let credentials = try await fleet.tokens.current(account)
        guard TeslaScopes.covers(permission, granted: Set(credentials.scopes)) else {
            throw .canonical(CarportError(.permission, nil,
                "The owner has not granted the Tesla permission this needs (\(TeslaScopes.scope(for: permission) ?? "")). Send them through Connect's Tesla permission update."))
        }
    }
}
