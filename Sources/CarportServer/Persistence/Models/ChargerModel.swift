import CarportCore
import Fluent
import Foundation

/// A charger connected at one of a user's charging locations.
final class ChargerModel: Model, @unchecked Sendable {
    static let schema = "chargers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: ApplicationUserModel
    @Parent(key: "charging_location_id") var chargingLocation: ChargingLocationModel
    @Field(key: "brand") var brand: String
    @Field(key: "model") var model: String
    @Field(key: "serial") var serial: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "commanded_charging") var commandedCharging: Bool?

    init() {}

    var domain: Charger {
        get throws {
            Charger(id: try requireID(), userID: $user.id, chargingLocationID: $chargingLocation.id, brand: brand,
                    model: model, serial: serial, createdAt: createdAt, commandedCharging: commandedCharging)
        }
    }
}
