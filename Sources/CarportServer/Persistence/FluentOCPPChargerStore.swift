import Fluent
import Foundation
import SQLKit

/// An OCPP charger as registered, with what its messages reported.
struct OCPPCharger: Sendable, Equatable {
    var id: UUID
    var applicationID: UUID
    /// The application's own id of the owner (as in the Enode face).
    var userID: String
    var chargePointID: String
    /// Nil for a charger registered explicitly without a password (security profile 0).
    var passwordDigest: String?
    var locationID: UUID?
    var version: OCPPVersion?
    var state: OCPPChargerState
    /// While its socket is open.
    var connectedAt: Date?
    var createdAt: Date
}

struct FluentOCPPChargerStore: LazyDatabaseStore {
    static let table = "ocpp_chargers"
    let resolveDatabase: @Sendable () -> any Database

    func insert(_ charger: OCPPCharger) async throws {
        try await sql.insert(into: Self.table)
            .columns("id", "application_id", "user_id", "charge_point_id", "password_digest", "location_id", "version", "state",
                     "connected_at", "created_at")
            .values(SQLBind(charger.id), SQLBind(charger.applicationID), SQLBind(charger.userID), SQLBind(charger.chargePointID),
                    SQLBind(charger.passwordDigest), SQLBind(charger.locationID), SQLBind(charger.version?.rawValue),
                    SQLBind(try Self.text(charger.state)), SQLBind(charger.connectedAt), SQLBind(charger.createdAt))
            .run()
    }

    func charger(chargePointID: String) async throws -> OCPPCharger? {
        try await sql.select().column("*").from(Self.table).where("charge_point_id", .equal, SQLBind(chargePointID)).first().map(Self.charger)
    }

    func chargers(applicationID: UUID) async throws -> [OCPPCharger] {
        try await sql.select().column("*").from(Self.table).where("application_id", .equal, SQLBind(applicationID))
            .orderBy("created_at").all().map(Self.charger)
    }

    func delete(id: UUID) async throws {
        try await sql.delete(from: Self.table).where("id", .equal, SQLBind(id)).run()
    }

    func setPasswordDigest(_ digest: String, id: UUID) async throws {
        try await sql.update(Self.table).where("id", .equal, SQLBind(id)).set("password_digest", to: SQLBind(digest)).run()
    }

    /// What the charger's messages reported, and the version it speaks.
    func save(_ state: OCPPChargerState, version: OCPPVersion, id: UUID) async throws {
        try await sql.update(Self.table).where("id", .equal, SQLBind(id))
            .set("state", to: SQLBind(try Self.text(state))).set("version", to: SQLBind(version.rawValue)).run()
    }

    func setConnected(_ time: Date?, id: UUID) async throws {
        try await sql.update(Self.table).where("id", .equal, SQLBind(id)).set("connected_at", to: SQLBind(time)).run()
    }

    private static func text(_ state: OCPPChargerState) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(state), as: UTF8.self)
    }

    private static func charger(_ row: any SQLRow) throws -> OCPPCharger {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return OCPPCharger(
            id: try row.decode(column: "id", as: UUID.self), applicationID: try row.decode(column: "application_id", as: UUID.self),
            userID: try row.decode(column: "user_id", as: String.self),
            chargePointID: try row.decode(column: "charge_point_id", as: String.self),
            passwordDigest: try row.decode(column: "password_digest", as: String?.self),
            locationID: try row.decode(column: "location_id", as: UUID?.self),
            version: try row.decode(column: "version", as: String?.self).flatMap(OCPPVersion.init(rawValue:)),
            state: try decoder.decode(OCPPChargerState.self, from: Data(try row.decode(column: "state", as: String.self).utf8)),
            connectedAt: try row.decode(column: "connected_at", as: Date?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }
}
