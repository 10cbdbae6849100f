import CarportCore
import Fluent
import Foundation
import SQLKit

/// Each vehicle's smart-charging policy as the application last set it, and the control loop's durable schedule of
/// it. A schedule row is claimed with a lease (`claimDue`, `FOR UPDATE SKIP LOCKED` on PostgreSQL) and saved and
/// released by its holder only, so one node at a time looks at a vehicle; a dead node's lease runs out.
struct FluentSmartChargingStore: LazyDatabaseStore {
    static let schema = "smart_charging_policies"
    static let schedules = "smart_charging_schedules"
    let resolveDatabase: @Sendable () -> any Database

    func policy(vehicleID: UUID) async throws -> SmartChargingPolicy {
        guard let row = try await sql.select()
            .columns("is_enabled", "deadline_minutes", "minimum_charge_level", "target_level", "departures", "time_zone")
            .from(Self.schema).where("vehicle_id", .equal, SQLBind(vehicleID)).first()
        else { return .unset }
        return SmartChargingPolicy(isEnabled: try row.decode(column: "is_enabled", as: Bool.self),
                                   deadlineMinutes: try row.decode(column: "deadline_minutes", as: Int?.self),
                                   minimumChargeLevel: try row.decode(column: "minimum_charge_level", as: Double?.self),
                                   targetLevel: try row.decode(column: "target_level", as: Double?.self),
                                   departures: Self.departures(try row.decode(column: "departures", as: String?.self)),
                                   timeZone: try row.decode(column: "time_zone", as: String?.self))
    }

    /// Saves the policy and asks the control loop to look at the vehicle now.
    func save(_ policy: SmartChargingPolicy, vehicleID: UUID, applicationID: UUID) async throws {
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            try await sql.delete(from: Self.schema).where("vehicle_id", .equal, SQLBind(vehicleID)).run()
            try await sql.insert(into: Self.schema)
                .columns("vehicle_id", "is_enabled", "deadline_minutes", "minimum_charge_level", "target_level", "departures", "time_zone")
                .values(SQLBind(vehicleID), SQLBind(policy.isEnabled), SQLBind(policy.deadlineMinutes), SQLBind(policy.minimumChargeLevel),
                        SQLBind(policy.targetLevel), SQLBind(Self.departuresText(policy.departures)), SQLBind(policy.timeZone)).run()
            try await Self.wake(vehicleID: vehicleID, applicationID: applicationID, on: sql)
        }
    }

    /// `1:420,2:450`: weekday and minutes.
    static func departuresText(_ departures: [Int: Int]) -> String? {
        departures.isEmpty ? nil : departures.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }

    static func departures(_ text: String?) -> [Int: Int] {
        var departures: [Int: Int] = [:]
        for pair in (text ?? "").split(separator: ",") {
            let parts = pair.split(separator: ":")
            if parts.count == 2, let day = Int(parts[0]), let minutes = Int(parts[1]) { departures[day] = minutes }
        }
        return departures
    }

    // MARK: - Schedules

    /// The vehicle's schedule, if the control loop has one, with the owner's override as last set.
    func schedule(vehicleID: UUID) async throws -> SmartChargingSchedule? {
        guard let row = try await sql.select().columns("body", "override_kind", "override_since").from(Self.schedules)
            .where("vehicle_id", .equal, SQLBind(vehicleID)).first()
        else { return nil }
        return try Self.schedule(row)
    }

    static func schedule(_ row: any SQLRow) throws -> SmartChargingSchedule {
        var schedule = try decode(try row.decode(column: "body", as: String.self))
        schedule.override = try row.decode(column: "override_kind", as: String?.self).flatMap(SmartChargingSchedule.Override.init(rawValue:))
        schedule.overrideSince = try row.decode(column: "override_since", as: Date?.self)
        return schedule
    }

    /// Makes the vehicle's schedule due now (creating it): after a policy edit, a plug-in, new prices, an override.
    func wake(vehicleID: UUID, applicationID: UUID, now: Date = Date()) async throws {
        try await Self.wake(vehicleID: vehicleID, applicationID: applicationID, now: now, on: sql)
    }

    /// A wake while a node holds the vehicle is kept in `woken`: its release makes the schedule due at once.
    static func wake(vehicleID: UUID, applicationID: UUID, now: Date = Date(), on sql: any SQLDatabase) async throws {
        let fresh = try encode(SmartChargingSchedule(vehicleID: vehicleID, now: now))
        try await sql.raw("""
            INSERT INTO \(ident: schedules) (vehicle_id, application_id, due_at, woken, state, body, updated_at)
            VALUES (\(bind: vehicleID), \(bind: applicationID), \(bind: now), \(bind: true), \(bind: "CONSIDERING"), \(bind: fresh), \(bind: now))
            ON CONFLICT (vehicle_id) DO UPDATE SET due_at = excluded.due_at, woken = excluded.woken
            """).run()
    }

    /// Makes an existing schedule due now (a car whose state changed at its brand); no schedule, nothing to do.
    func wakeIfScheduled(vehicleID: UUID, now: Date = Date()) async throws {
        try await wakeSchedules(where: "vehicle_id", is: vehicleID, now: now)
    }

    /// Every vehicle in one application's schedules: the ones new prices concern.
    func wakeAll(applicationID: UUID, now: Date = Date()) async throws {
        try await wakeSchedules(where: "application_id", is: applicationID, now: now)
    }

    private func wakeSchedules(where column: String, is id: UUID, now: Date) async throws {
        try await sql.update(Self.schedules).set("due_at", to: SQLBind(now)).set("woken", to: SQLBind(true))
            .where(SQLIdentifier(column), .equal, SQLBind(id)).run()
    }

    struct Claimed: Sendable {
        var applicationID: UUID
        var schedule: SmartChargingSchedule
    }

    /// Claims up to `limit` due schedules for `holder` until `leaseUntil`, with the owner's override as last set.
    func claimDue(holder: String, at time: Date, leaseUntil: Date, limit: Int) async throws -> [Claimed] {
        let sql = try sql
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw("""
            UPDATE \(ident: Self.schedules) SET lease_holder = \(bind: holder), lease_until = \(bind: leaseUntil), woken = \(bind: false)
            WHERE vehicle_id IN (
                SELECT vehicle_id FROM \(ident: Self.schedules)
                WHERE due_at <= \(bind: time) AND (lease_until IS NULL OR lease_until <= \(bind: time))
                ORDER BY due_at LIMIT \(literal: limit)\(unsafeRaw: lock))
            AND due_at <= \(bind: time) AND (lease_until IS NULL OR lease_until <= \(bind: time))
            RETURNING application_id, body, override_kind, override_since
            """).all()
        return try rows.map { row in
            Claimed(applicationID: try row.decode(column: "application_id", as: UUID.self), schedule: try Self.schedule(row))
        }
    }

    /// Saves the holder's schedule; `release` gives the lease back (due at once if woken meanwhile). An override the
    /// loop ended (full, unplugged) is cleared only if the owner did not set a new one meanwhile. False when the
    /// lease was lost (another node took the vehicle over): then nothing is written and nothing may be sent.
    @discardableResult
    func save(_ schedule: SmartChargingSchedule, claimed: SmartChargingSchedule, holder: String, release: Bool,
              now: Date = Date()) async throws -> Bool {
        let sql = try sql
        let body = try Self.encode(schedule)
        let rows: [any SQLRow]
        if release {
            rows = try await sql.raw("""
                UPDATE \(ident: Self.schedules) SET body = \(bind: body), state = \(bind: schedule.state.name), updated_at = \(bind: now),
                due_at = CASE WHEN woken THEN \(bind: now) ELSE \(bind: schedule.dueAt) END, lease_holder = NULL, lease_until = NULL
                WHERE vehicle_id = \(bind: schedule.vehicleID) AND lease_holder = \(bind: holder) RETURNING vehicle_id
                """).all()
        } else {
            rows = try await sql.raw("""
                UPDATE \(ident: Self.schedules) SET body = \(bind: body), state = \(bind: schedule.state.name), updated_at = \(bind: now)
                WHERE vehicle_id = \(bind: schedule.vehicleID) AND lease_holder = \(bind: holder) RETURNING vehicle_id
                """).all()
        }
        if !rows.isEmpty, schedule.override == nil, let since = claimed.overrideSince {
            try await sql.update(Self.schedules).set("override_kind", to: SQLLiteral.null).set("override_since", to: SQLLiteral.null)
                .where("vehicle_id", .equal, SQLBind(schedule.vehicleID)).where("override_since", .equal, SQLBind(since)).run()
        }
        return !rows.isEmpty
    }

    /// Sets (or ends) the owner's override and makes the schedule due now; the status as it now reads.
    func setOverride(_ override: SmartChargingSchedule.Override?, vehicleID: UUID, applicationID: UUID, now: Date = Date()) async throws {
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { throw StoreError.sqlRequired }
            try await Self.wake(vehicleID: vehicleID, applicationID: applicationID, now: now, on: sql)
            try await sql.update(Self.schedules).set("override_kind", to: SQLBind(override?.rawValue))
                .set("override_since", to: SQLBind(override == nil ? nil : now))
                .where("vehicle_id", .equal, SQLBind(vehicleID)).run()
        }
    }

    /// The owner's override as last set: what it is and since when.
    func override(vehicleID: UUID) async throws -> (SmartChargingSchedule.Override, Date)? {
        guard let row = try await sql.select().columns("override_kind", "override_since").from(Self.schedules)
            .where("vehicle_id", .equal, SQLBind(vehicleID)).first(),
            let kind = try row.decode(column: "override_kind", as: String?.self).flatMap(SmartChargingSchedule.Override.init(rawValue:)),
            let since = try row.decode(column: "override_since", as: Date?.self)
        else { return nil }
        return (kind, since)
    }

    func deleteSchedule(vehicleID: UUID) async throws {
        try await sql.delete(from: Self.schedules).where("vehicle_id", .equal, SQLBind(vehicleID)).run()
    }

    static func encode(_ schedule: SmartChargingSchedule) throws -> String {
        String(decoding: try JSONEncoder().encode(schedule), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> SmartChargingSchedule {
        try JSONDecoder().decode(SmartChargingSchedule.self, from: Data(text.utf8))
    }
}
