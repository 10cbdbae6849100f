import Foundation
import Testing
@testable import CarportCore

@Suite struct SecretBoxTests {
    @Test func sealsAndOpens() throws {
        let box = try SecretBox(keyData: SecretBox.generateKeyData())
        let sealed = try box.seal("tesla refresh token")
        #expect(sealed.hasPrefix("v1."))
        #expect(!sealed.contains("tesla"))
        #expect(try box.openText(sealed) == "tesla refresh token")
        #expect(try box.seal("same") != box.seal("same"), "every seal uses a fresh nonce")
    }

    @Test func rejectsAnotherKeyAndTampering() throws {
        let box = try SecretBox(keyData: SecretBox.generateKeyData())
        let other = try SecretBox(keyData: SecretBox.generateKeyData())
        let sealed = try box.seal("secret")
        #expect(throws: SecretBox.Failure.authenticationFailed) { try other.open(sealed) }
        var bytes = try #require(Base64URL.decode(String(sealed.dropFirst(3))))
        bytes[bytes.count - 1] ^= 1
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open("v1." + Base64URL.encode(bytes)) }
        #expect(throws: SecretBox.Failure.malformedSealedValue) { try box.open("plain text") }
    }

    @Test func requiresA32ByteKey() {
        #expect(throws: SecretBox.Failure.invalidKeyLength(16)) { try SecretBox(keyData: Data(count: 16)) }
    }
}
