import Foundation
import Vapor

extension Request {
    /// The body as a JSON object: empty when there is no body (SDKs send none, or `{}`, even on GET), nil when the
    /// body is not a JSON object. Each face turns nil into its own validation error.
    var jsonObjectBody: [String: Any]? {
        guard let buffer = body.data, buffer.readableBytes > 0 else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any]
    }
}

extension Response {
    /// A JSON response of a built body.
    static func json(_ body: JSONValue, status: HTTPStatus = .ok) throws -> Response {
        let response = Response(status: status, body: .init(data: try body.data()))
        response.headers.contentType = .json
        return response
    }
}

/// A number of a parsed JSON body (never a boolean, which Foundation also bridges to a number).
func jsonNumber(_ value: Any?) -> Double? {
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
    return number.doubleValue
}

/// A boolean of a parsed JSON body (never a number, which Foundation also bridges to a boolean).
func jsonBool(_ value: Any?) -> Bool? {
    guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else { return nil }
    return number.boolValue
}
