import Foundation
import Testing
@testable import CarportCore

@Suite struct SecretTokenTests {
    @Test func generatedSecretsCarry256BitsAndThePrefix() throws {
        let secret = SecretToken.generate(prefix: "cps_")
        #expect(secret.hasPrefix("cps_"))
        let decoded = try #require(Base64URL.decode(String(secret.dropFirst(4))))
        #expect(decoded.count == 32)
        #expect(SecretToken.generate(prefix: "cps_") != secret)
    }

    @Test func digestIsHexSHA256AndMatchesOnlyTheSameSecret() {
        let digest = SecretToken.digest("abc")
        #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SecretToken.matches("abc", digest: digest))
        #expect(!SecretToken.matches("abd", digest: digest))
        #expect(!SecretToken.matches("abc", digest: String(digest.dropLast())))
    }

    @Test func base64URLRoundTripsWithoutPadding() throws {
        let data = Data([0xfb, 0xff, 0xfe, 0x00, 0x01])
        let text = Base64URL.encode(data)
        #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
        #expect(Base64URL.decode(text) == data)
    }

    @Test func base64URLMatchesTheRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors { #expect(Base64URL.encode(Data(plain.utf8)) == encoded) }
        #expect(Base64URL.encode(Data([0xfb, 0xff, 0xbf])) == "-_-_")
        let bytes = Data((0..<300).map { UInt8($0 % 256) })
        #expect(Base64URL.encode(bytes) == bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
    }

    @Test func secureRandomUUIDsAreVersion4AndDistinct() {
        let ids = (0..<100).map { _ in SecureRandom.uuid() }
        #expect(Set(ids).count == 100)
        for id in ids {
            let text = id.uuidString
            #expect(Array(text)[14] == "4")
            #expect("89AB".contains(Array(text)[19]))
        }
        #expect(SecureRandom.bytes(32).count == 32)
    }

    @Test func timeOrderedUUIDsCarryTheMillisecondAndSortByTime() {
        let moment = Date(timeIntervalSince1970: 1_763_769_600.123)  // 2025-11-22T00:00:00.123Z
        let id = SecureRandom.timeOrderedUUID(at: moment)
        let text = id.uuidString
        #expect(text.hasPrefix("019AA8DC-487B-7"), "48-bit millisecond timestamp, then version 7: \(text)")
        #expect("89AB".contains(Array(text)[19]))
        #expect(SecureRandom.timeOrderedUUID(at: moment) != id, "74 random bits")
        let later = SecureRandom.timeOrderedUUID(at: moment.addingTimeInterval(0.001))
        #expect(later.uuidString > text, "a later millisecond sorts after")
    }
}
