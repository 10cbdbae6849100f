import Crypto
import Foundation

/// HS256 JSON Web Tokens as the fake issues them: Tesla's claims (`iss`, `aud`, `sub`, `ou_code`, `scp`, `exp`).
struct FakeJWT {
    struct Claims: Codable, Equatable {
        var iss: String
        var aud: [String]
        var sub: String
        var azp: String
        var ou_code: String
        var scp: [String]
        var iat: Int
        var exp: Int
        /// The user's token generation when issued; a password change bumps it and ends older tokens.
        var gen: Int
        /// Unique per token, so two tokens issued within one second still differ.
        var jti = UUID().uuidString.lowercased()
    }

    let key: SymmetricKey

    func sign(_ claims: Claims) -> String {
        let header = Self.base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Self.base64URL((try? JSONEncoder().encode(claims)) ?? Data())
        let input = "\(header).\(payload)"
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)
        return "\(input).\(Self.base64URL(Data(signature)))"
    }

    /// The claims of a token this fake signed, or nil (bad signature, malformed).
    func verify(_ token: String) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Self.decode(parts[2]), let payload = Self.decode(parts[1]) else { return nil }
        let input = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key) else { return nil }
        return try? JSONDecoder().decode(Claims.self, from: payload)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
