import CarportCore
import Foundation

/// What Carport knows of an OCPP charger from its messages: identity from its boot, each connector's status, the
/// transaction, and power and energy from its meter values. Kept per charger in the database.
struct OCPPChargerState: Codable, Equatable, Sendable {
    var vendor: String?
    var model: String?
    var serialNumber: String?
    var firmwareVersion: String?
    var bootedAt: Date?
    var lastMessageAt: Date?
    /// Status per connector id (`0` is the whole charger in 1.6), as the charger names it.
    var connectors: [String: Connector] = [:]
    var transaction: Transaction?
    /// The next 1.6 transaction id Carport hands out (the CSMS picks them there; 2.0.1 chargers pick their own).
    var nextTransactionID = 1
    /// The last `Power.Active.Import` reading, W.
    var powerW: Double?
    /// The last `Energy.Active.Import.Register` reading, Wh.
    var energyWh: Double?
    var meteredAt: Date?

    struct Connector: Codable, Equatable, Sendable {
        var status: String
        var errorCode: String?
        var updatedAt: Date
    }

    struct Transaction: Codable, Equatable, Sendable {
        var id: String
        var connectorID: Int
        var idTag: String?
        var meterStartWh: Double?
        var startedAt: Date
        /// 2.0.1's `chargingState` (Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle).
        var chargingState: String?
    }

    /// Takes a meter value's sampled values (1.6 strings, 2.0.1 numbers) for power and energy, in W and Wh.
    mutating func takeMeterValues(_ values: [JSONValue], at fallback: Date) {
        for meterValue in values {
            let time = meterValue["timestamp"]?.string.flatMap(OCPPTime.parse) ?? fallback
            for sample in meterValue["sampledValue"]?.array ?? [] {
                guard let reading = sample["value"]?.double ?? sample["value"]?.string.flatMap(Double.init) else { continue }
                let unit = (sample["unit"]?.string ?? sample["unitOfMeasure"]?["unit"]?.string ?? "").lowercased()
                let multiplier = pow(10, Double(sample["unitOfMeasure"]?["multiplier"]?.int ?? 0))
                let kilo = unit.hasPrefix("k") ? 1000.0 : 1.0
                switch sample["measurand"]?.string ?? "Energy.Active.Import.Register" {
                case "Power.Active.Import" where sample["phase"] == nil:
                    powerW = reading * kilo * multiplier
                case "Energy.Active.Import.Register" where sample["phase"] == nil:
                    energyWh = reading * kilo * multiplier
                default: continue
                }
                meteredAt = time
            }
        }
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
