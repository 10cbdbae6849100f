import Crypto
import Foundation

/// The key an application signs its own users' tokens with (Jedlix-style user JWTs, HS256), with the issuer and
/// audience those tokens must carry.
public struct UserTokenKey: Sendable, Equatable {
    public var applicationID: UUID
    public var issuer: String
    public var audience: String
    public var secret: Data

    public init(applicationID: UUID, issuer: String, audience: String, secret: Data) {
        self.applicationID = applicationID
        self.issuer = issuer
        self.audience = audience
        self.secret = secret
    }
}

/// Storage of user-token keys (the server keeps them sealed: HMAC keys must stay usable).
public protocol UserTokenKeyStore: Sendable {
    func key(applicationID: UUID) async throws -> UserTokenKey?
    /// Sets the application's key, replacing an earlier one.
    func save(_ key: UserTokenKey) async throws
}

/// Checks a user JWT (compact JWS, HS256): signature, `iss`, `aud` (a string or a list), `exp` (required) and
/// `nbf`, and returns the user id claim.
public enum UserTokenVerifier {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed, unsupportedAlgorithm, badSignature, expired, notYetValid, wrongIssuer, wrongAudience
        case missingClaim(String)

        public var description: String {
            switch self {
            case .malformed: "The user token is not a JWT."
            case .unsupportedAlgorithm: "The user token must be signed with HS256."
            case .badSignature: "The user token's signature does not verify."
            case .expired: "The user token has expired."
            case .notYetValid: "The user token is not valid yet."
            case .wrongIssuer: "The user token's issuer is not the one registered."
            case .wrongAudience: "The user token's audience is not the one registered."
            case .missingClaim(let name): "The user token lacks the \"\(name)\" claim."
            }
        }
    }

    public static func verify(_ token: String, key: UserTokenKey, userClaim: String, now: Date = Date()) throws(Failure) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              let claims = (try? JSONSerialization.jsonObject(with: payloadData)) as? [String: Any]
        else { throw .malformed }
        guard header["alg"] as? String == "HS256" else { throw .unsupportedAlgorithm }
        guard HMAC<SHA256>.isValidAuthenticationCode(
            signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8), using: SymmetricKey(data: key.secret))
        else { throw .badSignature }
        guard let exp = number(claims["exp"]) else { throw .missingClaim("exp") }
        guard exp > now.timeIntervalSince1970 else { throw .expired }
        if let nbf = number(claims["nbf"]), nbf > now.timeIntervalSince1970 + 60 { throw .notYetValid }
        guard claims["iss"] as? String == key.issuer else { throw .wrongIssuer }
        let audiences = (claims["aud"] as? [String]) ?? [claims["aud"] as? String].compactMap { $0 }
        guard audiences.contains(key.audience) else { throw .wrongAudience }
        guard let user = claims[userClaim] as? String, !user.isEmpty else { throw .missingClaim(userClaim) }
        return user
    }

    private static func number(_ value: Any?) -> Double? {
        (value as? Double) ?? (value as? Int).map(Double.init)
    }

    /// Signs claims with the key (for tests and tools; applications sign with their own JWT library).
    public static func sign(_ claims: [String: Any], secret: Data) throws -> String {
        let header = Base64URL.encode(try JSONSerialization.data(withJSONObject: ["alg": "HS256", "typ": "JWT"]))
        let payload = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: SymmetricKey(data: secret))
        return "\(header).\(payload).\(Base64URL.encode(Data(mac)))"
    }
}
