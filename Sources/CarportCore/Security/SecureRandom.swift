import Crypto
import Foundation

/// Cryptographically secure random bytes and identifiers, in one system call each. (Drawing bytes one at a time
/// from `SystemRandomNumberGenerator` costs a call per draw, and Foundation's `UUID()` opens `/dev/urandom` every
/// time on Linux: both showed up in the token endpoint's profile.)
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }

    /// A random (version 4) UUID.
    public static func uuid() -> UUID {
        var bytes = self.bytes(16)
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
