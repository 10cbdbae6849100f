import CarportCore
import Foundation
import Vapor

/// Registering chargers that reach Carport over OCPP, for `carport chargers …`: each gets its URL and, unless it is
/// registered as insecure (security profile 0, for trusted networks only), a random password shown once and kept
/// as a digest.
struct OCPPChargers {
    let request: Request

    /// The brand of the Enode and Jedlix face's charger row of an OCPP charger (its serial is the charge point id).
    static let brand = "OCPP"

    private var store: FluentOCPPChargerStore { FluentOCPPChargerStore(resolveDatabase: { [db = request.db] in db }) }

    enum Failure: Error, CustomStringConvertible {
        case invalid(String)
        case taken(String)
        case unknown(String)

        var description: String {
            switch self {
            case .invalid(let reason): reason
            case .taken(let id): "a charger with the charge point id \(id) is registered already"
            case .unknown(let id): "no charger with the charge point id \(id) in this application"
            }
        }
    }

    /// 20 random bytes as 40 hex digits: the most the OCPP 1.6 security whitepaper's `AuthorizationKey` holds.
    static func password() -> String {
        SecureRandom.bytes(20).map { String(format: "%02x", $0) }.joined()
    }

    /// Where the charger connects: the public URL with ws:// or wss:// and `/ocpp/<charge point id>`.
    func url(_ chargePointID: String) -> String {
        let base = request.carport.configuration.publicURL
        let socket = base.hasPrefix("https://") ? "wss://" + base.dropFirst(8) : "ws://" + base.dropFirst(7)
        return "\(socket)/ocpp/\(chargePointID)"
    }

    func add(applicationID: UUID, userID: String, chargePointID: String, locationID: UUID?, insecure: Bool) async throws
        -> (charger: OCPPCharger, password: String?) {
        guard chargePointID.wholeMatch(of: /[A-Za-z0-9._:\-]{1,48}/) != nil else {
            throw Failure.invalid("a charge point id has 1 to 48 letters, digits, '.', '_', ':' or '-'")
        }
        guard (1...255).contains(userID.count) else { throw Failure.invalid("a user id has 1 to 255 characters") }
        var owner: UUID?
        if let locationID {
            owner = try await request.authorizationServer.userID(applicationID: applicationID, externalUserID: userID)
            guard let owner, try await FluentChargingLocationStore(database: request.db).location(id: locationID, userID: owner) != nil else {
                throw Failure.invalid("user \(userID) has no charging location \(locationID.uuidString.lowercased())")
            }
        }
        guard try await store.charger(chargePointID: chargePointID) == nil else { throw Failure.taken(chargePointID) }
        // At a location, the charger is one of the user's chargers in the Enode and Jedlix faces.
        if let owner, let locationID {
            _ = try await request.chargerStore.save(Charger(userID: owner, chargingLocationID: locationID, brand: Self.brand,
                                                            model: "OCPP charger", serial: chargePointID, createdAt: Date()))
        }
        let password = insecure ? nil : Self.password()
        let charger = OCPPCharger(id: UUID(), applicationID: applicationID, userID: userID, chargePointID: chargePointID,
                                  passwordDigest: password.map(SecretToken.digest), locationID: locationID, version: nil,
                                  state: OCPPChargerState(), connectedAt: nil, createdAt: Date())
        try await store.insert(charger)
        return (charger, password)
    }

    func list(applicationID: UUID) async throws -> [OCPPCharger] {
        try await store.chargers(applicationID: applicationID)
    }

    func remove(chargePointID: String, applicationID: UUID) async throws {
        let charger = try await owned(chargePointID, applicationID: applicationID)
        if let owner = try await request.authorizationServer.userID(applicationID: applicationID, externalUserID: charger.userID) {
            for row in try await request.chargerStore.chargers(userID: owner) where row.brand == Self.brand && row.serial == chargePointID {
                _ = try await request.chargerStore.delete(id: row.id, userID: owner)
            }
        }
        try await store.delete(id: charger.id)
    }

    /// A new password; the old one stops working at the charger's next connection.
    func rotatePassword(chargePointID: String, applicationID: UUID) async throws -> (charger: OCPPCharger, password: String) {
        var charger = try await owned(chargePointID, applicationID: applicationID)
        let password = Self.password()
        let digest = SecretToken.digest(password)
        charger.passwordDigest = digest
        try await store.setPasswordDigest(digest, id: charger.id)
        return (charger, password)
    }

    /// Sends an operator's call to the charger, wherever its socket is, and returns the charger's answer.
    func send(_ operatorCall: OCPPOperatorCall, chargePointID: String, applicationID: UUID) async throws -> JSONValue {
        let charger = try await owned(chargePointID, applicationID: applicationID)
        guard let version = charger.version else { throw Failure.invalid("the charger \(chargePointID) has never connected") }
        var operatorCall = operatorCall
        if operatorCall == .stopCurrentTransaction, let transaction = charger.state.transaction {
            operatorCall = .stopTransaction(id: transaction.id)
        }
        let (action, payload) = try operatorCall.call(version)
        do {
            return try await OCPPCalls(request: request).call(chargePointID, action, payload)
        } catch let failure as OCPPLink.Failure {
            throw Failure.invalid("\(action): \(failure.description)")
        }
    }

    private func owned(_ chargePointID: String, applicationID: UUID) async throws -> OCPPCharger {
        guard let charger = try await store.charger(chargePointID: chargePointID), charger.applicationID == applicationID else {
            throw Failure.unknown(chargePointID)
        }
        return charger
    }
}
