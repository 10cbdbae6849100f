import Crypto
import Foundation

/// Authenticated encryption (AES-256-GCM) for data that must be encrypted at rest, such as OEM credentials.
///
/// Sealed values are text: `v1.` followed by base64url of nonce ‖ ciphertext ‖ tag, so they fit any text column.
public struct SecretBox: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidKeyLength(Int)
        case malformedSealedValue
        case authenticationFailed

        public var description: String {
            switch self {
            case .invalidKeyLength(let count): "encryption key must be 32 bytes, got \(count)"
            case .malformedSealedValue: "sealed value is not in the v1 format"
            case .authenticationFailed: "sealed value was tampered with or sealed under another key"
            }
        }
    }

    private static let versionPrefix = "v1."
    private let keyData: Data
    private var key: SymmetricKey { SymmetricKey(data: keyData) }

    public init(keyData: Data) throws(Failure) {
        guard keyData.count == 32 else { throw .invalidKeyLength(keyData.count) }
        self.keyData = keyData
    }

    /// 32 fresh random bytes, suitable as a key.
    public static func generateKeyData() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    public func seal(_ plaintext: Data) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: key)
        guard let combined = box.combined else { throw Failure.malformedSealedValue }
        return Self.versionPrefix + Base64URL.encode(combined)
    }

    public func seal(_ text: String) throws -> String { try seal(Data(text.utf8)) }

    public func open(_ sealed: String) throws(Failure) -> Data {
        guard sealed.hasPrefix(Self.versionPrefix),
              let combined = Base64URL.decode(String(sealed.dropFirst(Self.versionPrefix.count))),
              let box = try? AES.GCM.SealedBox(combined: combined)
        else { throw .malformedSealedValue }
        do {
            return try AES.GCM.open(box, using: key)
        } catch {
            throw .authenticationFailed
        }
    }

    public func openText(_ sealed: String) throws(Failure) -> String {
        String(decoding: try open(sealed), as: UTF8.self)
    }
}
