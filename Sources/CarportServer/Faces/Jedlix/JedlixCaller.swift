import CarportCore
import Foundation
import Vapor

/// Who calls the Jedlix face (jedlix.md §1): the application named by the `ApiKey` header, and the user of the
/// path's `{userId}`, proven by a user JWT (HS256 with the application's registered key, `jedlix_user_id` claim).
struct JedlixCaller {
    static let userClaim = "jedlix_user_id"

    let application: RegisteredApplication
    /// Everything the user connected, as one grant (its `userID` is Carport's id of the user).
    let grant: Grant
    let externalUserID: String

    var context: ConnectSessionService.Context {
        .init(applicationID: application.id, applicationName: application.name, mode: application.mode,
              userID: grant.userID, externalUserID: externalUserID)
    }

    /// The application behind the `ApiKey` header.
    static func application(_ request: Request) async throws -> RegisteredApplication {
        guard let key = request.headers.first(name: "ApiKey"), !key.isEmpty else {
            throw JedlixProblem.unauthorized("The ApiKey header is required.")
        }
        guard let application = try await request.applicationRegistry.authenticate(apiKey: key) else {
            throw JedlixProblem.unauthorized("The API key is not valid.")
        }
        return application
    }

    /// The caller of a user-scoped endpoint: the token must be valid for the application and name the path's user.
    static func user(_ request: Request) async throws -> JedlixCaller {
        let application = try await application(request)
        guard let token = request.headers.bearerAuthorization?.token else {
            throw JedlixProblem.unauthorized("A user access token is required (Authorization: Bearer).")
        }
        guard let key = try await request.applicationRegistry.userTokenKey(applicationID: application.id) else {
            throw JedlixProblem.unauthorized("The application has no user-token key registered (carport apps user-token-key).")
        }
        let tokenUser: String
        do {
            tokenUser = try UserTokenVerifier.verify(token, key: key, userClaim: userClaim)
        } catch {
            throw JedlixProblem.unauthorized(error.description)
        }
        let pathUser = request.parameters.get("userId") ?? ""
        guard tokenUser == pathUser else {
            throw JedlixProblem.forbidden("The access token belongs to another user.")
        }
        guard let grant = try await request.authorizationServer.userAccess(applicationID: application.id, externalUserID: pathUser)
        else { throw JedlixProblem.notFound("User not found", "There is no user with id \(pathUser).") }
        return JedlixCaller(application: application, grant: grant, externalUserID: pathUser)
    }

    /// The user's vehicle with this id, or 404.
    func vehicle(_ id: String?, service: VehicleService) async throws -> ConnectedVehicle {
        do {
            return try await service.vehicle(id.flatMap(UUID.init(uuidString:)), grant: grant)
        } catch is CarportError {
            throw JedlixProblem.notFound("Vehicle not found", "The user has no vehicle with id \(id ?? "").")
        }
    }

    func chargingLocation(_ id: String?, request: Request) async throws -> ChargingLocation {
        do {
            return try await request.chargingLocationService
                .get(id.flatMap(UUID.init(uuidString:)), userID: grant.userID)
        } catch is CarportError {
            throw JedlixProblem.notFound("Charging location not found", "The user has no charging location with id \(id ?? "").")
        }
    }
}

extension Request {
    /// The request's JSON object body; an empty body counts as `{}` (the SDKs send `{}` on create and DELETE).
    func jedlixBody() throws -> [String: Any] {
        guard let object = jsonObjectBody else { throw JedlixProblem.badRequest("The body must be a JSON object.") }
        return object
    }
}
