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
