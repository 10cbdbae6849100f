import CarportCore
import Fluent
import Foundation
import SQLKit

/// Each application's published prices, application-wide or for one charging location, kept as the CSV it was
/// set with; the revision counts the changes and names when the last was made (the control loop plans again
/// when it moves).
struct FluentTariffStore: LazyDatabaseStore {
    static let schema = "tariffs"
    let resolveDatabase: @Sendable () -> any Database

    /// The prices in force: the location's, else the application's, else only the daily tariff; and their revision.
    func prices(applicationID: UUID, locationID: UUID?, daily: Tariff) async throws -> (prices: PriceSeries, revision: String) {
        let keys = [locationID.map { $0.uuidString.lowercased() }, ""].compactMap { $0 }
        let rows = try await sql.select().columns("location_key", "currency", "prices_csv", "revision", "updated_at").from(Self.schema)
            .where("application_id", .equal, SQLBind(applicationID)).where("location_key", .in, SQLBind.group(keys)).all()
        let row = try rows.first { try $0.decode(column: "location_key", as: String.self) != "" } ?? rows.first
        guard let row else { return (PriceSeries(daily: daily), "daily") }
        let text = try row.decode(column: "prices_csv", as: String.self)
        let prices = try PriceSeries.parseCSV(text, currency: try row.decode(column: "currency", as: String.self), daily: daily)
        let changed = Int(try row.decode(column: "updated_at", as: Date.self).timeIntervalSince1970 * 1000)
        return (prices, "\(try row.decode(column: "location_key", as: String.self))#\(try row.decode(column: "revision", as: Int.self))@\(changed)")
    }

    /// Replaces the prices of the application (or of one of its locations).
    func set(_ prices: PriceSeries, applicationID: UUID, locationID: UUID?, now: Date = Date()) async throws {
        let key = locationID?.uuidString.lowercased() ?? ""
        try await sql.raw("""
            INSERT INTO \(ident: Self.schema) (application_id, location_key, currency, prices_csv, revision, updated_at)
            VALUES (\(bind: applicationID), \(bind: key), \(bind: prices.currency), \(bind: prices.csv), 1, \(bind: now))
            ON CONFLICT (application_id, location_key) DO UPDATE SET currency = excluded.currency,
            prices_csv = excluded.prices_csv, revision = \(ident: Self.schema).revision + 1, updated_at = excluded.updated_at
            """).run()
    }

    func clear(applicationID: UUID, locationID: UUID?) async throws {
        try await sql.delete(from: Self.schema).where("application_id", .equal, SQLBind(applicationID))
            .where("location_key", .equal, SQLBind(locationID?.uuidString.lowercased() ?? "")).run()
    }
}
