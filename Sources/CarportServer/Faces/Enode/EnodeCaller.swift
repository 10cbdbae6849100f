import CarportCore
import Foundation
import Vapor

/// Who calls the Enode face: a user token (its grant and Enode scopes), or the client token acting for the user
/// named by `Enode-User-Id` (full access to that user's vehicles) — enode.md §2.1–2.3.
struct EnodeCaller {
    let grant: Grant
    /// Enode scopes of a user token; nil for the client token (full access).
    let scopes: Set<String>?

    /// The caller of a user-scoped endpoint.
    static func user(_ request: Request) async throws -> EnodeCaller {
        guard let token = request.headers.bearerAuthorization?.token else { throw EnodeProblem.unauthorized() }
        let server = request.authorizationServer
        if let grant = try await server.grant(forAccessToken: token) {
            return EnodeCaller(grant: grant, scopes: Set(grant.scope.split(separator: " ").map(String.init)))
        }
        guard let applicationID = try await server.application(forApplicationToken: token) else {
            throw EnodeProblem.unauthorized()
        }
        guard let userID = request.headers.first(name: "Enode-User-Id"), !userID.isEmpty else {
            throw EnodeProblem.validation("\"Enode-User-Id\": the header is required with a client access token")
        }
        guard let grant = try await server.userAccess(applicationID: applicationID, externalUserID: userID) else {
            throw EnodeProblem.notFound("User does not exist", "Could not find user with ID \(userID)")
        }
        return EnodeCaller(grant: grant, scopes: nil)
    }

    /// The caller of an endpoint whose security is `all` or any one of `scopes`.
    static func user(_ request: Request, anyOf scopes: [String]) async throws -> EnodeCaller {
        let caller = try await user(request)
        try caller.require(anyOf: scopes)
        return caller
    }

    /// The caller (holding one of `scopes`) and their vehicle that `{vehicleId}` names.
    static func vehicle(_ request: Request, anyOf scopes: [String]) async throws -> (EnodeCaller, ConnectedVehicle) {
        let caller = try await user(request, anyOf: scopes)
        return (caller, try await caller.vehicle(request.parameters.get("vehicleId"), service: request.vehicleService))
    }

    /// The application behind a client token (admin endpoints).
    static func client(_ request: Request) async throws -> UUID {
        guard let token = request.headers.bearerAuthorization?.token,
              let applicationID = try await request.authorizationServer.application(forApplicationToken: token)
        else { throw EnodeProblem.unauthorized("A client access token is required.") }
        return applicationID
    }

    /// An endpoint's security: `all` or any one of its scopes (client tokens pass).
    func require(anyOf allowed: [String]) throws {
        guard let scopes else { return }
        guard scopes.contains("all") || !scopes.isDisjoint(with: allowed) else {
            throw EnodeProblem.forbidden("The access token lacks one of the scopes: all, \(allowed.joined(separator: ", ")).")
        }
    }

    /// The user's vehicle with this id, or 404.
    func vehicle(_ id: String?, service: VehicleService) async throws -> ConnectedVehicle {
        do {
            return try await service.vehicle(id.flatMap(UUID.init(uuidString:)), grant: grant)
        } catch is CarportError {
            throw EnodeProblem.notFound("Vehicle not found", "Could not find vehicle with ID \(id ?? "")")
        }
    }
}
