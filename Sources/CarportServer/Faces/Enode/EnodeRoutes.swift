import CarportCore
import Foundation
import Vapor

/// The Enode v1 face under `/enode` (enode.md §3): link, users, me, vehicles with field selection and smart-charging
/// policy, readiness; charging actions, charging locations, statistics and webhooks live in their own files.
/// (Its OAuth endpoints are mounted with Connect.)
struct EnodeRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let enode = routes.grouped("enode").grouped(EnodeProblemMiddleware())
        enode.post("users", ":userId", "link", use: link)
        enode.delete("users", ":userId", use: deleteUser)
        enode.delete("users", ":userId", "authorization", use: deleteAuthorization)
        enode.get("me", use: me)
        enode.delete("me", "vendors", ":vendor", use: disconnectVendor)
        enode.get("vehicles", use: vehicles)
        let vehicle = enode.grouped("vehicles", ":vehicleId")
        vehicle.get(use: vehicleByID)
        for field in EnodeVehicleBody.Field.allCases {
            vehicle.get(PathComponent(stringLiteral: field.path), use: subObject(field))
        }
        EnodeSmartCharging().register(on: vehicle)
        vehicle.post("watch", use: watch)
        EnodeChargingLocations().register(on: enode)
        EnodeWebhookRoutes().register(on: enode)
        EnodeActions().register(on: enode)
        EnodeChargers().register(on: enode)
        enode.get("statistics", "charging", use: EnodeStatistics.charging)
        enode.get("openapi.yaml", use: FaceOpenAPI.enode.document)
        enode.get("health", "ready") { _ in Response(status: .noContent) }
        enode.get("health", "vendors") { request in
            try Response.json(.array(request.connectors.allBrands.map { brand in
                .object([("vendor", .string(brand.make)), ("displayName", .string(brand.displayName)), ("status", "READY")])
            }))
        }
    }

    /// `POST /users/{userId}/link` (client token): creates the user if needed and returns `{"linkState"}`.
    @Sendable func link(request: Request) async throws -> Response {
        let applicationID = try await EnodeCaller.client(request)
        guard let userID = request.parameters.get("userId"), !userID.isEmpty, userID.unicodeScalars.count <= 200 else {
            throw EnodeProblem.validation("\"userId\" must be a non-empty string")
        }
        let body = try Self.jsonObject(request)
        let options = try EnodeLinkOptions(body, vehicleBrands: request.connectors.allBrands.map(\.make))
        let user = try await request.connectionStore.userID(applicationID: applicationID, externalID: userID)
        if options.isCharger {
            return try await linkCharger(request, applicationID: applicationID, user: user, externalID: userID, body: body)
        }
        let state = try EnodeLinkState(applicationID: applicationID, userID: userID, vendor: options.vendor, userName: options.userName,
                                       expiresAt: Date().addingTimeInterval(EnodeLinkState.lifetime))
            .seal(with: request.carport.secretBox)
        return try Response.json(.object([("linkState", .string(state))]))
    }

    /// Link for a charger (`vendorType: charger` or a charger `vendor`): a hosted session at one of the user's
    /// charging locations (`chargingLocationId`, else the first) → `{"linkState", "linkUrl"}`; the user opens
    /// `linkUrl`, signs in at the charger brand and picks the charger, which then appears under `/chargers`.
    func linkCharger(_ request: Request, applicationID: UUID, user: UUID, externalID: String, body: [String: Any]) async throws -> Response {
        let locations = try await request.chargingLocationService.list(userID: user)
        let wanted = body["chargingLocationId"] as? String
        guard let location = locations.first(where: { wanted == nil || $0.id.uuidString.lowercased() == wanted?.lowercased() }) else {
            throw wanted == nil
                ? EnodeProblem(status: .conflict, slug: "conflict", title: "No charging location",
                               detail: "the user has no charging location: create one (POST /charging-locations) before linking a charger")
                : EnodeProblem.notFound("Charging location not found", "\"chargingLocationId\" is not one of the user's charging locations")
        }
        guard let application = try await request.applicationRegistry.find(clientID: applicationID.uuidString) else {
            throw EnodeProblem.unauthorized()
        }
        let context = ConnectSessionService.Context(applicationID: applicationID, applicationName: application.name,
                                                    mode: application.mode, userID: user, externalUserID: externalID)
        let session = try await request.connectSessionService.startLocationSession(context, kind: .charger, chargingLocationID: location.id)
        guard case .hosted(let key) = session.step else { throw EnodeProblem(CarportError.internalError()) }
        return try Response.json(.object([("linkState", .string(session.id.uuidString.lowercased())),
                                          ("linkUrl", .string(SessionPagesController.startURL(session, key: key, request)))]))
    }

    /// `DELETE /users/{userId}` (client token): the user, their connections and tokens are gone → 204.
    @Sendable func deleteUser(request: Request) async throws -> Response {
        let applicationID = try await EnodeCaller.client(request)
        let userID = request.parameters.get("userId") ?? ""
        let vehicleIDs = try await request.authorizationServer.userAccess(applicationID: applicationID, externalUserID: userID)?.vehicleIDs ?? []
        guard try await request.authorizationServer.deleteUser(applicationID: applicationID, externalUserID: userID) else {
            throw EnodeProblem.notFound("User does not exist", "Could not find user with ID \(userID)")
        }
        for id in vehicleIDs { await request.vehicleChanges.note(applicationID: applicationID, vehicleID: id) }
        return Response(status: .noContent)
    }

    /// `DELETE /users/{userId}/authorization` (client token): the user's tokens stop working; data stays → 204.
    @Sendable func deleteAuthorization(request: Request) async throws -> Response {
        let applicationID = try await EnodeCaller.client(request)
        let userID = request.parameters.get("userId") ?? ""
        guard try await request.authorizationServer.revokeAll(applicationID: applicationID, externalUserID: userID) else {
            throw EnodeProblem.notFound("User does not exist", "Could not find user with ID \(userID)")
        }
        return Response(status: .noContent)
    }

    /// `DELETE /me/vendors/{vendor}`: disconnects the user's vehicles of that vendor → 204.
    @Sendable func disconnectVendor(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request)
        let vendor = request.parameters.get("vendor") ?? ""
        let service = request.vehicleService
        var disconnected = 0
        for id in caller.grant.vehicleIDs where try await service.vehicle(id, grant: caller.grant).identity.make == vendor {
            try await service.disconnect(applicationID: caller.grant.applicationID, vehicleID: id, userID: caller.grant.userID)
            await request.vehicleChanges.note(applicationID: caller.grant.applicationID, vehicleID: id)
            disconnected += 1
        }
        guard disconnected > 0 else { throw EnodeProblem.notFound("Vendor not linked", "The user has no \(vendor) account linked.") }
        return Response(status: .noContent)
    }

    /// `GET /me`: the user and the vendors they linked.
    @Sendable func me(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request)
        let service = request.vehicleService
        var vendors: [String] = []
        for id in caller.grant.vehicleIDs {
            let make = try await service.vehicle(id, grant: caller.grant).identity.make
            if !vendors.contains(make) { vendors.append(make) }
        }
        let userID = try await request.authorizationServer.externalID(userID: caller.grant.userID) ?? ""
        return try Response.json(.object([
            ("id", .string(userID)),
            ("linkedVendors", .array(vendors.map { .object([("vendor", .string($0)), ("isValid", true)]) })),
        ]))
    }

    @Sendable func vehicles(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request, anyOf: EnodeVehicleBody.allScopes)
        let fields = try Self.fields(request, caller: caller)
        let service = request.vehicleService
        var bodies: [JSONValue] = []
        for id in caller.grant.vehicleIDs {
            let vehicle = try await caller.vehicle(id.uuidString, service: service)
            try service.spendBudget(on: vehicle, grant: caller.grant)
            bodies.append(try await EnodeVehicleBody(vehicle: vehicle, userID: caller.grant.userID, request: request).body(fields: fields))
        }
        return try Response.json(.array(bodies))
    }

    @Sendable func vehicleByID(request: Request) async throws -> Response {
        let caller = try await EnodeCaller.user(request, anyOf: EnodeVehicleBody.allScopes)
        let fields = try Self.fields(request, caller: caller)
        let service = request.vehicleService
        let vehicle = try await caller.vehicle(request.parameters.get("vehicleId"), service: service)
        try service.spendBudget(on: vehicle, grant: caller.grant)
        return try Response.json(try await EnodeVehicleBody(vehicle: vehicle, userID: caller.grant.userID, request: request).body(fields: fields))
    }

    func subObject(_ field: EnodeVehicleBody.Field) -> @Sendable (Request) async throws -> Response {
        { request in
            let (caller, vehicle) = try await EnodeCaller.vehicle(request, anyOf: [field.scope])
            try request.vehicleService.spendBudget(on: vehicle, grant: caller.grant)
            return try Response.json(try await EnodeVehicleBody(vehicle: vehicle, userID: caller.grant.userID, request: request).object(field).0)
        }
    }

    static let watchProperties = ["BATTERY_LEVEL", "RANGE", "IS_PLUGGED_IN", "IS_CHARGING", "IS_CHARGING_REASONS", "LOCATION"]

    /// `POST /vehicles/{id}/watch {"properties": [...]}`: webhook events for the vehicle are computed on every
    /// worker pass for the next five minutes; echoes the body.
    @Sendable func watch(request: Request) async throws -> Response {
        let (caller, vehicle) = try await EnodeCaller.vehicle(request, anyOf: ["vehicle:location", "vehicle:charge_state"])
        let value = try Self.jsonObject(request)["properties"]
        // The 1.3.10 document types `properties` as a string while its example is an array: take either.
        let properties = (value as? [Any])?.compactMap { $0 as? String } ?? (value as? String).map { [$0] } ?? []
        guard !properties.isEmpty, (value as? [Any])?.count ?? 1 == properties.count,
              properties.allSatisfy(Self.watchProperties.contains) else {
            throw EnodeProblem.validation("\"properties\" must be a non-empty array of \(Self.watchProperties.joined(separator: ", "))")
        }
        request.carport.watchList.watch(applicationID: caller.grant.applicationID, vehicleID: vehicle.id)
        return try Response.json(.object([("properties", .array(properties.map(JSONValue.string)))]))
    }

    // MARK: - Helpers

    /// `field[]` / `field` selection; each field needs its own scope.
    static func fields(_ request: Request, caller: EnodeCaller) throws -> [EnodeVehicleBody.Field] {
        let query = FormParameters(request.url.query)
        var fields: [EnodeVehicleBody.Field] = []
        for name in query.all("field[]") + query.all("field") {
            guard let field = EnodeVehicleBody.Field(rawValue: name) else {
                throw EnodeProblem.validation("\"field\" must be one of "
                    + EnodeVehicleBody.Field.allCases.map(\.rawValue).joined(separator: ", "))
            }
            try caller.require(anyOf: [field.scope])
            if !fields.contains(field) { fields.append(field) }
        }
        return fields
    }

    static func jsonObject(_ request: Request) throws -> [String: Any] {
        guard let object = request.jsonObjectBody else { throw EnodeProblem.validation("the body must be a JSON object") }
        return object
    }
}
