import CarportCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import CarportServer

/// `/oauth/token`, `/oauth/revoke`, `/oauth/introspect` and the metadata document.
@Suite struct TokenEndpointTests {
    private func code(_ app: Application, _ client: TestClient, parameters: [(String, String)] = []) async throws -> String {
        var driver = ConnectDriver(app: app)
        let redirect = try await driver.connect(client.authorizePath(parameters))
        return try #require(ConnectDriver.query(redirect)["code"])
    }

    private func exchange(_ app: Application, _ client: TestClient, code: String, extra: [(String, String)] = [])
        async throws -> (HTTPStatus, HTTPHeaders, [String: Any]) {
        try await client.tokenRequest(app, [("grant_type", "authorization_code"), ("code", code),
                                            ("redirect_uri", client.redirectURI)] + extra)
    }

    private func isActive(_ app: Application, _ client: TestClient, _ token: String) async throws -> Bool {
        let (_, _, json) = try await client.tokenRequest(app, [("token", token)], path: "/oauth/introspect")
        return json["active"] as? Bool == true
    }

    @Test func codeExchangeAnswersTheSmartcarShapeAndIsNeverCached() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let (status, headers, json) = try await exchange(app, client, code: try await code(app, client))
            #expect(status == .ok)
            #expect(headers.first(name: .cacheControl) == "no-store")
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["expires_in"] as? Int == 7200)
            #expect((json["access_token"] as? String)?.isEmpty == false)
            #expect((json["refresh_token"] as? String)?.isEmpty == false)
            #expect(json["scope"] as? String == "read_battery read_vehicle_info")
        }
    }

    @Test func issuingATokenWarmsTheGrantCacheForItsFirstRead() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let (_, _, json) = try await exchange(app, client, code: try await code(app, client))
            let access = try #require(json["access_token"] as? String)
            // The stored token goes behind the cache's back: only an entry made when it was issued can answer now.
            try await TokenModel.query(on: app.db).filter(\.$digest == SecretToken.digest(access)).delete()
            let server = Request(application: app, on: app.eventLoopGroup.next()).authorizationServer
            #expect(try await server.grant(forAccessToken: access) != nil)
            app.carport.grantCache.removeAll()
            #expect(try await server.grant(forAccessToken: access) == nil, "without the entry the token is unknown")
        }
    }

    @Test func aCodeWorksOnceAndItsReplayRevokesTheTokensIssuedFromIt() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let code = try await code(app, client)
            let (_, _, first) = try await exchange(app, client, code: code)
            let access = try #require(first["access_token"] as? String)
            let refresh = try #require(first["refresh_token"] as? String)
            #expect(try await isActive(app, client, access))
            let (status, _, replay) = try await exchange(app, client, code: code)
            #expect(status == .badRequest)
            #expect(replay["error"] as? String == "invalid_grant")
            #expect(replay["error_description"] as? String == "Invalid code: \(code).")
            #expect(try await !isActive(app, client, access))
            #expect(try await !isActive(app, client, refresh))
        }
    }

    @Test func aCodeIsBoundToItsClientAndRedirectURI() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app, redirectURIs: ["https://app.example/callback", "https://app.example/other"])
            let other = try await TestClient.register(app)
            let stolen = try await code(app, client)
            let (status, _, json) = try await exchange(app, other, code: stolen)
            #expect(status == .badRequest)
            #expect(json["error"] as? String == "invalid_grant")

            let code = try await code(app, client)
            let (mismatch, _, _) = try await client.tokenRequest(app, [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "https://app.example/other")])
            #expect(mismatch == .badRequest)
            let (missing, _, _) = try await client.tokenRequest(app, [("grant_type", "authorization_code"), ("code", try await self.code(app, client))])
            #expect(missing == .badRequest, "the authorization request named redirect_uri, so the token request must repeat it")
        }
    }

    @Test func aCodeExpiresAfterTenMinutes() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let code = try await code(app, client)
            let stored = try #require(try await AuthorizationCodeModel.query(on: app.db).first())
            #expect(abs(stored.expiresAt.timeIntervalSinceNow - 600) < 30)
            stored.expiresAt = Date().addingTimeInterval(-1)
            try await stored.save(on: app.db)
            let (status, _, json) = try await exchange(app, client, code: code)
            #expect(status == .badRequest)
            #expect(json["error"] as? String == "invalid_grant")
        }
    }

    @Test func pkceIsVerifiedAndCannotBeDowngraded() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let verifier = SecretToken.generate(prefix: "")
            let pkce = [("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256")]

            let (noVerifier, _, _) = try await exchange(app, client, code: try await code(app, client, parameters: pkce))
            #expect(noVerifier == .badRequest)
            let wrong = SecretToken.generate(prefix: "")
            let (wrongVerifier, _, _) = try await exchange(app, client, code: try await code(app, client, parameters: pkce),
                                                          extra: [("code_verifier", wrong)])
            #expect(wrongVerifier == .badRequest)
            let (unexpected, _, json) = try await exchange(app, client, code: try await code(app, client),
                                                           extra: [("code_verifier", verifier)])
            #expect(unexpected == .badRequest)
            #expect(json["error"] as? String == "invalid_grant")
            let (ok, _, _) = try await exchange(app, client, code: try await code(app, client, parameters: pkce),
                                                extra: [("code_verifier", verifier)])
            #expect(ok == .ok)
        }
    }

    @Test func refreshRotatesAndReuseRevokesTheWholeFamily() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let (_, _, first) = try await exchange(app, client, code: try await code(app, client))
            let firstRefresh = try #require(first["refresh_token"] as? String)
            let (status, _, second) = try await client.tokenRequest(app, [("grant_type", "refresh_token"), ("refresh_token", firstRefresh)])
            #expect(status == .ok)
            let secondRefresh = try #require(second["refresh_token"] as? String)
            let secondAccess = try #require(second["access_token"] as? String)
            #expect(secondRefresh != firstRefresh)
            #expect(second["expires_in"] as? Int == 7200)

            let (reuse, _, reuseJSON) = try await client.tokenRequest(app, [("grant_type", "refresh_token"), ("refresh_token", firstRefresh)])
            #expect(reuse == .badRequest)
            #expect(reuseJSON["error_description"] as? String == "Invalid refresh_token: \(firstRefresh).")
            #expect(try await !isActive(app, client, secondAccess))
            let (afterReuse, _, _) = try await client.tokenRequest(app, [("grant_type", "refresh_token"), ("refresh_token", secondRefresh)])
            #expect(afterReuse == .badRequest, "the rotated-to token died with its family")
        }
    }

    @Test func concurrentRefreshesAreEachRotatedOnceAndARacingReplayStillRevokesTheFamily() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var refreshTokens: [String] = []
            for _ in 0..<6 {
                let (_, _, tokens) = try await exchange(app, client, code: try await code(app, client))
                refreshTokens.append(try #require(tokens["refresh_token"] as? String))
            }
            // The first token is presented twice at once (a replay racing the original); the others once each.
            let presented = [refreshTokens[0]] + refreshTokens
            typealias Answer = (index: Int, status: HTTPStatus, access: String?, refresh: String?)
            let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
                for (index, token) in presented.enumerated() {
                    group.addTask {
                        let (status, _, json) = try await client.tokenRequest(
                            app, [("grant_type", "refresh_token"), ("refresh_token", token)])
                        return (index, status, json["access_token"] as? String, json["refresh_token"] as? String)
                    }
                }
                var answers: [Answer] = []
                for try await answer in group { answers.append(answer) }
                return answers.sorted { $0.index < $1.index }
            }
            let raced = answers.filter { $0.index <= 1 }
            #expect(raced.filter { $0.status == .ok }.count == 1, "one of the two racing presentations wins")
            #expect(raced.filter { $0.status == .badRequest }.count == 1)
            let winner = try #require(raced.first { $0.status == .ok }?.access)
            #expect(try await !isActive(app, client, winner), "the replay revoked the winner's new tokens too")

            let others = answers.filter { $0.index >= 2 }
            #expect(others.allSatisfy { $0.status == .ok })
            #expect(Set(others.compactMap(\.refresh)).count == 5)
            for answer in others {
                #expect(try await isActive(app, client, try #require(answer.access)))
                let (status, _, _) = try await client.tokenRequest(
                    app, [("grant_type", "refresh_token"), ("refresh_token", try #require(answer.refresh))])
                #expect(status == .ok, "each rotated-to refresh token works")
            }
        }
    }

    @Test func refreshTokensAreBoundToTheirClient() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let other = try await TestClient.register(app)
            let (_, _, tokens) = try await exchange(app, client, code: try await code(app, client))
            let refresh = try #require(tokens["refresh_token"] as? String)
            let (status, _, _) = try await other.tokenRequest(app, [("grant_type", "refresh_token"), ("refresh_token", refresh)])
            #expect(status == .badRequest)
        }
    }

    @Test func clientCredentialsIssueAnApplicationTokenWithoutRefresh() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let (status, _, json) = try await client.tokenRequest(app, [("grant_type", "client_credentials")])
            #expect(status == .ok)
            #expect(json["expires_in"] as? Int == 3600)
            #expect(json["refresh_token"] == nil)
            let (_, _, enode) = try await client.tokenRequest(app, [("grant_type", "client_credentials")], path: "/enode/oauth2/token")
            #expect(enode["expires_in"] as? Int == 3599)
            #expect(enode["token_type"] as? String == "bearer")
        }
    }

    @Test func clientAuthenticationFailuresAndGrantErrors() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let wrong = "Basic " + Data("\(client.id):cps_wrong".utf8).base64EncodedString()
            let (status, headers, json) = try await client.tokenRequest(app, [("grant_type", "client_credentials")], authorization: wrong)
            #expect(status == .unauthorized)
            #expect(json["error"] as? String == "invalid_client")
            #expect(headers.first(name: .wwwAuthenticate)?.hasPrefix("Basic") == true)

            let (none, _, _) = try await client.tokenRequest(app, [("grant_type", "client_credentials")], authorization: "")
            #expect(none == .unauthorized)
            let (post, _, _) = try await client.tokenRequest(app, [
                ("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.credentials.clientSecret),
            ], authorization: "")
            #expect(post == .ok)
            let (both, _, bothJSON) = try await client.tokenRequest(app, [
                ("grant_type", "client_credentials"), ("client_secret", client.credentials.clientSecret)])
            #expect(both == .badRequest)
            #expect(bothJSON["error"] as? String == "invalid_request")

            let (unsupported, _, unsupportedJSON) = try await client.tokenRequest(app, [("grant_type", "password")])
            #expect(unsupported == .badRequest)
            #expect(unsupportedJSON["error"] as? String == "unsupported_grant_type")
            let (missing, _, missingJSON) = try await client.tokenRequest(app, [("grant_type", "authorization_code")])
            #expect(missing == .badRequest)
            #expect(missingJSON["error"] as? String == "invalid_request")
            let (badCode, _, badCodeJSON) = try await client.tokenRequest(app, [("grant_type", "authorization_code"), ("code", "nope")])
            #expect(badCode == .badRequest)
            #expect(badCodeJSON["error_description"] as? String == "Invalid code: nope.")
        }
    }

    @Test func revocationRevokesRefreshFamiliesAndSingleAccessTokens() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let (_, _, tokens) = try await exchange(app, client, code: try await code(app, client))
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            let (status, _, _) = try await client.tokenRequest(app, [("token", refresh), ("token_type_hint", "refresh_token")], path: "/oauth/revoke")
            #expect(status == .ok)
            #expect(try await !isActive(app, client, access))
            #expect(try await !isActive(app, client, refresh))

            let (_, _, more) = try await exchange(app, client, code: try await code(app, client))
            let otherAccess = try #require(more["access_token"] as? String)
            let otherRefresh = try #require(more["refresh_token"] as? String)
            _ = try await client.tokenRequest(app, [("token", otherAccess)], path: "/oauth/revoke")
            #expect(try await !isActive(app, client, otherAccess))
            #expect(try await isActive(app, client, otherRefresh))

            let (unknown, _, _) = try await client.tokenRequest(app, [("token", "cpa_unknown")], path: "/oauth/revoke")
            #expect(unknown == .ok)
            let (missing, _, _) = try await client.tokenRequest(app, [], path: "/oauth/revoke")
            #expect(missing == .badRequest)
        }
    }

    @Test func introspectionDescribesOnlyTheClientsOwnActiveTokens() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let other = try await TestClient.register(app)
            let (_, _, tokens) = try await exchange(app, client, code: try await code(app, client))
            let access = try #require(tokens["access_token"] as? String)
            let (_, _, json) = try await client.tokenRequest(app, [("token", access)], path: "/oauth/introspect")
            #expect(json["active"] as? Bool == true)
            #expect(json["client_id"] as? String == client.id)
            #expect(json["scope"] as? String == "read_battery read_vehicle_info")
            #expect(json["token_type"] as? String == "Bearer")
            #expect((json["exp"] as? Int ?? 0) > Int(Date().timeIntervalSince1970))
            #expect((json["sub"] as? String)?.isEmpty == false)
            let (_, _, foreign) = try await other.tokenRequest(app, [("token", access)], path: "/oauth/introspect")
            #expect(foreign["active"] as? Bool == false)
            #expect(foreign.count == 1)
        }
    }

    @Test func codesAndTokensAreStoredOnlyAsDigests() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let code = try await code(app, client)
            let (_, _, tokens) = try await exchange(app, client, code: code)
            let secrets = [code, tokens["access_token"] as? String ?? "", tokens["refresh_token"] as? String ?? ""]
            let sql = try #require(app.db as? any SQLDatabase)
            var stored = try await sql.select().column("digest").from("tokens").all().map { try $0.decode(column: "digest", as: String.self) }
            stored += try await sql.select().column("digest").from("authorization_codes").all().map { try $0.decode(column: "digest", as: String.self) }
            for secret in secrets {
                #expect(!stored.contains(secret))
                #expect(stored.contains(SecretToken.digest(secret)))
            }
        }
    }

    @Test func metadataAdvertisesS256AndTheEndpoints() async throws {
        try await TestCarport.withApp { app in
            try await app.testing().test(.GET, ".well-known/oauth-authorization-server") { response in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let issuer = app.carport.configuration.publicURL
                #expect(json["issuer"] as? String == issuer)
                #expect(json["code_challenge_methods_supported"] as? [String] == ["S256"])
                #expect(json["token_endpoint"] as? String == "\(issuer)/oauth/token")
                #expect(json["revocation_endpoint"] as? String == "\(issuer)/oauth/revoke")
                #expect(json["authorization_response_iss_parameter_supported"] as? Bool == true)
            }
        }
    }
}
