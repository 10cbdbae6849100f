import CarportCore
import Foundation
import Vapor

/// `POST /vehicles/{id}/batch`: several reads in one request; each item succeeds or fails on its own and counts
/// against the budgets like a single request. A path that is not one of the read endpoints (exactly as
/// written, e.g. `/odometer`) fails the whole batch (smartcar.md §4.3).
struct SmartcarBatch {
    @Sendable func batch(request: Request) async throws -> Response {
        let grant = try await request.smartcarGrant()
        let units = try SmartcarUnits(request)
        let service = request.vehicleService
        let vehicle = try await request.smartcarVehicle(grant: grant, service: service)
        let endpoints = try Self.parse(try request.smartcarJSONObject())
        var refused: [Int: CarportError] = [:]
        for (index, (_, endpoint)) in endpoints.enumerated() {
            do throws(CarportError) { try service.authorize(endpoint.permission, on: vehicle, grant: grant) } catch { refused[index] = error }
        }
        // Every signal that passed its permission and budget check, from one snapshot: the batch costs at most one
        // connector call.
        let signals = Set(endpoints.indices.filter { refused[$0] == nil }.compactMap { endpoints[$0].1.signal })
        let readings: VehicleReadings
        do {
            readings = try await service.readAuthorized(signals, of: vehicle)
        } catch let error as CarportError {
            readings = VehicleReadings(results: Dictionary(uniqueKeysWithValues: signals.map { ($0, .failure(error)) }))
        }
        let responses = await Self.items(endpoints, refused: refused, vehicle: vehicle, service: service, units: units,
                                         readings: readings, requestID: request.id)
        return try SmartcarResponse.json(.object([("responses", .array(responses))]), units: units)
    }

    /// The batch items (`path`, `code`, `headers`, `body`) of reads from `readings`; a refused item carries its error.
    /// Legacy scheduled webhooks deliver the same items.
    static func items(_ endpoints: [(String, SmartcarReadEndpoint)], refused: [Int: CarportError], vehicle: ConnectedVehicle,
                      service: VehicleService, units: SmartcarUnits, readings: VehicleReadings, requestID: String) async -> [JSONValue] {
        var responses: [JSONValue] = []
        for (index, (path, endpoint)) in endpoints.enumerated() {
            do {
                if let refusal = refused[index] { throw refusal }
                let (body, reading) = try await SmartcarVehicleController.answer(
                    endpoint, vehicle: vehicle, service: service, units: units, dates: nil, readings: readings)
                let headers = SmartcarResponse.headers(units: units, reading: reading).map { ($0.0.lowercased(), JSONValue.string($0.1)) }
                responses.append(.object([("path", .string(path)), ("code", 200), ("headers", .object(headers)), ("body", body)]))
            } catch {
                let error = error as? CarportError ?? CarportError.internalError()
                responses.append(.object([
                    ("path", .string(path)), ("code", .int(Int(SmartcarErrors.status(of: error).code))),
                    ("headers", .object([])), ("body", SmartcarErrors.body(error, requestID: requestID)),
                ]))
            }
        }
        return responses
    }

    static func parse(_ body: [String: Any]) throws -> [(String, SmartcarReadEndpoint)] {
        guard let requests = body["requests"] as? [[String: Any]], !requests.isEmpty else {
            throw CarportError(.validation, nil, "Request invalid or malformed. Please check for missing parameters, spelling and casing mistakes, and other syntax issues.",
                               detail: [.init(field: ["requests"], message: "\"requests\" is required")])
        }
        return try requests.map { item in
            guard let path = item["path"] as? String, let endpoint = SmartcarReadEndpoint(rawValue: path) else {
                throw CarportError.validation("Unknown path \(item["path"].map { "\($0)" } ?? "(none)").", field: "requests")
            }
            return (path, endpoint)
        }
    }
}
