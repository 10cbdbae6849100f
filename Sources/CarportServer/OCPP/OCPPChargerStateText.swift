import CarportCore
import Foundation

/// The stored form of a charger's state, written by hand: `JSONEncoder` through `Encodable` was the largest cost of
/// a meter value once frames were parsed by hand. The text reads back with the store's `JSONDecoder` (dates
/// ISO 8601 in whole seconds, an infinite minimum as "inf"); a test checks that every field survives the round trip.
extension OCPPChargerState {
    var storedText: String {
        func date(_ value: Date?) -> JSONValue { value.map { .string($0.formatted(.iso8601)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        func number(_ value: Double?) -> JSONValue {
            guard let value else { return .null }
            return value.isFinite ? .number(value) : .string(value > 0 ? "inf" : value < 0 ? "-inf" : "nan")
        }
        func hour(_ hour: ChargingHour) -> JSONValue {
            .object([("hourStart", date(hour.hourStart)), ("energyKWh", number(hour.energyKWh)), ("minKW", number(hour.minKW)),
                     ("maxKW", number(hour.maxKW)), ("seconds", number(hour.seconds)), ("kilowattSeconds", number(hour.kilowattSeconds))])
        }
        var fields: [(String, JSONValue)] = [
            ("vendor", text(vendor)), ("model", text(model)), ("serialNumber", text(serialNumber)), ("firmwareVersion", text(firmwareVersion)),
            ("bootedAt", date(bootedAt)), ("lastMessageAt", date(lastMessageAt)),
            ("connectors", .object(connectors.sorted { $0.key < $1.key }.map { id, connector in
                (id, .object([("status", .string(connector.status)), ("errorCode", text(connector.errorCode)),
                              ("updatedAt", date(connector.updatedAt))]))
            })),
            ("nextTransactionID", .int(nextTransactionID)), ("powerW", number(powerW)), ("energyWh", number(energyWh)),
            ("meteredAt", date(meteredAt)), ("closedHours", .array(closedHours.map(hour))),
        ]
        if let transaction {
            fields.append(("transaction", .object([
                ("id", .string(transaction.id)), ("connectorID", .int(transaction.connectorID)), ("idTag", text(transaction.idTag)),
                ("meterStartWh", number(transaction.meterStartWh)), ("startedAt", date(transaction.startedAt)),
                ("chargingState", text(transaction.chargingState)),
            ])))
        }
        if let current = self.hour { fields.append(("hour", hour(current))) }
        return JSONValue.object(fields.filter { $0.1 != .null }).text
    }
}
