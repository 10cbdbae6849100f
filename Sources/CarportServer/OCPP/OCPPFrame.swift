import Foundation

/// The OCPP versions Carport speaks, by their WebSocket subprotocol names (IANA), newest first.
enum OCPPVersion: String, CaseIterable, Sendable, Codable {
    case v201 = "ocpp2.0.1"
    case v16 = "ocpp1.6"

    /// The newest version the charger offers that Carport speaks (`Sec-WebSocket-Protocol`, comma-separated).
    static func negotiate(_ offered: [String]) -> OCPPVersion? {
        let names = Set(offered.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        return allCases.first { names.contains($0.rawValue) }
    }
}

/// OCPP-J error codes; 1.6 and 2.0.1 spell some differently (1.6's misspellings are the spec's).
enum OCPPErrorCode: Sendable, Equatable {
    case notImplemented, notSupported, internalError, protocolError, securityError, formatViolation
    case propertyConstraintViolation, occurrenceConstraintViolation, typeConstraintViolation, genericError
    case messageTypeNotSupported, rpcFrameworkError

    func name(_ version: OCPPVersion) -> String {
        switch (self, version) {
        case (.notImplemented, _): "NotImplemented"
        case (.notSupported, _): "NotSupported"
        case (.internalError, _): "InternalError"
        case (.protocolError, _): "ProtocolError"
        case (.securityError, _): "SecurityError"
        case (.formatViolation, .v16): "FormationViolation"
        case (.formatViolation, .v201): "FormatViolation"
        case (.propertyConstraintViolation, _): "PropertyConstraintViolation"
        case (.occurrenceConstraintViolation, .v16): "OccurenceConstraintViolation"
        case (.occurrenceConstraintViolation, .v201): "OccurrenceConstraintViolation"
        case (.typeConstraintViolation, _): "TypeConstraintViolation"
        case (.genericError, _): "GenericError"
        case (.messageTypeNotSupported, .v16): "FormationViolation"
        case (.messageTypeNotSupported, .v201): "MessageTypeNotSupported"
        case (.rpcFrameworkError, .v16): "FormationViolation"
        case (.rpcFrameworkError, .v201): "RpcFrameworkError"
        }
    }
}

/// A failure answered with a CALLERROR.
struct OCPPError: Error, Equatable {
    let code: OCPPErrorCode
    let description: String
}

/// One OCPP-J message: CALL `[2, id, action, payload]`, CALLRESULT `[3, id, payload]`, CALLERROR
/// `[4, id, code, description, details]`.
enum OCPPFrame: Equatable {
    case call(id: String, action: String, payload: JSONValue)
    case result(id: String, payload: JSONValue)
    case error(id: String, code: String, description: String, details: JSONValue)

    static let maxIDLength = 36

    /// Parses a text frame; a frame that cannot be read fails with the error to answer and the message id, when one
    /// could be read (`-1` otherwise, as OCPP-J 2.0.1 §4.2.3 answers unreadable messages).
    /// A frame that cannot be read: the error to answer, and the message id to answer it under.
    struct Unreadable: Error, Equatable {
        let id: String
        let error: OCPPError
    }

    static func parse(_ text: String) -> Result<OCPPFrame, Unreadable> {
        guard let value = try? JSONValue.parse(text), let items = value.array, let type = items.first?.int else {
            return .failure(Unreadable(id: "-1", error: OCPPError(code: .rpcFrameworkError, description: "The message is not a JSON array starting with a message type.")))
        }
        guard items.count > 1, let id = items[1].string else {
            return .failure(Unreadable(id: "-1", error: OCPPError(code: .rpcFrameworkError, description: "The message has no message id.")))
        }
        guard id.count <= maxIDLength, !id.isEmpty else {
            return .failure(Unreadable(id: "-1", error: OCPPError(code: .rpcFrameworkError, description: "A message id has 1 to 36 characters.")))
        }
        switch type {
        case 2:
            guard items.count == 4, let action = items[2].string, case .object = items[3] else {
                return .failure(Unreadable(id: id, error: OCPPError(code: .formatViolation, description: "A CALL is [2, id, action, {payload}].")))
            }
            return .success(.call(id: id, action: action, payload: items[3]))
        case 3:
            guard items.count == 3, case .object = items[2] else {
                return .failure(Unreadable(id: id, error: OCPPError(code: .formatViolation, description: "A CALLRESULT is [3, id, {payload}].")))
            }
            return .success(.result(id: id, payload: items[2]))
        case 4:
            guard items.count == 5, let code = items[2].string, let description = items[3].string else {
                return .failure(Unreadable(id: id, error: OCPPError(code: .formatViolation, description: "A CALLERROR is [4, id, code, description, {details}].")))
            }
            return .success(.error(id: id, code: code, description: description, details: items[4]))
        default:
            return .failure(Unreadable(id: id, error: OCPPError(code: .messageTypeNotSupported, description: "Message type \(type) is not CALL, CALLRESULT or CALLERROR.")))
        }
    }

    var text: String {
        let value: JSONValue = switch self {
        case .call(let id, let action, let payload): .array([.int(2), .string(id), .string(action), payload])
        case .result(let id, let payload): .array([.int(3), .string(id), payload])
        case .error(let id, let code, let description, let details): .array([.int(4), .string(id), .string(code), .string(description), details])
        }
        return value.text
    }

    static func error(id: String, _ error: OCPPError, version: OCPPVersion) -> OCPPFrame {
        .error(id: id, code: error.code.name(version), description: error.description, details: .object([]))
    }
}
