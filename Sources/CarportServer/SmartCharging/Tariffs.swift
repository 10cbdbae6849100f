import CarportCore
import Fluent
import Foundation
import Vapor

/// What an application publishes as its prices, as `carport tariffs` and `/tariffs` show it.
public struct TariffView: Content, Sendable {
    public var locationId: String?
    public var currency: String
    public var slots: Int
    /// The first published slot's start and the last one's end, ISO 8601 (nil: only the daily tariff).
    public var from: String?
    public var until: String?
    public var revision: String
}

/// Setting an application's prices (application-wide or for one of its users' charging locations): the file is
/// checked in full, stored, and every vehicle the application smart-charges is planned again.
struct Tariffs {
    let request: Request

    enum Failure: Error, CustomStringConvertible {
        case invalid(String)
        var description: String { switch self { case .invalid(let reason): reason } }
    }

    func set(csv: String, currency: String?, location: String?, applicationID: UUID) async throws -> TariffView {
        let locationID = try await self.location(location, applicationID: applicationID)
        let prices: PriceSeries
        do {
            prices = try PriceSeries.parseCSV(csv, currency: currency, daily: request.carport.configuration.tariff)
        } catch {
            throw Failure.invalid("the prices file: \(error.description)")
        }
        try await request.tariffStore.set(prices, applicationID: applicationID, locationID: locationID)
        try await request.smartChargingStore.wakeAll(applicationID: applicationID)
        return try await view(locationID: locationID, applicationID: applicationID)
    }

    /// Goes back to the daily tariff (for a location: to the application's prices).
    func clear(location: String?, applicationID: UUID) async throws -> TariffView {
        let locationID = try await self.location(location, applicationID: applicationID)
        try await request.tariffStore.clear(applicationID: applicationID, locationID: locationID)
        try await request.smartChargingStore.wakeAll(applicationID: applicationID)
        return try await view(locationID: locationID, applicationID: applicationID)
    }

    func show(location: String?, applicationID: UUID) async throws -> TariffView {
        try await view(locationID: try await self.location(location, applicationID: applicationID), applicationID: applicationID)
    }

    private func view(locationID: UUID?, applicationID: UUID) async throws -> TariffView {
        let (prices, revision) = try await request.tariffStore.prices(applicationID: applicationID, locationID: locationID,
                                                                      daily: request.carport.configuration.tariff)
        return TariffView(locationId: locationID?.uuidString.lowercased(), currency: prices.currency, slots: prices.slots.count,
                          from: prices.slots.first.map { UTCTimestamp.iso8601($0.start, milliseconds: false) },
                          until: prices.publishedUntil.map { UTCTimestamp.iso8601($0, milliseconds: false) }, revision: revision)
    }

    /// A charging location of one of the application's users (another application's is unknown).
    private func location(_ text: String?, applicationID: UUID) async throws -> UUID? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else { throw Failure.invalid("the location must be a charging location id, not \(text)") }
        let count = try await ChargingLocationModel.query(on: request.db).filter(\.$id == id)
            .join(parent: \.$user).filter(ApplicationUserModel.self, \.$application.$id == applicationID).count()
        guard count > 0 else { throw Failure.invalid("the application has no charging location \(text)") }
        return id
    }
}

extension Request {
    var tariffs: Tariffs { Tariffs(request: self) }
}

/// `GET|PUT|DELETE /tariffs[?location=ID]` with `Authorization: Bearer <management token>`: PUT takes the
/// `start,price` CSV as its body (`?currency=EUR`); every answer is the tariff now in force; a bad file is a 400
/// naming the line.
struct TariffController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let tariffs = routes.grouped("tariffs")
        tariffs.get { try await answer($0) { request, app in try await request.tariffs.show(location: request.query["location"], applicationID: app) } }
        tariffs.on(.PUT, body: .collect(maxSize: "4mb")) { request in
            try await answer(request) { request, app in
                guard let csv = request.body.string else { throw Tariffs.Failure.invalid("the body must be the prices CSV (start,price)") }
                return try await request.tariffs.set(csv: csv, currency: request.query["currency"], location: request.query["location"],
                                                     applicationID: app)
            }
        }
        tariffs.delete { try await answer($0) { request, app in try await request.tariffs.clear(location: request.query["location"], applicationID: app) } }
    }

    private func answer(_ request: Request, _ body: (Request, UUID) async throws -> TariffView) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token,
              let application = try await request.applicationRegistry.authenticate(managementToken: token)
        else { return try Self.problem(.unauthorized, "Authorization: Bearer <management token> is required") }
        do {
            return try await body(request, application.id).encodeResponse(for: request)
        } catch let failure as Tariffs.Failure {
            return try Self.problem(.badRequest, failure.description)
        }
    }

    static func problem(_ status: HTTPStatus, _ message: String) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(["error": status.reasonPhrase, "message": message], as: .json)
        return response
    }
}

/// `carport tariffs`: the same operations over the configured database.
public struct TariffCommands: Sendable {
    public struct Failure: Error, CustomStringConvertible { public let description: String }
    let app: Application

    public func set(clientID: String, csv: String, currency: String?, location: String?) async throws -> TariffView {
        try await run(clientID) { try await $0.set(csv: csv, currency: currency, location: location, applicationID: $1) }
    }

    public func clear(clientID: String, location: String?) async throws -> TariffView {
        try await run(clientID) { try await $0.clear(location: location, applicationID: $1) }
    }

    public func show(clientID: String, location: String?) async throws -> TariffView {
        try await run(clientID) { try await $0.show(location: location, applicationID: $1) }
    }

    private func run(_ clientID: String, _ body: (Tariffs, UUID) async throws -> TariffView) async throws -> TariffView {
        do {
            guard let application = try await app.applicationRegistry.find(clientID: clientID) else {
                throw ApplicationRegistry.Failure.unknownApplication(clientID)
            }
            return try await body(Request(application: app, logger: app.logger, on: app.eventLoopGroup.next()).tariffs, application.id)
        } catch let failure as Tariffs.Failure {
            throw Failure(description: failure.description)
        } catch let failure as ApplicationRegistry.Failure {
            throw Failure(description: failure.description)
        }
    }
}

extension CarportServer {
    /// Runs `body` with the tariff commands over the configured database (for `carport tariffs`).
    public static func withTariffs<T: Sendable>(configuration: CarportConfiguration, _ body: (TariffCommands) async throws -> T) async throws -> T {
        try await withApplication(configuration: configuration) { app in try await body(TariffCommands(app: app)) }
    }
}
