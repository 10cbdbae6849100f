import AsyncHTTPClient
import CarportCore
import Foundation
import NIOCore
import NIOHTTP1

/// One answer from Tesla: status, headers and the JSON body (the `{"response","error","error_description"}` envelope).
struct TeslaReply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    var response: Any? { object["response"] }
    /// The `error` text, if any (empty strings count as none).
    var error: String? { (object["error"] as? String).flatMap { $0.isEmpty ? nil : $0 } }

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// HTTP to Tesla over AsyncHTTPClient; transport failures and timeouts become `ConnectorError.upstream`.
struct TeslaHTTP: Sendable {
    let client: HTTPClient
    let timeout: Double

    func send(_ method: HTTPMethod, _ url: String, bearer: String? = nil, json: Data? = nil,
              form: [(String, String)]? = nil) async throws(ConnectorError) -> TeslaReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: Self.formEncode(form)))
        }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 4 << 20)
            return TeslaReply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                              body: Data(body.readableBytesView))
        } catch {
            throw .upstream("Tesla did not answer (\(Self.describe(error))).")
        }
    }

    static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(RedirectURL.encode($0.0))=\(RedirectURL.encode($0.1))" }.joined(separator: "&")
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded { return "timed out" }
        return String(describing: error)
    }
}

/// Claims Carport reads from Tesla's access-token JWT (routing and scopes, as Tesla's own proxy does).
struct TeslaTokenClaims: Decodable {
    var sub: String
    var scp: [String]?
    var ou_code: String?
    var exp: Double?

    init?(token: String) {
        let parts = token.split(separator: ".")
        guard parts.count >= 2, let data = Base64URL.decode(String(parts[1])),
              let claims = try? JSONDecoder().decode(Self.self, from: data) else { return nil }
        self = claims
    }
}
