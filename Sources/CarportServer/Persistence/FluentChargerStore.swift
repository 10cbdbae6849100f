import CarportCore
import Fluent
import Foundation

/// `ChargerStore` backed by Fluent.
struct FluentChargerStore: ChargerStore {
    let database: any Database

    func chargers(userID: UUID) async throws -> [Charger] {
        try await ChargerModel.query(on: database).filter(\.$user.$id == userID).sort(\.$createdAt).all().map { try $0.domain }
    }

    /// Every charger of the application's users.
    func chargers(applicationID: UUID) async throws -> [Charger] {
        try await ChargerModel.query(on: database).join(ApplicationUserModel.self, on: \ChargerModel.$user.$id == \ApplicationUserModel.$id)
            .filter(ApplicationUserModel.self, \.$application.$id == applicationID).sort(\.$createdAt).all().map { try $0.domain }
    }

    func charger(id: UUID, userID: UUID) async throws -> Charger? {
        try await ChargerModel.query(on: database).filter(\.$id == id).filter(\.$user.$id == userID).first()?.domain
    }

    func save(_ charger: Charger) async throws -> Charger {
        let model = try await ChargerModel.query(on: database).filter(\.$user.$id == charger.userID)
            .filter(\.$brand == charger.brand).filter(\.$serial == charger.serial).first() ?? ChargerModel()
        if model.id == nil {
            model.id = charger.id
            model.$user.id = charger.userID
            model.brand = charger.brand
            model.serial = charger.serial
            model.createdAt = charger.createdAt
        }
        model.$chargingLocation.id = charger.chargingLocationID
        model.model = charger.model
        try await model.save(on: database)
        return try model.domain
    }

    func setCommandedCharging(_ charging: Bool?, id: UUID, userID: UUID) async throws {
        try await ChargerModel.query(on: database).filter(\.$id == id).filter(\.$user.$id == userID)
            .set(\.$commandedCharging, to: charging).update()
    }

    func delete(id: UUID, userID: UUID) async throws -> Bool {
        guard let model = try await ChargerModel.query(on: database).filter(\.$id == id).filter(\.$user.$id == userID).first()
        else { return false }
        try await model.delete(on: database)
        return true
    }
}
