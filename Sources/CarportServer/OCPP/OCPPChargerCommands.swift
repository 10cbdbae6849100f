import CarportCore
import Foundation
import Vapor

/// A registered OCPP charger as `carport chargers` prints it (`password` only when one was just made).
public struct OCPPChargerView: Codable, Sendable {
    public let id: String
    public let chargePointId: String
    public let userId: String
    public let url: String
    public let password: String?
    public let insecure: Bool
    public let locationId: String?
    public let version: String?
    public let connected: Bool
    public let vendor: String?
    public let model: String?
    public let lastMessageAt: Date?
    /// Status per connector (`evse/connector` in 2.0.1), as the charger reported it.
    public let connectors: [String: String]
    public let transactionId: String?
    /// The last metered power, W, and energy register, Wh.
    public let powerW: Double?
    public let energyWh: Double?
}

/// What `carport chargers …` does, over the configured database.
public struct OCPPChargerCommands: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let app: Application

    private var chargers: OCPPChargers { OCPPChargers(request: Request(application: app, logger: app.logger, on: app.eventLoopGroup.next())) }

    public func add(clientID: String, userID: String, chargePointID: String, locationID: String?, insecure: Bool) async throws -> OCPPChargerView {
        try await failing {
            let application = try await self.application(clientID)
            let location = try locationID.map { text in
                guard let id = UUID(uuidString: text) else { throw OCPPChargers.Failure.invalid("--location must be a charging location id") }
                return id
            }
            let (charger, password) = try await chargers.add(applicationID: application.id, userID: userID, chargePointID: chargePointID,
                                                             locationID: location, insecure: insecure)
            return view(charger, password: password)
        }
    }

    /// Registers the chargers of a CSV file, `userId,chargePointId[,locationId]` per line (a `userId,…` header
    /// line is skipped). The file is checked in full first: a bad line fails with its number and nothing is registered.
    public func importCSV(clientID: String, text: String) async throws -> [OCPPChargerView] {
        try await failing {
            let application = try await self.application(clientID)
            var rows: [(line: Int, user: String, id: String, location: String?)] = []
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                if fields.allSatisfy(\.isEmpty) || (index == 0 && fields.first == "userId") { continue }
                guard (2...3).contains(fields.count) else {
                    throw Failure(description: "line \(index + 1): expected userId,chargePointId[,locationId]")
                }
                rows.append((index + 1, fields[0], fields[1], fields.count == 3 && !fields[2].isEmpty ? fields[2] : nil))
            }
            // Checked in full before any is registered, so a bad file registers nothing.
            var seen = Set<String>()
            var parsed: [(line: Int, user: String, id: String, location: UUID?)] = []
            for row in rows {
                guard seen.insert(row.id).inserted else { throw Failure(description: "line \(row.line): \(row.id) appears twice") }
                guard try await FluentOCPPChargerStore(resolveDatabase: { [app] in app.db }).charger(chargePointID: row.id) == nil else {
                    throw Failure(description: "line \(row.line): \(OCPPChargers.Failure.taken(row.id).description)")
                }
                guard row.location.map({ UUID(uuidString: $0) != nil }) ?? true else {
                    throw Failure(description: "line \(row.line): the location must be a charging location id")
                }
                parsed.append((row.line, row.user, row.id, row.location.flatMap(UUID.init(uuidString:))))
            }
            var views: [OCPPChargerView] = []
            for row in parsed {
                do {
                    let (charger, password) = try await chargers.add(applicationID: application.id, userID: row.user, chargePointID: row.id,
                                                                     locationID: row.location, insecure: false)
                    views.append(view(charger, password: password))
                } catch let failure as OCPPChargers.Failure {
                    throw Failure(description: "line \(row.line): \(failure.description) (the lines before it are registered)")
                }
            }
            return views
        }
    }

    public func list(clientID: String) async throws -> [OCPPChargerView] {
        try await failing { try await chargers.list(applicationID: try await application(clientID).id).map { view($0, password: nil) } }
    }

    public func remove(clientID: String, chargePointID: String) async throws {
        try await failing { try await chargers.remove(chargePointID: chargePointID, applicationID: try await application(clientID).id) }
    }

    public func rotatePassword(clientID: String, chargePointID: String) async throws -> OCPPChargerView {
        try await failing {
            let (charger, password) = try await chargers.rotatePassword(chargePointID: chargePointID, applicationID: try await application(clientID).id)
            return view(charger, password: password)
        }
    }

    /// The charger's answer to an operator's call, as JSON text.
    public func send(_ call: OCPPOperatorCall, clientID: String, chargePointID: String) async throws -> String {
        try await failing { try await chargers.send(call, chargePointID: chargePointID, applicationID: try await application(clientID).id).text }
    }

    private func application(_ clientID: String) async throws -> RegisteredApplication {
        guard let application = try await app.applicationRegistry.find(clientID: clientID) else {
            throw ApplicationRegistry.Failure.unknownApplication(clientID)
        }
        return application
    }

    private func view(_ charger: OCPPCharger, password: String?) -> OCPPChargerView {
        OCPPChargerView(id: charger.id.uuidString.lowercased(), chargePointId: charger.chargePointID, userId: charger.userID,
                        url: chargers.url(charger.chargePointID), password: password, insecure: charger.passwordDigest == nil,
                        locationId: charger.locationID?.uuidString.lowercased(), version: charger.version?.rawValue,
                        connected: charger.connectedAt != nil, vendor: charger.state.vendor, model: charger.state.model,
                        lastMessageAt: charger.state.lastMessageAt, connectors: charger.state.connectors.mapValues(\.status),
                        transactionId: charger.state.transaction?.id, powerW: charger.state.powerW, energyWh: charger.state.energyWh)
    }

    private func failing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as OCPPChargers.Failure {
            throw Failure(description: failure.description)
        } catch let failure as ApplicationRegistry.Failure {
            throw Failure(description: failure.description)
        }
    }
}

extension CarportServer {
    /// Runs `body` with the charger commands over the configured database (for `carport chargers`).
    public static func withOCPPChargers<T: Sendable>(configuration: CarportConfiguration, _ body: (OCPPChargerCommands) async throws -> T)
        async throws -> T {
        try await withApplication(configuration: configuration) { app in try await body(OCPPChargerCommands(app: app)) }
    }
}
