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
    /// JSON of `PostalAddress`.
    @OptionalField(key: "address") var address: String?
    /// JSON of `EnergyContract`.
    @OptionalField(key: "energy_contract") var energyContract: String?
    @OptionalField(key: "created_at") var createdAt: Date?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    init() {}

    var domain: ChargingLocation {
        get throws {
            let created = createdAt ?? Date(timeIntervalSince1970: 0)
            return ChargingLocation(
                id: try requireID(), userID: $user.id, name: name, latitude: latitude, longitude: longitude,
                address: try address.map { try JSONDecoder().decode(PostalAddress.self, from: Data($0.utf8)) },
                energyContract: try energyContract.map { try JSONDecoder().decode(EnergyContract.self, from: Data($0.utf8)) },
                createdAt: created, updatedAt: updatedAt ?? created)
        }
    }

    func apply(_ location: ChargingLocation) throws {
        id = location.id
        $user.id = location.userID
        name = location.name
        latitude = location.latitude
        longitude = location.longitude
        address = try location.address.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        energyContract = try location.energyContract.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        createdAt = location.createdAt
        updatedAt = location.updatedAt
    }
}
