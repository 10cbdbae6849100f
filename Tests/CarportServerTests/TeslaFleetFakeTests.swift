import CarportCore
import Crypto
import Foundation
import Testing
import TeslaFleetFake
@testable import CarportServer

/// The fake itself, as a legacy owner-API client sees it (tesla.md §12): login form with `tesla-auth.sid`,
/// the `/void/callback` redirect with `code`, `state` and `issuer`, a JSON token exchange with PKCE.
@Suite struct TeslaFleetFakeTests {
    @Test func ownerAPIStyleLoginRedirectsToVoidCallbackAndExchangesWithPKCE() async throws {
        let port = try await LoopbackPort.free()
        let fake = try await TeslaFleetFake.start(port: port)
        defer { Task { try? await fake.stop() } }
        let origin = "http://127.0.0.1:\(port)"
        let verifier = String(repeating: "v", count: 86)
        let challenge = PKCE.challenge(for: verifier)
        let authorize = "\(origin)/oauth2/v3/authorize?client_id=ownerapi&code_challenge=\(challenge)&code_challenge_method=S256"
            + "&redirect_uri=\(RedirectURL.encode(FakeOptions.voidCallback))&response_type=code&scope=openid%20email%20offline_access&state=s1"
        let form = try await TeslaWorld.http(.GET, authorize)
        #expect(form.status == 200)
        let cookie = try #require(form.headers.first(name: "Set-Cookie"))
        #expect(cookie.hasPrefix("tesla-auth.sid=s%3A") && cookie.contains("HttpOnly"))
        let fields = ["_csrf", "_phase", "_process", "transaction_id", "cancel"].map { ($0, TeslaWorld.hiddenValue($0, in: form.body) ?? "") }

        let wrong = try await TeslaWorld.http(.POST, authorize, headers: [("Cookie", String(cookie.prefix { $0 != ";" }))],
                                              form: fields + [("identity", "owner@example.com"), ("credential", "nope")])
        #expect(wrong.status == 401)

        let login = try await TeslaWorld.http(.POST, authorize, headers: [("Cookie", String(cookie.prefix { $0 != ";" }))],
                                              form: fields + [("identity", "owner@example.com"), ("credential", "tesla-password")])
        #expect(login.status == 302 && login.body.hasPrefix("Found. Redirecting to"))
        let location = try #require(login.headers.first(name: "Location"))
        let query = ConnectDriver.query(location)
        #expect(location.hasPrefix(FakeOptions.voidCallback) && query["state"] == "s1" && query["issuer"] == "\(origin)/oauth2/v3")
        let code = try #require(query["code"])
        #expect(code.hasPrefix("NA_"))

        let body = try JSONSerialization.data(withJSONObject: [
            "grant_type": "authorization_code", "client_id": "ownerapi", "code": code, "code_verifier": verifier,
            "redirect_uri": FakeOptions.voidCallback])
        let tokens = try await TeslaWorld.http(.POST, "\(origin)/oauth2/v3/token", headers: [("Content-Type", "application/json")],
                                               body: String(decoding: body, as: UTF8.self))
        #expect(tokens.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(tokens.body.utf8)) as? [String: Any])
        #expect(json["token_type"] as? String == "Bearer" && json["refresh_token"] is String)
        let replay = try await TeslaWorld.http(.POST, "\(origin)/oauth2/v3/token", headers: [("Content-Type", "application/json")],
                                               body: String(decoding: body, as: UTF8.self))
        #expect(replay.status == 400 && replay.body.contains("invalid_auth_code"))
    }

    @Test func partnerRegistrationFetchesTheDomainsKeyAndAnswersIt() async throws {
        let port = try await LoopbackPort.free()
        let fake = try await TeslaFleetFake.start(port: port)
        defer { Task { try? await fake.stop() } }
        let origin = "http://127.0.0.1:\(port)"
        let partner = try await TeslaWorld.http(.POST, "\(origin)/oauth2/v3/token", form: [
            ("grant_type", "client_credentials"), ("client_id", "carport-fleet-client"), ("client_secret", "carport-fleet-secret"),
            ("scope", "openid"), ("audience", "\(origin)/fleet/na")])
        let token = try #require((try JSONSerialization.jsonObject(with: Data(partner.body.utf8)) as? [String: Any])?["access_token"] as? String)
        func register(_ domain: String) async throws -> TeslaWorld.Reply {
            try await TeslaWorld.http(.POST, "\(origin)/fleet/na/api/1/partner_accounts",
                                      headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                                      body: #"{"domain":"\#(domain)"}"#)
        }
        let missing = try await register("keyless.example")
        let reason = (try JSONSerialization.jsonObject(with: Data(missing.body.utf8)) as? [String: Any])?["error"] as? String
        #expect(missing.status == 424)
        #expect(reason == "Public key download failed for \(origin)/_fake/domains/keyless.example/.well-known/appspecific/com.tesla.3p.public-key.pem, error: status 404")
        #expect(try await register("Upper.Example").status == 400, "Tesla wants the domain lower-case, without a scheme")

        let key = P256.Signing.PrivateKey().publicKey
        let hosted = try await TeslaWorld.http(.PUT, "\(origin)/_fake/domains/app.example/public-key", body: key.pemRepresentation)
        #expect(hosted.status == 204)
        let registered = try await register("app.example")
        #expect(registered.status == 200)
        let hex = key.x963Representation.map { String(format: "%02x", $0) }.joined()
        let response = (try JSONSerialization.jsonObject(with: Data(registered.body.utf8)) as? [String: Any])?["response"] as? [String: Any]
        #expect(response?["public_key"] as? String == hex && response?["domain"] as? String == "app.example")
        let lookup = try await TeslaWorld.http(.GET, "\(origin)/fleet/na/api/1/partner_accounts/public_key?domain=app.example",
                                               headers: [("Authorization", "Bearer \(token)")])
        #expect(lookup.status == 200 && lookup.body.contains(hex))
    }
}
