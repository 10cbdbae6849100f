import CarportCore
import Foundation

/// The Vehicle API's GET endpoints under `/vehicles/{id}`: permission, the signal behind each, and its body.
/// One table serves single requests and batch items alike.
enum SmartcarReadEndpoint: String, CaseIterable {
    case attributes = "/"
    case vin = "/vin"
    case battery = "/battery"
    case batteryCapacity = "/battery/capacity"
    case nominalCapacity = "/battery/nominal_capacity"
    case charge = "/charge"
    case chargeLimit = "/charge/limit"
    case fuel = "/fuel"
    case tirePressure = "/tires/pressure"
    case engineOil = "/engine/oil"
    case odometer = "/odometer"
    case location = "/location"
    case security = "/security"
    case serviceHistory = "/service/history"
    case systemStatus = "/diagnostics/system_status"
    case troubleCodes = "/diagnostics/dtcs"

    var permission: Permission {
        switch self {
        case .attributes: .readVehicleInfo
        case .vin: .readVIN
        default: signal?.permission ?? .readVehicleInfo
        }
    }

    /// The signal behind the endpoint; nil for the static ones (attributes, VIN).
    var signal: SignalKind? {
        switch self {
        case .attributes, .vin: nil
        case .battery: .battery
        case .batteryCapacity, .nominalCapacity: .batteryCapacity
        case .charge: .charge
        case .chargeLimit: .chargeLimit
        case .fuel: .fuel
        case .tirePressure: .tirePressure
        case .engineOil: .engineOil
        case .odometer: .odometer
        case .location: .location
        case .security: .security
        case .serviceHistory: .serviceHistory
        case .systemStatus, .troubleCodes: .diagnostics
        }
    }

    /// The response body; `filter` narrows service history by date.
    func body(vehicle: ConnectedVehicle, value: SignalValue?, units: SmartcarUnits, dates: ClosedRange<Date>? = nil) -> JSONValue {
        switch (self, value) {
        case (.attributes, _):
            return .object([("id", .string(vehicle.id.uuidString.lowercased())), ("make", .string(vehicle.identity.make)),
                            ("model", .string(vehicle.identity.model)), ("year", .int(vehicle.identity.year))])
        case (.vin, _):
            return .object([("vin", .string(vehicle.identity.vin))])
        case (.battery, .battery(let battery)?):
            return .object([("percentRemaining", .number(battery.percentRemaining)), ("range", .number(units.distance(battery.rangeKm)))])
        case (.batteryCapacity, .batteryCapacity(let kWh)?):
            return .object([("capacity", .number(kWh))])
        case (.nominalCapacity, .batteryCapacity(let kWh)?):
            return .object([
                ("availableCapacities", .array([.object([("capacity", .number(kWh)), ("description", .null)])])),
                ("capacity", .object([("nominal", .number(kWh)), ("source", "SMARTCAR")])),
                ("url", .null),
            ])
        case (.charge, .charge(let charge)?):
            return .object([("isPluggedIn", .bool(charge.isPluggedIn)), ("state", .string(charge.state.rawValue))])
        case (.chargeLimit, .chargeLimit(let limit)?):
            return .object([("limit", .number(limit))])
        case (.fuel, .fuel(let fuel)?):
            return .object([("range", .number(units.distance(fuel.rangeKm))), ("percentRemaining", .number(fuel.percentRemaining)),
                            ("amountRemaining", .number(units.volume(fuel.amountLitres)))])
        case (.tirePressure, .tirePressure(let tires)?):
            return .object([("frontLeft", .number(units.pressure(tires.frontLeft))), ("frontRight", .number(units.pressure(tires.frontRight))),
                            ("backLeft", .number(units.pressure(tires.backLeft))), ("backRight", .number(units.pressure(tires.backRight)))])
        case (.engineOil, .engineOil(let life)?):
            return .object([("lifeRemaining", .number(life))])
        case (.odometer, .odometer(let km)?):
            return .object([("distance", .number(units.distance(km)))])
        case (.location, .location(let location)?):
            return .object([("latitude", .number(location.latitude)), ("longitude", .number(location.longitude))])
        case (.security, .security(let security)?):
            func list(_ closures: [Closure]) -> JSONValue {
                .array(closures.map { .object([("type", .string($0.type)), ("status", .string($0.status))]) })
            }
            return .object([("isLocked", .bool(security.isLocked)), ("doors", list(security.doors)), ("windows", list(security.windows)),
                            ("sunroof", list(security.sunroof)), ("storage", list(security.storage)),
                            ("chargingPort", list(security.chargingPort))])
        case (.serviceHistory, .serviceHistory(let records)?):
            return .array(records.filter { dates?.contains($0.date) ?? true }.map { record in
                .object([
                    ("serviceId", .string(record.serviceID)), ("serviceDate", .string(SmartcarTime.format(record.date))),
                    ("odometerDistance", .number(units.distance(record.odometerKm))),
                    ("serviceTasks", .array(record.tasks.enumerated().map {
                        .object([("taskId", .string(String($0.offset + 1))), ("taskDescription", .string($0.element))])
                    })),
                    ("serviceDetails", .array([])),
                    ("serviceCost", .object([("totalCost", .number(record.totalCost)), ("currency", .string(record.currency))])),
                ])
            })
        case (.systemStatus, .diagnostics(let diagnostics)?):
            return .object([("systems", .array(diagnostics.systems.map {
                .object([("systemId", .string($0.systemID)), ("status", .string($0.status)),
                         ("description", $0.description.map(JSONValue.string) ?? .null)])
            }))])
        case (.troubleCodes, .diagnostics(let diagnostics)?):
            return .object([("activeCodes", .array(diagnostics.activeCodes.map {
                .object([("code", .string($0.code)), ("timestamp", .string(SmartcarTime.format($0.timestamp)))])
            }))])
        default:
            return .object([])
        }
    }
}

/// ISO-8601 times with milliseconds, as Smartcar sends them.
enum SmartcarTime {
    static func format(_ date: Date) -> String { UTCTimestamp.iso8601(date, milliseconds: true) }
}
