import CarportCore
import Foundation
import Vapor

/// `GET /statistics/charging` (enode.md §3.2): the energy the user's vehicles (or `vehicleId`) took — or with
/// `type=charger` what the user's chargers (or `chargerId`) metered, for OCPP chargers from their meter values —
/// in buckets of `resolution` from `startDate` to `endDate` (default now), priced with the configured tariff hour
/// by hour; `chargingLocationId` keeps the hours charged within reach of (chargers: at) that charging location.
struct EnodeStatistics {
    enum Resolution: String, CaseIterable {
        case hour = "HOUR", day = "DAY", week = "WEEK", month = "MONTH", year = "YEAR"
    }

    static let maxBuckets = 10_000

    @Sendable static func charging(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request)
        let query = FormParameters(request.url.query)
        guard let startText = query["startDate"], let start = day(startText) else {
            throw EnodeProblem.validation("\"startDate\" is required, as YYYY-MM-DD")
        }
        var end = Date()
        if let endText = query["endDate"] {
            guard let day = day(endText), day >= start else {
                throw EnodeProblem.validation("\"endDate\" must be a date YYYY-MM-DD, not before startDate")
            }
            end = day.addingTimeInterval(86_400)  // the whole end day
        }
        guard let resolution = Resolution(rawValue: query["resolution"] ?? "DAY") else {
            throw EnodeProblem.validation("\"resolution\" must be one of \(Resolution.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var location: ChargingLocation?
        if let id = query["chargingLocationId"] {
            guard let uuid = UUID(uuidString: id), try await request.chargingLocationService.exists(uuid, userID: caller.grant.userID) else {
                throw EnodeProblem.notFound("Charging location not found", "Could not find charging location with ID \(id)")
            }
            location = try await request.chargingLocationService.get(uuid, userID: caller.grant.userID)
        }
        let hours: [ChargingHour]
        switch query["type"] ?? "vehicle" {
        case "vehicle":
            if query["chargerId"] != nil { throw EnodeProblem.validation("\"chargerId\" goes with type=charger") }
            hours = try await vehicleHours(caller, vehicleID: query["vehicleId"], location: location, request: request)
        case "charger":
            if query["vehicleId"] != nil { throw EnodeProblem.validation("\"vehicleId\" goes with type=vehicle") }
            hours = try await chargerHours(caller, chargerID: query["chargerId"], location: location, request: request)
        default:
            throw EnodeProblem.validation("\"type\" must be vehicle or charger")
        }
        let starts = bucketStarts(from: start, to: end, resolution)
        guard starts.count <= maxBuckets else {
            throw EnodeProblem.validation("the range holds more than \(maxBuckets) \(resolution.rawValue) buckets; narrow it")
        }
        let tariff = request.carport.configuration.tariff
        return try Response.json(.array(starts.indices.map { index in
            let upper = index + 1 < starts.count ? starts[index + 1] : end
            return bucket(starts[index], hours.filter { $0.hourStart >= starts[index] && $0.hourStart < upper }, tariff: tariff)
        }))
    }

    private static func vehicleHours(_ caller: EnodeCaller, vehicleID: String?, location: ChargingLocation?, request: Request)
        async throws -> [ChargingHour] {
        let service = request.vehicleService
        var vehicleIDs = caller.grant.vehicleIDs
        if let vehicleID { vehicleIDs = [try await caller.vehicle(vehicleID, service: service).id] }
        var hours: [ChargingHour] = []
        for id in vehicleIDs {
            let vehicle = try await caller.vehicle(id.uuidString, service: service)
            do {
                hours += try await service.chargingHistory(of: vehicle)
            } catch let error as CarportError where error.kind == .compatibility {
                continue  // the brand keeps no history: it adds nothing
            }
        }
        guard let location else { return hours }
        return hours.filter { hour in
            hour.location.map {
                location.metres(to: $0) <= ChargingLocation.radiusMeters
            } ?? false
        }
    }

    /// What the user's OCPP chargers metered; a simulated charger keeps no history and adds nothing.
    private static func chargerHours(_ caller: EnodeCaller, chargerID: String?, location: ChargingLocation?, request: Request)
        async throws -> [ChargingHour] {
        var chargers = try await request.chargerStore.chargers(userID: caller.grant.userID)
        if let chargerID { chargers = [try await EnodeChargers.charger(chargerID, request: request, caller: caller)] }
        if let location { chargers = chargers.filter { $0.chargingLocationID == location.id } }
        let store = FluentOCPPChargerStore(resolveDatabase: { [db = request.db] in db })
        var hours: [ChargingHour] = []
        for charger in chargers where charger.brand == OCPPChargers.brand {
            if let ocpp = try await store.charger(chargePointID: charger.serial) { hours += try await store.hours(of: ocpp) }
        }
        return hours
    }

    static func bucket(_ start: Date, _ hours: [ChargingHour], tariff: Tariff) -> JSONValue {
        let kWh = hours.map(\.energyKWh).reduce(0, +)
        let cost = hours.map { $0.energyKWh * tariff.price(at: $0.hourStart) }.reduce(0, +)
        let seconds = hours.map(\.seconds).reduce(0, +)
        let prices = hours.map { tariff.price(at: $0.hourStart) }
        func rounded(_ value: Double) -> JSONValue { .number((value * 1000).rounded() / 1000) }
        return .object([
            ("date", .string(EnodeTime.format(start))),
            ("kw", .object([("min", rounded(hours.map(\.minKW).min() ?? 0)), ("max", rounded(hours.map(\.maxKW).max() ?? 0)),
                            ("mean", rounded(seconds > 0 ? hours.map(\.kilowattSeconds).reduce(0, +) / seconds : 0))])),
            ("kwhSum", rounded(kWh)),
            ("price", .object([("min", rounded(prices.min() ?? 0)), ("max", rounded(prices.max() ?? 0)),
                               ("mean", rounded(kWh > 0 ? cost / kWh : 0))])),
            ("costSum", rounded(cost)),
        ])
    }

    /// Bucket starts covering [start, end): UTC hours, days, ISO weeks (Monday), months or years.
    static func bucketStarts(from start: Date, to end: Date, _ resolution: Resolution) -> [Date] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let component: Calendar.Component, unit: Calendar.Component
        switch resolution {
        case .hour: (component, unit) = (.hour, .hour)
        case .day: (component, unit) = (.day, .day)
        case .week: (component, unit) = (.weekOfYear, .weekOfYear)
        case .month: (component, unit) = (.month, .month)
        case .year: (component, unit) = (.year, .year)
        }
        guard var current = calendar.dateInterval(of: unit, for: start)?.start else { return [] }
        var starts: [Date] = []
        while current < end, starts.count <= maxBuckets {
            starts.append(current)
            guard let next = calendar.date(byAdding: component, value: 1, to: current) else { break }
            current = next
        }
        return starts
    }

    static func day(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        return try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day().dateSeparator(.dash))
    }
}
