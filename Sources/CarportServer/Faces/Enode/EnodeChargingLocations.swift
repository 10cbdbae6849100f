import CarportCore
import Foundation
import Vapor

/// Enode charging locations CRUD (`/charging-locations`, scope `charging_location`).
struct EnodeChargingLocations {
    func register(on enode: any RoutesBuilder) {
        let locations = enode.grouped("charging-locations")
        locations.get(use: list)
        locations.post(use: create)
        locations.get(":locationId", use: get)
        locations.put(":locationId", use: replace)
        locations.delete(":locationId", use: delete)
    }

    @Sendable func list(request: Request) async throws -> Response {
        let (caller, service) = try await context(request)
        return try Response.json(.array(try await service.list(userID: caller.grant.userID).map(Self.body)))
    }

    @Sendable func get(request: Request) async throws -> Response {
        let (caller, service) = try await context(request)
        return try Response.json(Self.body(try await service.get(Self.id(request), userID: caller.grant.userID)))
    }

    @Sendable func create(request: Request) async throws -> Response {
        let (caller, service) = try await context(request)
        let body = try Self.fields(request)
        let location = try await service.create(userID: caller.grant.userID, name: body["name"] as? String,
                                                latitude: jsonNumber(body["latitude"]), longitude: jsonNumber(body["longitude"]))
        return try Response.json(Self.body(location), status: .created)
    }

    @Sendable func replace(request: Request) async throws -> Response {
        let (caller, service) = try await context(request)
        let body = try Self.fields(request)
        let location = try await service.replace(Self.id(request), userID: caller.grant.userID, name: body["name"] as? String,
                                                 latitude: jsonNumber(body["latitude"]), longitude: jsonNumber(body["longitude"]))
        return try Response.json(Self.body(location))
    }

    /// The body of a create or replace; `id` is the server's (read-only in the document) and is refused.
    private static func fields(_ request: Request) throws -> [String: Any] {
        let body = try EnodeRoutes.jsonObject(request)
        guard body["id"] == nil else { throw EnodeProblem.validation("\"id\" is read-only: leave it out") }
        return body
    }

    @Sendable func delete(request: Request) async throws -> Response {
        let (caller, service) = try await context(request)
        try await service.delete(Self.id(request), userID: caller.grant.userID)
        return Response(status: .noContent)
    }

    private func context(_ request: Request) async throws -> (EnodeCaller, ChargingLocationService) {
        let caller = try await EnodeCaller.user(request, anyOf: ["charging_location"])
        return (caller, request.chargingLocationService)
    }

    private static func id(_ request: Request) -> UUID? { request.parameters.get("locationId").flatMap(UUID.init(uuidString:)) }

    static func body(_ location: ChargingLocation) -> JSONValue {
        .object([("id", .string(location.id.uuidString.lowercased())), ("name", .string(location.name)),
                 ("latitude", .number(location.latitude)), ("longitude", .number(location.longitude))])
    }
}
