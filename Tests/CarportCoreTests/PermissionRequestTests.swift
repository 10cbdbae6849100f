import Testing
@testable import CarportCore

@Suite struct PermissionRequestTests {
    @Test func parsesSpacesPlusesAndRequiredPrefixes() throws {
        let request = try PermissionRequest.parseSmartcarScope("read_battery+required:read_odometer read_battery required:read_battery")
        #expect(request.permissions == [.readBattery, .readOdometer])
        #expect(request.requiredPermissions == [.readBattery, .readOdometer])
    }

    @Test func rejectsUnknownAndEmptyScopes() {
        #expect(throws: PermissionRequest.ParseError.unknownPermission("read_minds")) {
            try PermissionRequest.parseSmartcarScope("read_battery read_minds")
        }
        #expect(throws: PermissionRequest.ParseError.empty) { try PermissionRequest.parseSmartcarScope("  ") }
    }

    @Test func everyPermissionHasPlainWords() {
        for permission in Permission.allCases { #expect(!permission.plainDescription.isEmpty) }
    }
}

@Suite struct RedirectURLTests {
    @Test func encodesReservedCharactersAndKeepsAnExistingQuery() {
        #expect(RedirectURL.build("https://a.example/cb", [("state", "a+b&c=d é"), ("skip", nil)])
            == "https://a.example/cb?state=a%2Bb%26c%3Dd%20%C3%A9")
        #expect(RedirectURL.build("https://a.example/cb?x=1", [("code", "c")]) == "https://a.example/cb?x=1&code=c")
    }
}

@Suite struct PKCETests {
    @Test func s256MatchesTheRFC7636Example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(PKCE.challenge(for: verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.verify(verifier: verifier, challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        #expect(!PKCE.verify(verifier: "short", challenge: PKCE.challenge(for: "short")))
    }
}
