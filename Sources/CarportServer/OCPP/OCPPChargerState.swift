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
