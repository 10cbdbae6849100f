import CarportCore
import Foundation
import Vapor

/// Enode v1 vehicle objects (enode.md §3.2) built from canonical readings.
struct EnodeVehicleBody {
    /// The sub-objects `field[]` can ask for, with the scope and permission each needs.
    enum Field: String, CaseIterable {
        case chargeState, location, information, odometer, smartChargingPolicy

        var scope: String {
            switch self {
            case .chargeState: "vehicle:charge_state"
            case .location: "vehicle:location"
            case .information: "vehicle:information"
            case .odometer: "vehicle:odometer"
            case .smartChargingPolicy: "vehicle:smart_charging_policy"
            }
        }

        /// The path of its sub-resource.
        var path: String {
            switch self {
            case .chargeState: "charge-state"
            case .smartChargingPolicy: "smart-charging-policy"
            default: rawValue
            }
        }
    }

    static let allScopes = ["vehicle:location", "vehicle:odometer", "vehicle:information", "vehicle:charge_state",
                            "vehicle:smart_charging_policy"]

    let vehicle: ConnectedVehicle
    /// The owner (for `chargingLocationId`: the owner's charging location the car stands at).
    let userID: UUID
    let request: Request
    /// Readings taken together for a whole vehicle object (one snapshot); single sub-resources read on their own.
    var prefetched: VehicleReadings?
    private var service: VehicleService { request.vehicleService }

    /// The signals a field is built from.
    static func signals(_ field: Field) -> Set<SignalKind> {
        switch field {
        case .chargeState: [.battery, .charge, .chargeLimit, .batteryCapacity]
        case .location: [.location]
        case .odometer: [.odometer]
        case .information, .smartChargingPolicy: []
        }
    }

    /// The vehicle with the requested sub-objects.
    func body(fields: [Field]) async throws -> JSONValue {
        var reader = self
        // Location too: `chargingLocationId` needs it.
        let signals = fields.reduce(into: Set<SignalKind>([.location])) { $0.formUnion(Self.signals($1)) }
        do {
            reader.prefetched = try await service.readAuthorized(signals, of: vehicle)
        } catch let error as CarportError where error.kind == .compatibility {
            reader.prefetched = nil
        }
        return try await reader.assemble(fields: fields)
    }

    private func assemble(fields: [Field]) async throws -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(vehicle.id.uuidString.lowercased()))]
        var objects: [(String, JSONValue)] = []
        var lastSeen: Date?
        for field in fields {
            let (object, seen) = try await self.object(field)
            objects.append((field.rawValue, object))
            if let seen { lastSeen = max(lastSeen ?? seen, seen) }
        }
        pairs.append(("isReachable", true))
        pairs.append(("lastSeen", lastSeen.map { .string(EnodeTime.format($0)) } ?? .null))
        pairs.append(("chargingLocationId", try await chargingLocationID().map { .string($0.uuidString.lowercased()) } ?? .null))
        return .object(pairs + objects)
    }

    /// The owner's charging location within `ChargingLocation.radiusMeters` of the car, if any.
    private func chargingLocationID() async throws -> UUID? {
        let locations = try await request.chargingLocationService.list(userID: userID)
        guard !locations.isEmpty, let reading = try await read(.location), case .location(let here) = reading.value else { return nil }
        return ChargingLocation.nearest(locations, to: here)?.id
    }

    /// One sub-object and the time its data was recorded.
    func object(_ field: Field) async throws -> (JSONValue, Date?) {
        switch field {
        case .smartChargingPolicy:
            return (EnodeSmartCharging.policy(try await request.smartChargingStore.policy(vehicleID: vehicle.id)), nil)
        case .information:
            let brand = request.connectors.allBrands.first { $0.make == vehicle.identity.make }?.displayName ?? vehicle.identity.make
            return (.object([("id", .string(vehicle.id.uuidString.lowercased())), ("brand", .string(brand)),
                             ("model", .string(vehicle.identity.model)), ("year", .int(vehicle.identity.year))]), nil)
        case .location:
            guard let reading = try await read(.location), case .location(let location) = reading.value else {
                return (.object([("longitude", .null), ("latitude", .null), ("lastUpdated", .null)]), nil)
            }
            return (.object([("longitude", .number(location.longitude)), ("latitude", .number(location.latitude)),
                             ("lastUpdated", .string(EnodeTime.format(reading.recordedAt)))]), reading.recordedAt)
        case .odometer:
            guard let reading = try await read(.odometer), case .odometer(let km) = reading.value else {
                return (.object([("distance", .null), ("lastUpdated", .null)]), nil)
            }
            return (.object([("distance", .number(km)), ("lastUpdated", .string(EnodeTime.format(reading.recordedAt)))]),
                    reading.recordedAt)
        case .chargeState:
            return try await chargeState()
        }
    }

    private func chargeState() async throws -> (JSONValue, Date?) {
        guard let batteryReading = try await read(.battery), case .battery(let battery) = batteryReading.value,
              let chargeReading = try await read(.charge), case .charge(let charge) = chargeReading.value,
              let limitReading = try await read(.chargeLimit), case .chargeLimit(let limit) = limitReading.value,
              let capacityReading = try await read(.batteryCapacity), case .batteryCapacity(let capacity) = capacityReading.value
        else {
            let keys = ["batteryLevel", "range", "isPluggedIn", "isCharging", "isChargingReasons", "chargeRate",
                        "chargeTimeRemaining", "chargeLimit", "batteryCapacity"]
            return (.object(keys.map { ($0, .null) }), nil)
        }
        let isCharging = charge.state == .charging
        let smart = charge.isPluggedIn && charge.state != .fullyCharged
            ? EnodeSmartCharging.reason(try await request.smartChargingStore.schedule(vehicleID: vehicle.id)) : nil
        let reason = !charge.isPluggedIn ? "NOT_PLUGGED_IN" : charge.state == .fullyCharged ? "FULLY_CHARGED"
            : smart ?? charge.control.map(Self.reason) ?? "DEFAULT"
        let remaining: JSONValue = isCharging && charge.powerKW > 0
            ? .int(Int((max(0, limit - battery.percentRemaining) * capacity / charge.powerKW * 60).rounded())) : .null
        return (.object([
            ("batteryLevel", .number((battery.percentRemaining * 100).rounded())), ("range", .number(battery.rangeKm)),
            ("isPluggedIn", .bool(charge.isPluggedIn)), ("isCharging", .bool(isCharging)),
            ("isChargingReasons", .array([.string(reason)])),
            ("chargeRate", isCharging ? .number(charge.powerKW) : .null), ("chargeTimeRemaining", remaining),
            ("chargeLimit", .number((limit * 100).rounded())), ("batteryCapacity", .number(capacity)),
        ]), max(batteryReading.recordedAt, chargeReading.recordedAt))
    }

    /// An `isChargingReasons` value.
    static func reason(_ control: ChargeControl) -> String {
        switch control {
        case .manuallyStarted: "MANUALLY_STARTED"
        case .manuallyStopped: "MANUALLY_STOPPED"
        case .smartDelay: "SMART_CHARGING_DELAY"
        case .smartActive: "SMART_CHARGING_ACTIVE"
        case .smartDeadline: "SMART_CHARGING_DEADLINE"
        }
    }

    /// A reading, or nil when the vehicle cannot report it (Enode answers nulls then).
    private func read(_ signal: SignalKind) async throws -> SignalReading? {
        do {
            if let prefetched, prefetched.results[signal] != nil { return try prefetched.reading(signal) }
            return try await service.readAuthorized(signal, of: vehicle)
        } catch let error as CarportError where error.kind == .compatibility {
            return nil
        }
    }
}

/// ISO-8601 UTC timestamps as Enode sends them.
enum EnodeTime {
    static func format(_ date: Date) -> String { UTCTimestamp.iso8601(date, milliseconds: false) }
}
