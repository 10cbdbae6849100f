import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636), S256 only.
public enum PKCE {
    private static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A verifier or challenge: 43–128 characters of the unreserved set (RFC 7636 §4.1–4.2).
    public static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.count) && value.allSatisfy(allowed.contains)
    }

    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    public static func verify(verifier: String, challenge: String) -> Bool {
        isWellFormed(verifier) && SecretToken.matches(Self.challenge(for: verifier), digest: SecretToken.digest(challenge))
    }
}
