import Crypto
import Foundation

/// High-entropy bearer secrets (client secrets, tokens, API keys) and the one-way digests that are stored instead.
///
/// Every secret carries 256 bits of randomness, so a fast SHA-256 digest is a sound way to store it:
/// there is nothing to brute-force, unlike a human password.
public enum SecretToken {
    /// A new random secret: 32 random bytes, base64url without padding (43 characters), behind a readable prefix.
    public static func generate(prefix: String) -> String {
        prefix + Base64URL.encode(Data(SecureRandom.bytes(32)))
    }

    /// The stored form of a secret: lowercase hex SHA-256.
    public static func digest(_ secret: String) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(secret.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Constant-time comparison of a presented secret against a stored digest.
    public static func matches(_ secret: String, digest stored: String) -> Bool {
        let computed = Array(digest(secret).utf8)
        let expected = Array(stored.utf8)
        guard computed.count == expected.count else { return false }
        return zip(computed, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Base64url (RFC 4648 §5) without padding.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((data.count * 4 + 2) / 3)
        var bits = 0, bitCount = 0
        for byte in data {
            bits = ((bits << 8) | Int(byte)) & 0xfff
            bitCount += 8
            while bitCount >= 6 {
                bitCount -= 6
                output.append(alphabet[(bits >> bitCount) & 0x3f])
            }
        }
        if bitCount > 0 { output.append(alphabet[(bits << (6 - bitCount)) & 0x3f]) }
        return String(decoding: output, as: UTF8.self)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
