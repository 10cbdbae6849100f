import Foundation
import Vapor

/// START and STOP on an OCPP charger, as evcc does it: with a transaction, a `TxDefaultProfile` whose limit is 0 A
/// pauses and the charger's maximum resumes, so the session and its authorization stay alive; without one, START
/// asks the charger to start a transaction. A charger that is not connected fails at once.
struct OCPPChargingControl {
    enum Failure: Error, CustomStringConvertible {
        case offline(String)
        case rejected(String)

        var description: String {
            switch self {
            case .offline(let id): "the charger \(id) is not connected to Carport"
            case .rejected(let reason): reason
            }
        }
    }

    /// The limit that resumes charging: the charger keeps to its own maximum below it.
    static let maximumAmperes = 32.0
    static let idTag = "CARPORT"

    let calls: OCPPCalls

    func charge(_ start: Bool, _ charger: OCPPCharger) async throws {
        guard let version = charger.version else { throw Failure.offline(charger.chargePointID) }
        let (action, payload) = Self.command(start, state: charger.state, version: version)
        let answer: JSONValue
        do {
            answer = try await calls.call(charger.chargePointID, action, payload)
        } catch OCPPLink.Failure.offline {
            throw Failure.offline(charger.chargePointID)
        } catch let failure as OCPPLink.Failure {
            throw Failure.rejected("\(action): \(failure.description)")
        }
        guard answer["status"]?.string == "Accepted" else {
            throw Failure.rejected("\(action): the charger answered \(answer["status"]?.string ?? "no status")")
        }
    }

    /// The CALL for START or STOP in the charger's version, given what it reported.
    static func command(_ start: Bool, state: OCPPChargerState, version: OCPPVersion) -> (String, JSONValue) {
        let limit: JSONValue = .number(start ? maximumAmperes : 0)
        let period: JSONValue = .array([.object([("startPeriod", 0), ("limit", limit)])])
        switch version {
        case .v16:
            if start && state.transaction == nil {
                return ("RemoteStartTransaction", .object([("connectorId", 1), ("idTag", .string(idTag))]))
            }
            return ("SetChargingProfile", .object([("connectorId", 0), ("csChargingProfiles", .object([
                ("chargingProfileId", 1), ("stackLevel", 0), ("chargingProfilePurpose", "TxDefaultProfile"),
                ("chargingProfileKind", "Relative"),
                ("chargingSchedule", .object([("chargingRateUnit", "A"), ("chargingSchedulePeriod", period)])),
            ]))]))
        case .v201:
            if start && state.transaction == nil {
                return ("RequestStartTransaction", .object([("idToken", .object([("idToken", .string(idTag)), ("type", "Central")])),
                                                           ("remoteStartId", .int(state.nextTransactionID)), ("evseId", 1)]))
            }
            return ("SetChargingProfile", .object([("evseId", 0), ("chargingProfile", .object([
                ("id", 1), ("stackLevel", 0), ("chargingProfilePurpose", "TxDefaultProfile"), ("chargingProfileKind", "Relative"),
                ("chargingSchedule", .array([.object([("id", 1), ("chargingRateUnit", "A"), ("chargingSchedulePeriod", period)])])),
            ]))]))
        }
    }
}
