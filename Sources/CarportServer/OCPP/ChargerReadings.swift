import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// What a connected charger reports, whatever it is: a charger that reaches Carport over OCPP (brand `OCPP`, its
/// serial the charge point id) answers from its own messages; the simulated charger brands from their cycle. The
/// one place the faces (Enode, Jedlix) read chargers from.
struct ChargerReading {
    var state: ChargerState
    var isReachable: Bool
    var vendor: String?
    var model: String?

    static func of(_ charger: Charger, request: Request) async throws -> ChargerReading {
        guard charger.brand == OCPPChargers.brand else {
            return ChargerReading(state: SimulatedChargers.state(of: charger), isReachable: true, vendor: nil, model: nil)
        }
        let ocpp = try await FluentOCPPChargerStore(resolveDatabase: { [db = request.db] in db }).charger(chargePointID: charger.serial)
        guard let ocpp else {
            return ChargerReading(state: ChargerState(status: .disconnected, powerKW: nil, recordedAt: charger.createdAt), isReachable: false,
                                  vendor: nil, model: nil)
        }
        return ChargerReading(state: ocpp.state.chargerState(version: ocpp.version), isReachable: ocpp.isReachable(),
                              vendor: ocpp.state.vendor, model: ocpp.state.model)
    }
}

extension OCPPCharger {
    /// Reachable while its socket is open and it has spoken within two and a half heartbeat intervals.
    func isReachable(now: Date = Date()) -> Bool {
        guard connectedAt != nil, let last = state.lastMessageAt else { return false }
        return now.timeIntervalSince(last) <= 2.5 * Double(OCPPMessages16.heartbeatInterval)
    }
}

extension OCPPChargerState {
    /// Carport's charger state from the charger's messages (oems-chargers-upstream.md §2.2): in 1.6 the status
    /// of the transaction's connector (or of any connector), in 2.0.1 the transaction's `chargingState`.
    func chargerState(version: OCPPVersion?) -> ChargerState {
        let recordedAt = ([meteredAt, lastMessageAt] + connectors.values.map { Optional($0.updatedAt) }).compactMap { $0 }.max() ?? .distantPast
        let kW = (powerW ?? 0) / 1000
        func state(_ status: ChargerState.Status) -> ChargerState {
            ChargerState(status: status, powerKW: status == .disconnected ? nil : status == .charging ? kW : 0, recordedAt: recordedAt)
        }
        if version == .v201 {
            if let transaction {
                switch transaction.chargingState {
                case "Charging": return state(.charging)
                case "SuspendedEV": return state(.complete)
                default: return state(.stopped)
                }
            }
            return state(connectors.values.contains { $0.status == "Occupied" } ? .stopped : .disconnected)
        }
        let connector = transaction.flatMap { connectors[String($0.connectorID)] }
            ?? connectors.filter { $0.key != "0" }.max { $0.value.updatedAt < $1.value.updatedAt }?.value
        switch connector?.status {
        case "Charging": return state(.charging)
        case "Preparing", "SuspendedEVSE": return state(.stopped)
        case "SuspendedEV", "Finishing": return state(.complete)
        default: return state(.disconnected)
        }
    }
}
