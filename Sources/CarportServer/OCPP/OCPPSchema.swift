import Foundation

/// The part of the official OCPP JSON schemas Carport checks incoming payloads against: types, required fields,
/// lengths, enumerations, date-times, and no properties beyond the schema's (`additionalProperties: false`). Each
/// failure is the OCPP-J error its kind calls for.
indirect enum OCPPSchema: Sendable {
    case string(maxLength: Int)
    case integer
    case number
    case boolean
    case dateTime
    case oneOf([String])
    case object([String: OCPPSchema], required: Set<String>)
    case array(OCPPSchema, minItems: Int)
    /// Anything (vendor data).
    case any

    static func object(_ properties: [String: OCPPSchema], required: String...) -> OCPPSchema {
        .object(properties, required: Set(required))
    }

    func validate(_ value: JSONValue, at path: String = "payload") throws(OCPPError) {
        func type(_ expected: String) -> OCPPError {
            OCPPError(code: .typeConstraintViolation, description: "\(path) must be \(expected).")
        }
        switch self {
        case .any:
            return
        case .string(let maxLength):
            guard let text = value.string else { throw type("a string") }
            guard text.count <= maxLength else {
                throw OCPPError(code: .propertyConstraintViolation, description: "\(path) has more than \(maxLength) characters.")
            }
        case .integer:
            guard value.int != nil else { throw type("an integer") }
        case .number:
            guard value.double != nil else { throw type("a number") }
        case .boolean:
            guard case .bool = value else { throw type("a boolean") }
        case .dateTime:
            guard let text = value.string else { throw type("a date-time string") }
            guard OCPPTime.parse(text) != nil else {
                throw OCPPError(code: .propertyConstraintViolation, description: "\(path) is not an RFC 3339 date-time.")
            }
        case .oneOf(let allowed):
            guard let text = value.string else { throw type("a string") }
            guard allowed.contains(text) else {
                throw OCPPError(code: .propertyConstraintViolation, description: "\(path) must be one of \(allowed.joined(separator: ", ")).")
            }
        case .object(let properties, let required):
            guard case .object(let pairs) = value else { throw type("an object") }
            for (name, item) in pairs {
                guard let schema = properties[name] else {
                    throw OCPPError(code: .formatViolation, description: "\(path).\(name) is not a property of this message.")
                }
                try schema.validate(item, at: "\(path).\(name)")
            }
            for name in required.sorted() where !pairs.contains(where: { $0.0 == name }) {
                throw OCPPError(code: .occurrenceConstraintViolation, description: "\(path).\(name) is required.")
            }
        case .array(let items, let minItems):
            guard let values = value.array else { throw type("an array") }
            guard values.count >= minItems else {
                throw OCPPError(code: .occurrenceConstraintViolation, description: "\(path) needs at least \(minItems) item(s).")
            }
            for (index, item) in values.enumerated() { try items.validate(item, at: "\(path)[\(index)]") }
        }
    }
}

/// OCPP date-times: RFC 3339, with or without fractional seconds.
enum OCPPTime {
    static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
