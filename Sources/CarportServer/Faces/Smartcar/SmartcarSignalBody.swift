import CarportCore
import Foundation

/// v3 signal bodies (smartcar-webhooks-v3.md §3) from canonical readings: percentages 0–100, metric units.
enum SmartcarSignalBody {
    /// The body of `code` from its reading's value; nil when the value is of another signal.
    static func body(_ code: SmartcarSignalCode, _ value: SignalValue) -> JSONValue? {
        func measure(_ unit: String, _ number: Double) -> JSONValue { .object([("unit", .string(unit)), ("value", .number(number))]) }
        func flag(_ value: Bool) -> JSONValue { .object([("value", .bool(value))]) }
        func grid(_ closures: [Closure], locks: Bool) -> JSONValue {
            let corners = ["frontLeft": (0, 0), "frontRight": (0, 1), "backLeft": (1, 0), "backRight": (1, 1)]
            let values: [JSONValue] = closures.compactMap { closure in
                guard let (row, column) = corners[closure.type] else { return nil }
                var fields: [(String, JSONValue)] = [("row", .int(row)), ("column", .int(column)), ("isOpen", .bool(closure.status == "OPEN"))]
                if locks { fields.append(("isLocked", .bool(closure.status == "LOCKED"))) }
                return .object(fields)
            }
            return .object([("values", .array(values)), ("rowCount", .int(2)), ("columnCount", .int(2))])
        }
        func open(_ closures: [Closure], _ type: String?) -> JSONValue? {
            guard let closure = closures.first(where: { type == nil || $0.type == type }) else { return nil }
            return .object([("isOpen", .bool(closure.status == "OPEN"))])
        }
        switch (code, value) {
        case (.stateOfCharge, .battery(let battery)): return measure("percent", battery.percentRemaining * 100)
        case (.range, .battery(let battery)): return measure("km", battery.rangeKm)
        case (.nominalCapacity, .batteryCapacity(let kWh)):
            return .object([("capacity", .number(kWh)), ("unit", "kWh"), ("source", "SMARTCAR"),
                            ("availableCapacities", .array([.object([("capacity", .number(kWh)), ("description", .null)])]))])
        case (.isCharging, .charge(let charge)): return flag(charge.state == .charging)
        case (.isChargingCableConnected, .charge(let charge)): return flag(charge.isPluggedIn)
        case (.detailedChargingStatus, .charge(let charge)): return .object([("value", .string(charge.state.rawValue))])
        case (.wattage, .charge(let charge)): return measure("W", charge.powerKW * 1000)
        case (.chargeLimits, .chargeLimit(let limit)):
            return .object([("values", .array([.object([("type", "GLOBAL"), ("limit", .number(limit * 100)), ("condition", .null)])])),
                            ("activeLimit", .number(limit * 100)), ("unit", "percent")])
        case (.fuelLevel, .fuel(let fuel)): return measure("percent", fuel.percentRemaining * 100)
        case (.fuelAmountRemaining, .fuel(let fuel)): return measure("liters", fuel.amountLitres)
        case (.fuelRange, .fuel(let fuel)): return measure("km", fuel.rangeKm)
        case (.oilLife, .engineOil(let life)): return measure("percent", life * 100)
        case (.preciseLocation, .location(let location)):
            return .object([("latitude", .number(location.latitude)), ("longitude", .number(location.longitude))])
        case (.traveledDistance, .odometer(let km)): return measure("km", km)
        case (.isLocked, .security(let security)): return flag(security.isLocked)
        case (.doors, .security(let security)): return grid(security.doors, locks: true)
        case (.windows, .security(let security)): return grid(security.windows, locks: false)
        case (.sunroof, .security(let security)): return open(security.sunroof, nil)
        case (.frontTrunk, .security(let security)): return open(security.storage, "front")
        case (.rearTrunk, .security(let security)): return open(security.storage, "rear")
        case (.isChargingPortFlapOpen, .security(let security)): return security.chargingPort.first.map { flag($0.status == "OPEN") }
        case (.tires, .tirePressure(let tires)):
            let values: [JSONValue] = [(0, 0, tires.frontLeft), (0, 1, tires.frontRight), (1, 0, tires.backLeft), (1, 1, tires.backRight)]
                .map { .object([("row", .int($0.0)), ("column", .int($0.1)), ("tirePressure", .number($0.2))]) }
            return .object([("values", .array(values)), ("rowCount", .int(2)), ("columnCount", .int(2)), ("unit", "kPa")])
        case (.troubleCodes, .diagnostics(let diagnostics)):
            return .object([("values", .array(diagnostics.activeCodes.map { code in
                .object([("code", .string(code.code)), ("timestamp", .string(SmartcarTime.format(code.timestamp)))])
            }))])
        case (.troubleCodeCount, .diagnostics(let diagnostics)): return .object([("value", .int(diagnostics.activeCodes.count))])
        case (.serviceRecords, .serviceHistory(let records)):
            return .object([("values", .array(records.map { record in
                .object([("id", .string(record.serviceID)),
                         ("cost", .object([("amount", .number(record.totalCost)), ("currency", .string(record.currency))])),
                         ("time", .string(SmartcarTime.format(record.date))), ("tasks", .array(record.tasks.map { .string($0) })),
                         ("odometer", .object([("unit", "km"), ("value", .number(record.odometerKm))]))])
            }))])
        default: return nil
        }
    }

    /// A signal as webhook events carry it: code, name, group, body, status and times (epoch ms).
    static func signal(_ code: SmartcarSignalCode, _ result: Result<SignalReading, CarportError>?) -> JSONValue {
        let state = state(code, result)
        return .object(naming(code) + [("body", state.body), ("status", state.status)] + (state.meta.map { [("meta", $0)] } ?? []))
    }

    /// `code`, `name` and `group` of a signal.
    static func naming(_ code: SmartcarSignalCode) -> [(String, JSONValue)] {
        [("code", .string(code.rawValue)), ("name", .string(code.name)), ("group", .string(code.group))]
    }

    /// The body, status and (for a value) times of a signal from its reading: `UNAVAILABLE` when the vehicle cannot
    /// report it, `ERROR` with the canonical error when reading failed.
    static func state(_ code: SmartcarSignalCode, _ result: Result<SignalReading, CarportError>?)
        -> (body: JSONValue, status: JSONValue, meta: JSONValue?) {
        let unavailable: JSONValue = .object([("value", "UNAVAILABLE")])
        switch result {
        case .success(let reading)?:
            guard let body = body(code, reading.value) else { return (.object([]), unavailable, nil) }
            return (body, .object([("value", "SUCCESS")]),
                    .object([("oemUpdatedAt", .int(millis(reading.recordedAt))), ("retrievedAt", .int(millis(reading.fetchedAt)))]))
        case .failure(let error)?:
            return (.object([]), .object([
                ("value", .string(error.kind == .compatibility ? "UNAVAILABLE" : "ERROR")),
                ("error", .object([("type", .string(error.kind.rawValue)), ("code", error.code.map { .string($0) } ?? .null)])),
            ]), nil)
        case nil:
            return (.object([]), unavailable, nil)
        }
    }

    static func millis(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded()) }
}
