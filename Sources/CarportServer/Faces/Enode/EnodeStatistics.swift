import CarportCore
import Foundation
import Vapor

/// `GET /statistics/charging` (enode.md §3.2): the energy the user's vehicles (or `vehicleId`) took, in buckets of
/// `resolution` from `startDate` to `endDate` (default now), priced with the configured tariff hour by hour;
/// `chargingLocationId` keeps the hours charged within reach of that charging location.
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
        let service = request.vehicleService
        var vehicleIDs = caller.grant.vehicleIDs
        if let vehicleID = query["vehicleId"] { vehicleIDs = [try await caller.vehicle(vehicleID, service: service).id] }
        var hours: [ChargingHour] = []
        for id in vehicleIDs {
            let vehicle = try await caller.vehicle(id.uuidString, service: service)
            do {
                hours += try await service.chargingHistory(of: vehicle)
            } catch let error as CarportError where error.kind == .compatibility {
                continue  // the brand keeps no history: it adds nothing
            }
        }
        if let location {
            hours = hours.filter { hour in
                hour.location.map {
                    EnodeVehicleBody.metres($0, latitude: location.latitude, longitude: location.longitude) <= EnodeVehicleBody.chargingLocationRadius
                } ?? false
            }
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
