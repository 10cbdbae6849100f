import CarportCore
import Foundation
import Vapor

/// Management API (smartcar.md §4.5): list and delete connections with `Basic base64("default:" + AMT)`.
struct SmartcarManagement {
    @Sendable func list(request: Request) async throws -> Response {
        let application = try await Self.authenticate(request)
        let (vehicleID, userID) = try filters(request)
        let limit = try request.query[String.self, at: "limit"].map { text in
            guard let value = Int(text), (1...100).contains(value) else {
                throw CarportError.validation("limit must be 1-100.", field: "limit")
            }
            return value
        } ?? 10
        let start = try request.query[String.self, at: "cursor"].map { cursor in
            guard let value = Int(cursor), value >= 0 else { throw CarportError.validation("cursor is invalid.", field: "cursor") }
            return value
        } ?? 0
        let all = try await request.vehicleService.connections(applicationID: application.id, vehicleID: vehicleID, userID: userID)
        // Never `start + limit` before knowing it stays inside the list: a cursor may be as large as Int.max.
        let page = start < all.count ? Array(all[start..<(start + min(limit, all.count - start))]) : []
        let next: JSONValue = start < all.count && all.count - start > limit ? .string(String(start + limit)) : .null
        return try SmartcarResponse.json(.object([
            ("connections", .array(page.map { connection in
                .object([("vehicleId", .string(connection.vehicleID.uuidString.lowercased())),
                         ("userId", .string(connection.userID.uuidString.lowercased())),
                         ("connectedAt", .string(SmartcarTime.format(connection.connectedAt)))])
            })),
            ("paging", .object([("cursor", next)])),
        ]))
    }

    @Sendable func delete(request: Request) async throws -> Response {
        let application = try await Self.authenticate(request)
        let (vehicleID, userID) = try filters(request)
        guard vehicleID != nil || userID != nil else {
            throw CarportError.validation("vehicle_id or user_id is required.", field: "vehicle_id")
        }
        let removed = try await request.vehicleService.disconnect(applicationID: application.id, vehicleID: vehicleID, userID: userID)
        return try SmartcarResponse.json(.object([("connections", .array(removed.map { connection in
            .object([("vehicleId", .string(connection.vehicleID.uuidString.lowercased())),
                     ("userId", .string(connection.userID.uuidString.lowercased()))])
        }))]))
    }

    /// The application whose management token the request carries as `Basic base64("default:" + AMT)`.
    static func authenticate(_ request: Request) async throws -> RegisteredApplication {
        let basic = try request.smartcarBasicCredentials()
        guard basic.username == "default",
              let application = try await request.applicationRegistry.authenticate(managementToken: basic.password)
        else { throw CarportError.authentication }
        return application
    }

    private func filters(_ request: Request) throws -> (UUID?, UUID?) {
        func id(_ name: String) throws -> UUID? {
            guard let text = request.query[String.self, at: name] else { return nil }
            guard let id = UUID(uuidString: text) else { throw CarportError.validation("\(name) is not a valid id.", field: name) }
            return id
        }
        return (try id("vehicle_id"), try id("user_id"))
    }
}
