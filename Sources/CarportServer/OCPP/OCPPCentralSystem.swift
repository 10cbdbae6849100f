import Foundation

/// Answers what a charger sends, as OCPP-J requires: a CALL gets its CALLRESULT (its payload checked against the
/// action's schema, the charger's state updated) or a CALLERROR in the version's own codes; an unreadable frame
/// gets a CALLERROR too, and the connection stays usable. CALLRESULTs and CALLERRORs answer Carport's own CALLs.
enum OCPPCentralSystem {
    /// An action a charger may send: the schema its payload must meet, and what Carport does and answers.
    typealias Action = (schema: OCPPSchema, handle: @Sendable (JSONValue, inout OCPPChargerState, Date) -> JSONValue)

    /// The actions of a version.
    static func actions(_ version: OCPPVersion) -> [String: Action] {
        version == .v16 ? OCPPMessages16.messages : OCPPMessages201.messages
    }

    enum Outcome: Equatable {
        /// Send this text back.
        case reply(String)
        /// An answer to one of Carport's CALLs.
        case answer(OCPPFrame)
    }

    static func receive(_ text: String, version: OCPPVersion, state: inout OCPPChargerState, now: Date = Date()) -> Outcome {
        switch OCPPFrame.parse(text) {
        case .failure(let unreadable):
            return .reply(OCPPFrame.error(id: unreadable.id, unreadable.error, version: version).text)
        case .success(.call(let id, let action, let payload)):
            guard let message = actions(version)[action] else {
                return .reply(OCPPFrame.error(id: id, OCPPError(code: .notImplemented, description: "\(action) is not an action Carport handles."),
                                              version: version).text)
            }
            do throws(OCPPError) {
                try message.schema.validate(payload)
            } catch {
                return .reply(OCPPFrame.error(id: id, error, version: version).text)
            }
            state.lastMessageAt = now
            return .reply(OCPPFrame.result(id: id, payload: message.handle(payload, &state, now)).text)
        case .success(let answer):
            state.lastMessageAt = now
            return .answer(answer)
        }
    }
}
