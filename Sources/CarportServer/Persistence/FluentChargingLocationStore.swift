import CarportCore
import Fluent
import Foundation

/// `ChargingLocationStore` backed by Fluent.
struct FluentChargingLocationStore: ChargingLocationStore {
    let database: any Database

    func locations(userID: UUID) async throws -> [ChargingLocation] {
        try await ChargingLocationModel.query(on: database).filter(\.$user.$id == userID).sort(\.$name).all().map { try $0.domain }
    }

    func location(id: UUID, userID: UUID) async throws -> ChargingLocation? {
        try await model(id: id, userID: userID)?.domain
    }

    func save(_ location: ChargingLocation) async throws {
        let model = try await model(id: location.id, userID: location.userID) ?? ChargingLocationModel()
        try model.apply(location)
        try await model.save(on: database)
    }

    func delete(id: UUID, userID: UUID) async throws -> Bool {
        guard let model = try await model(id: id, userID: userID) else { return false }
        try await model.delete(on: database)
        return true
    }

    private func model(id: UUID, userID: UUID) async throws -> ChargingLocationModel? {
        try await ChargingLocationModel.query(on: database).filter(\.$id == id).filter(\.$user.$id == userID).first()
    }
}
