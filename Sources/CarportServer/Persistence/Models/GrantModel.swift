import CarportCore
import Fluent
import Foundation

/// An owner's authorization of an application (see `Grant`).
final class GrantModel: Model, @unchecked Sendable {
    static let schema = "grants"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: ApplicationModel
    @Parent(key: "user_id") var user: ApplicationUserModel
    @Field(key: "permissions") var permissions: [String]
    @Enum(key: "mode") var mode: ApplicationMode
    @Field(key: "scope") var scope: String
    @Field(key: "issues_refresh_tokens") var issuesRefreshTokens: Bool
    @Field(key: "created_at") var createdAt: Date
    @Siblings(through: GrantVehicleModel.self, from: \.$grant, to: \.$vehicle) var vehicles: [VehicleModel]

    init() {}

    init(_ grant: Grant) {
        id = grant.id
        $application.id = grant.applicationID
        $user.id = grant.userID
        permissions = grant.permissions.map(\.rawValue)
        mode = grant.mode
        scope = grant.scope
        issuesRefreshTokens = grant.issuesRefreshTokens
        createdAt = grant.createdAt
    }

    func domain(vehicleIDs: [UUID]) throws -> Grant {
        Grant(
            id: try requireID(), applicationID: $application.id, userID: $user.id, vehicleIDs: vehicleIDs,
            permissions: permissions.compactMap(Permission.init(rawValue:)), mode: mode, scope: scope,
            issuesRefreshTokens: issuesRefreshTokens, createdAt: createdAt)
    }
}

/// Which vehicles a grant covers.
final class GrantVehicleModel: Model, @unchecked Sendable {
    static let schema = "grant_vehicles"

    @ID(key: .id) var id: UUID?
    @Parent(key: "grant_id") var grant: GrantModel
    @Parent(key: "vehicle_id") var vehicle: VehicleModel

    init() {}
}
