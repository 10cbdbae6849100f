import CarportCore
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
    static let hoursTable = "ocpp_energy_hours"
    let resolveDatabase: @Sendable () -> any Database
    /// The process's group commit of state saves (the chargers' sessions); without it each save is its own statement.
    var stateWrites: OCPPStateWrites? = nil

    func insert(_ charger: OCPPCharger) async throws {
        try await sql.insert(into: Self.table)
            .columns("id", "application_id", "user_id", "charge_point_id", "password_digest", "location_id", "version", "state",
                     "connected_at", "created_at")
            .values(SQLBind(charger.id), SQLBind(charger.applicationID), SQLBind(charger.userID), SQLBind(charger.chargePointID),
                    SQLBind(charger.passwordDigest), SQLBind(charger.locationID), SQLBind(charger.version?.rawValue),
                    SQLBind(charger.state.storedText), SQLBind(charger.connectedAt), SQLBind(charger.createdAt))
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

    /// What the charger's messages reported, and the version it speaks; its closed hours move to their table, in
    /// the same transaction (written again after a crash, they replace themselves).
    func save(_ state: OCPPChargerState, version: OCPPVersion, id: UUID) async throws {
        var kept = state
        kept.closedHours = []
        let text = kept.storedText
        guard !state.closedHours.isEmpty else {
            if let stateWrites { return try await stateWrites.batches.submit(.init(id: id, state: text, version: version.rawValue)) }
            return try await sql.update(Self.table).where("id", .equal, SQLBind(id))
                .set("state", to: SQLBind(text)).set("version", to: SQLBind(version.rawValue)).run()
        }
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            for hour in state.closedHours {
                try await sql.raw("""
                    INSERT INTO \(ident: Self.hoursTable) (charger_id, hour_start, energy_kwh, min_kw, max_kw, seconds, kilowatt_seconds)
                    VALUES (\(bind: id), \(bind: hour.hourStart), \(bind: hour.energyKWh), \(bind: hour.minKW.isFinite ? hour.minKW : 0),
                    \(bind: hour.maxKW), \(bind: hour.seconds), \(bind: hour.kilowattSeconds))
                    ON CONFLICT (charger_id, hour_start) DO UPDATE SET energy_kwh = excluded.energy_kwh, min_kw = excluded.min_kw,
                    max_kw = excluded.max_kw, seconds = excluded.seconds, kilowatt_seconds = excluded.kilowatt_seconds
                    """).run()
            }
            try await sql.update(Self.table).where("id", .equal, SQLBind(id))
                .set("state", to: SQLBind(text)).set("version", to: SQLBind(version.rawValue)).run()
        }
    }

    /// Every hour the charger metered: the closed ones from their table, then the current one.
    func hours(of charger: OCPPCharger) async throws -> [ChargingHour] {
        let rows = try await sql.select().column("*").from(Self.hoursTable).where("charger_id", .equal, SQLBind(charger.id))
            .orderBy("hour_start").all()
        var hours = try rows.map { row in
            var hour = ChargingHour(hourStart: try row.decode(column: "hour_start", as: Date.self))
            hour.energyKWh = try row.decode(column: "energy_kwh", as: Double.self)
            hour.minKW = try row.decode(column: "min_kw", as: Double.self)
            hour.maxKW = try row.decode(column: "max_kw", as: Double.self)
            hour.seconds = try row.decode(column: "seconds", as: Double.self)
            hour.kilowattSeconds = try row.decode(column: "kilowatt_seconds", as: Double.self)
            return hour
        }
        hours += charger.state.closedHours
        if let current = charger.state.hour, current.energyKWh > 0 || current.seconds > 0 { hours.append(current) }
        return hours
    }

    func setConnected(_ time: Date?, id: UUID) async throws {
        try await sql.update(Self.table).where("id", .equal, SQLBind(id)).set("connected_at", to: SQLBind(time)).run()
    }

    /// A state as `storedText` wrote it.
    static func state(from text: String) throws -> OCPPChargerState {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(OCPPChargerState.self, from: Data(text.utf8))
    }

    private static func charger(_ row: any SQLRow) throws -> OCPPCharger {
        OCPPCharger(
            id: try row.decode(column: "id", as: UUID.self), applicationID: try row.decode(column: "application_id", as: UUID.self),
            userID: try row.decode(column: "user_id", as: String.self),
            chargePointID: try row.decode(column: "charge_point_id", as: String.self),
            passwordDigest: try row.decode(column: "password_digest", as: String?.self),
            locationID: try row.decode(column: "location_id", as: UUID?.self),
            version: try row.decode(column: "version", as: String?.self).flatMap(OCPPVersion.init(rawValue:)),
            state: try state(from: try row.decode(column: "state", as: String.self)),
            connectedAt: try row.decode(column: "connected_at", as: Date?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }
}

/// The chargers' state saves, group-committed per process: the saves that arrive while a batch is written go
/// together as one UPDATE (so one commit), each answered once it is committed — 2,000 chargers metering every second
/// share their statements instead of queueing for one each.
final class OCPPStateWrites: Sendable {
    struct Write: Sendable {
        let id: UUID
        let state: String
        let version: String
    }

    let batches: GroupCommit<Write, Void>

    init(resolveDatabase: @escaping @Sendable () -> any Database) {
        batches = GroupCommit(maxBatch: 256) { writes in
            guard let sql = resolveDatabase() as? any SQLDatabase else { throw StoreError.sqlRequired }
            var latest: [UUID: Write] = [:]
            for write in writes { latest[write.id] = write }  // a charger's last save in the batch wins
            let rows = Array(latest.values)
            let states = rows.map { row -> SQLQueryString in "WHEN \(bind: row.id) THEN \(bind: row.state)" }
            let versions = rows.map { row -> SQLQueryString in "WHEN \(bind: row.id) THEN \(bind: row.version)" }
            try await sql.raw("""
                UPDATE \(ident: FluentOCPPChargerStore.table)
                SET state = CASE id \(states.joined(separator: " ")) END, version = CASE id \(versions.joined(separator: " ")) END
                WHERE id IN (\(binds: rows.map(\.id)))
                """).run()
            return writes.map { _ in () }
        }
    }
}
