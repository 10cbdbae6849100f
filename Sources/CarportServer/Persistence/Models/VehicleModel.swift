import CarportCore
import Fluent
import Foundation

/// A vehicle connected to one application; the same car connected to two applications has two ids.
final class VehicleModel: Model, @unchecked Sendable {
    static let schema = "vehicles"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: ApplicationModel
    @Enum(key: "mode") var mode: ApplicationMode
    @Field(key: "account_key") var accountKey: String
    @Field(key: "vin") var vin: String
    @Field(key: "make") var make: String
    @Field(key: "model") var model: String
    @Field(key: "year") var year: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(applicationID: UUID, mode: ApplicationMode, accountKey: String, identity: VehicleIdentity) {
        $application.id = applicationID
        self.mode = mode
        self.accountKey = accountKey
        vin = identity.vin
        make = identity.make
        model = identity.model
        year = identity.year
    }

    var domain: ConnectedVehicle {
        get throws {
            ConnectedVehicle(
                id: try requireID(), applicationID: $application.id, mode: mode, accountKey: accountKey,
                identity: VehicleIdentity(vin: vin, make: make, model: model, year: year))
        }
    }
}
