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
    /// The energy and power metered in the current clock hour, and the hours ended since the last save (the store
    /// moves them to their own table).
    var hour: ChargingHour?
    var closedHours: [ChargingHour] = []

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
                    meter(powerW: reading * kilo * multiplier, at: time)
                case "Energy.Active.Import.Register" where sample["phase"] == nil:
                    meter(energyWh: reading * kilo * multiplier, at: time)
                default: continue
                }
            }
        }
    }

    /// Takes a reading of the energy register or the power, and adds to the current hour what was charged since
    /// the last reading: the register's rise, and the time at the power last read (a register that went back, a
    /// replaced meter, only sets the new baseline). A reading stamped before the current hour counts in it.
    mutating func meter(energyWh newEnergy: Double? = nil, powerW newPower: Double? = nil, at time: Date) {
        let hourStart = Date(timeIntervalSince1970: (time.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        if hourStart > (hour?.hourStart ?? .distantPast) {
            if let ended = hour, ended.energyKWh > 0 || ended.seconds > 0 { closedHours.append(ended) }
            hour = ChargingHour(hourStart: hourStart)
        }
        var kWh = 0.0
        if let newEnergy {
            if let energyWh, newEnergy > energyWh { kWh = (newEnergy - energyWh) / 1000 }
            energyWh = newEnergy
        }
        let seconds = meteredAt.map { min(max(time.timeIntervalSince($0), 0), 3600) } ?? 0
        let kW = (powerW ?? 0) / 1000
        if kWh > 0 || (kW > 0 && seconds > 0) { hour?.add(kWh: kWh, kW: kW, seconds: kW > 0 ? seconds : 0) }
        if let newPower { powerW = newPower }
        meteredAt = max(meteredAt ?? time, time)
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
