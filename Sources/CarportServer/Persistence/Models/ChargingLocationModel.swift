import CarportCore
import Fluent
import Foundation

/// A user's charging location.
final class ChargingLocationModel: Model, @unchecked Sendable {
    static let schema = "charging_locations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: ApplicationUserModel
    @Field(key: "name") var name: String
    @Field(key: "latitude") var latitude: Double
    @Field(key: "longitude") var longitude: Double

    init() {}

    var domain: ChargingLocation {
        get throws {
            ChargingLocation(id: try requireID(), userID: $user.id, name: name, latitude: latitude, longitude: longitude)
        }
    }
}
