import Foundation

/// What an operator asks of a charger (`carport chargers reset|unlock|trigger|availability|get-configuration|
/// set-configuration|clear-profiles|stop-transaction`), as the CALL of the version the charger speaks. In 2.0.1 a configuration key
/// is `Component.Variable` (`SampledDataCtrlr.TxUpdatedMeasurands`); a connector number is an EVSE id there.
public enum OCPPOperatorCall: Sendable, Equatable {
    case reset(hard: Bool)
    case unlock(connector: Int)
    case trigger(message: String, connector: Int?)
    case availability(operative: Bool, connector: Int?)
    case getConfiguration(keys: [String])
    case setConfiguration(key: String, value: String)
    case clearChargingProfiles
    /// Ends the charger's transaction (charging control pauses instead; this ends the session).
    case stopTransaction(id: String)
    /// `stopTransaction` of the transaction the charger last reported (resolved by `OCPPChargers.send`).
    case stopCurrentTransaction

    static let triggers16 = ["BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification", "Heartbeat",
                             "MeterValues", "StatusNotification"]
    static let triggers201 = ["BootNotification", "LogStatusNotification", "FirmwareStatusNotification", "Heartbeat", "MeterValues",
                              "SignChargingStationCertificate", "SignV2GCertificate", "StatusNotification", "TransactionEvent",
                              "SignCombinedCertificate", "PublishFirmwareStatusNotification"]

    /// Asks for the power and energy readings Carport shows (what evcc asks for).
    static func sampling(_ version: OCPPVersion) -> OCPPOperatorCall {
        .setConfiguration(key: version == .v16 ? "MeterValuesSampledData" : "SampledDataCtrlr.TxUpdatedMeasurands",
                          value: "Power.Active.Import,Energy.Active.Import.Register")
    }

    func call(_ version: OCPPVersion) throws(OCPPChargers.Failure) -> (action: String, payload: JSONValue) {
        switch (self, version) {
        case (.reset(let hard), .v16): return ("Reset", .object([("type", hard ? "Hard" : "Soft")]))
        case (.reset(let hard), .v201): return ("Reset", .object([("type", hard ? "Immediate" : "OnIdle")]))
        case (.unlock(let connector), .v16): return ("UnlockConnector", .object([("connectorId", .int(connector))]))
        case (.unlock(let connector), .v201): return ("UnlockConnector", .object([("evseId", .int(connector)), ("connectorId", 1)]))
        case (.trigger(let message, let connector), _):
            let known = version == .v16 ? Self.triggers16 : Self.triggers201
            guard known.contains(message) else {
                throw .invalid("\(version.rawValue) chargers can be asked for \(known.joined(separator: ", ")), not \(message)")
            }
            guard let connector else { return ("TriggerMessage", .object([("requestedMessage", .string(message))])) }
            return ("TriggerMessage", .object([("requestedMessage", .string(message)), version == .v16
                ? ("connectorId", .int(connector)) : ("evse", .object([("id", .int(connector)), ("connectorId", 1)]))]))
        case (.availability(let operative, let connector), .v16):
            return ("ChangeAvailability", .object([("connectorId", .int(connector ?? 0)), ("type", operative ? "Operative" : "Inoperative")]))
        case (.availability(let operative, let connector), .v201):
            let status: (String, JSONValue) = ("operationalStatus", operative ? "Operative" : "Inoperative")
            guard let connector else { return ("ChangeAvailability", .object([status])) }
            return ("ChangeAvailability", .object([status, ("evse", .object([("id", .int(connector))]))]))
        case (.getConfiguration(let keys), .v16):
            return ("GetConfiguration", keys.isEmpty ? .object([]) : .object([("key", .array(keys.map { .string($0) }))]))
        case (.getConfiguration(let keys), .v201):
            guard !keys.isEmpty else { throw .invalid("name the variables to read, as Component.Variable") }
            return ("GetVariables", .object([("getVariableData", .array(try keys.map { key throws(OCPPChargers.Failure) in
                let (component, variable) = try Self.variable(key)
                return .object([("component", .object([("name", .string(component))])), ("variable", .object([("name", .string(variable))]))])
            }))]))
        case (.setConfiguration(let key, let value), .v16):
            guard key.count <= 50, value.count <= 500 else { throw .invalid("1.6 keys have at most 50 characters, values 500") }
            return ("ChangeConfiguration", .object([("key", .string(key)), ("value", .string(value))]))
        case (.setConfiguration(let key, let value), .v201):
            guard value.count <= 1000 else { throw .invalid("2.0.1 values have at most 1000 characters") }
            let (component, variable) = try Self.variable(key)
            return ("SetVariables", .object([("setVariableData", .array([.object([
                ("attributeValue", .string(value)), ("component", .object([("name", .string(component))])),
                ("variable", .object([("name", .string(variable))])),
            ])]))]))
        case (.clearChargingProfiles, _): return ("ClearChargingProfile", .object([]))
        case (.stopTransaction(let id), .v16):
            guard let number = Int(id) else { throw .invalid("1.6 transaction ids are numbers, not \(id)") }
            return ("RemoteStopTransaction", .object([("transactionId", .int(number))]))
        case (.stopTransaction(let id), .v201): return ("RequestStopTransaction", .object([("transactionId", .string(id))]))
        case (.stopCurrentTransaction, _): throw .invalid("the charger has no transaction")
        }
    }

    private static func variable(_ key: String) throws(OCPPChargers.Failure) -> (String, String) {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 50 }) else {
            throw .invalid("2.0.1 variables are named Component.Variable (each at most 50 characters), not \(key)")
        }
        return (parts[0], parts[1])
    }
}
