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
        return uuid(bytes)
    }

    /// A time-ordered (version 7, RFC 9562) UUID: milliseconds since 1970 in the first 48 bits, 74 random bits.
    /// Rows keyed by it are appended to their index instead of landing on a random page, so a batch of inserts
    /// dirties (and writes to the WAL) a few pages instead of one per row.
    public static func timeOrderedUUID(at date: Date = Date()) -> UUID {
        var bytes = self.bytes(16)
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        bytes[6] = (bytes[6] & 0x0f) | 0x70
        return uuid(bytes)
    }

    /// The RFC 9562 variant bits set on 16 bytes whose version nibble is set.
    private static func uuid(_ bytes: [UInt8]) -> UUID {
        var bytes = bytes
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
