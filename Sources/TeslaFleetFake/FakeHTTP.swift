import Foundation
import Vapor

/// Tesla's wire conventions: the `{"response","error","error_description"}` envelope, JSON or form bodies.
enum FakeHTTP {
    static func envelope(_ response: Any, status: HTTPStatus = .ok) -> Response {
        json(["response": response, "error": NSNull(), "error_description": NSNull()], status: status)
    }

    static func failure(_ failure: FakeFailure) -> Response {
        let response = json(["response": NSNull(), "error": failure.error, "error_description": failure.description],
                            status: HTTPStatus(statusCode: failure.status))
        for (name, value) in failure.headers { response.headers.replaceOrAdd(name: name, value: value) }
        return response
    }

    static func json(_ object: Any, status: HTTPStatus = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        let response = Response(status: status, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }

    /// Parameters of a JSON object body or a form body (Tesla's token endpoint takes both).
    static func parameters(_ request: Request) -> [String: Any] {
        guard let data = request.body.data.map({ Data(buffer: $0) }), !data.isEmpty else { return [:] }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { return object }
        var result: [String: Any] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            guard let key = parts.first else { continue }
            let value = parts.count > 1 ? parts[1] : ""
            if let existing = result[key] as? [String] {
                result[key] = existing + [value]
            } else if let existing = result[key] as? String {
                result[key] = [existing, value]
            } else {
                result[key] = value
            }
        }
        return result
    }

    static func strings(_ value: Any?) -> [String] {
        if let list = value as? [String] { return list }
        if let one = value as? String { return [one] }
        return []
    }

    static func bearer(_ request: Request) -> String? { request.headers.bearerAuthorization?.token }

    /// Runs a handler, answering `FakeFailure`s in the envelope.
    static func guarded(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let failure as FakeFailure {
            return Self.failure(failure)
        } catch {
            return Self.failure(FakeFailure(400, "invalid_request", String(describing: error)))
        }
    }
}

extension String {
    var htmlEscaped: String {
        replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
