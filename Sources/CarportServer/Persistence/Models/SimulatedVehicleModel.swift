import CarportConnectors
import Fluent
import Foundation

/// A simulated vehicle of one application; its state is kept as JSON.
final class SimulatedVehicleModel: Model, @unchecked Sendable {
    static let schema = "simulated_vehicles"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: ApplicationModel
    @Field(key: "vin") var vin: String
    @Field(key: "owner_email") var ownerEmail: String
    @Field(key: "password_digest") var passwordDigest: String
    @Field(key: "state") var state: String
    @Field(key: "revision") var revision: Int

    init() {}

    init(_ record: SimulatedVehicleRecord) throws {
        $application.id = record.applicationID
        vin = record.car.vin
        ownerEmail = record.ownerEmail
        passwordDigest = record.passwordDigest
        state = try Self.encode(record.car)
        revision = record.revision
    }

    static func encode(_ car: SimulatedCar) throws -> String {
        String(decoding: try JSONEncoder().encode(car), as: UTF8.self)
    }

    var domain: SimulatedVehicleRecord {
        get throws {
            SimulatedVehicleRecord(applicationID: $application.id, ownerEmail: ownerEmail, passwordDigest: passwordDigest,
                                   car: try JSONDecoder().decode(SimulatedCar.self, from: Data(state.utf8)), revision: revision)
        }
    }
}
