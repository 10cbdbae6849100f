import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// The simulator control API under `/simulator/vehicles`, authenticated with the application's management token
/// (`Authorization: Bearer <management token>`). Each application steers only its own simulated vehicles.
struct SimulatorController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let vehicles = routes.grouped(SimulatorErrorMiddleware()).grouped("simulator", "vehicles")
        vehicles.post(use: create)
        vehicles.get(use: list)
        let vehicle = vehicles.grouped(":vin")
        vehicle.get(use: show)
        let controls: [(String, @Sendable ([String: Any]) throws -> SimulatedCar.Control)] = [
            ("plug", { _ in .plug }), ("unplug", { _ in .unplug }), ("sleep", { _ in .sleep }), ("wake", { _ in .wake }),
            ("stop-trip", { _ in .stopTrip }),
            ("start-trip", { body in
                .startTrip(speedKmh: try Self.number(body, "speedKmh", default: 50), headingDegrees: try Self.number(body, "headingDegrees", default: 0))
            }),
            ("state-of-charge", { body in .setStateOfCharge(try Self.number(body, "stateOfCharge", default: nil)) }),
            ("clock", { body in .setClockSpeed(try Self.number(body, "speed", default: nil)) }),
            ("fail", { body in
                let text = body["error"] as? String ?? SimulatedCar.Fault.brandUnavailable.rawValue
                guard let fault = SimulatedCar.Fault(rawValue: text) else {
                    throw SimulatorError.badRequest("error must be one of \(SimulatedCar.Fault.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return .fail(fault)
            }),
            ("recover", { _ in .recover }),
        ]
        for (path, parse) in controls {
            vehicle.post(PathComponent(stringLiteral: path)) { request in try await control(request, parse) }
        }
    }

    @Sendable func create(request: Request) async throws -> Response {
        let application = try await authenticate(request)
        let body = try Self.jsonObject(request)
        guard let make = body["make"] as? String else { throw SimulatorError.badRequest("make is required") }
        let created = try await request.simulator.create(
            applicationID: application.id, make: make, model: body["model"] as? String, vin: body["vin"] as? String,
            ownerEmail: body["email"] as? String, stateOfCharge: (body["stateOfCharge"] as? NSNumber)?.doubleValue,
            password: body["password"] as? String)
        return try Self.json(SimulatedVehicleView(created.record, password: created.password), status: .created)
    }

    @Sendable func list(request: Request) async throws -> Response {
        let application = try await authenticate(request)
        return try Self.json(try await request.simulator.list(applicationID: application.id).map { SimulatedVehicleView($0) })
    }

    @Sendable func show(request: Request) async throws -> Response {
        let application = try await authenticate(request)
        let vin = request.parameters.get("vin") ?? ""
        guard let record = try await request.simulator.record(applicationID: application.id, vin: vin)
        else { throw SimulatorService.Failure.unknownVehicle(vin) }
        return try Self.json(SimulatedVehicleView(record))
    }

    private func control(_ request: Request, _ parse: ([String: Any]) throws -> SimulatedCar.Control) async throws -> Response {
        let application = try await authenticate(request)
        let vin = request.parameters.get("vin") ?? ""
        let control = try parse(try Self.jsonObject(request))
        let car = try await request.simulator.control(applicationID: application.id, vin: vin, control)
        // The car changed at its brand: what Carport cached of it is stale (except that an asleep car keeps
        // answering its last readings), and the change feed looks at it now, as a brand's own push would make it,
        // so webhooks report a plug-in or a failure without waiting for the next pass; smart charging looks at it too.
        if let vehicle = try await request.connectionStore.vehicle(vin: car.vin, mode: .simulated, applicationID: application.id) {
            if control != .sleep { request.carport.freshnessCache.invalidate(SignalKind.allCases, of: vehicle.id) }
            await request.vehicleChanges.note(applicationID: application.id, vehicleID: vehicle.id)
            try await request.smartChargingStore.wakeIfScheduled(vehicleID: vehicle.id)
        }
        return try Self.json(SimulatedCarState(car))
    }

    private func authenticate(_ request: Request) async throws -> RegisteredApplication {
        guard let token = request.headers.bearerAuthorization?.token,
              let application = try await request.applicationRegistry.authenticate(managementToken: token)
        else { throw SimulatorError.unauthorized }
        return application
    }

    static func number(_ body: [String: Any], _ key: String, default value: Double?) throws -> Double {
        if let number = body[key] as? NSNumber { return number.doubleValue }
        guard body[key] == nil, let value else { throw SimulatorError.badRequest("\(key) must be a number") }
        return value
    }

    static func jsonObject(_ request: Request) throws -> [String: Any] {
        guard let object = request.jsonObjectBody else { throw SimulatorError.badRequest("the body must be a JSON object") }
        return object
    }

    static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, as: .json)
        return response
    }
}
