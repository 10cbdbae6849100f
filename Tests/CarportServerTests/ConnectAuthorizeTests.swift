import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The authorization endpoint and the Connect pages.
@Suite struct ConnectAuthorizeTests {
    @Test func aFullFlowRedirects303WithCodeStateAndIssuer() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let redirect = try await driver.connect(client.authorizePath(state: "s+1&x"))
            #expect(redirect.hasPrefix("https://app.example/callback?code=cpc_"))
            let query = ConnectDriver.query(redirect)
            #expect(query["state"] == "s+1&x")
            #expect(query["iss"] == app.carport.configuration.publicURL)
        }
    }

    @Test func unknownClientOrUnregisteredRedirectShowsAnErrorPageAndNeverRedirects() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            for path in [
                client.authorizePath([("client_id", UUID().uuidString)]),
                client.authorizePath([("client_id", "not-a-uuid")]),
                client.authorizePath([("redirect_uri", "https://evil.example/callback")]),
                client.authorizePath([("redirect_uri", "https://app.example/callback/extra")]),
            ] {
                let page = try await driver.get(path)
                #expect(page.status == .badRequest)
                #expect(page.location == nil)
                #expect(page.body.contains("This link does not work"))
            }
        }
    }

    @Test func omittedRedirectURIUsesTheOnlyRegisteredOneAndIsAnErrorWithSeveral() async throws {
        try await TestCarport.withApp { app in
            let single = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let started = try await driver.get(single.authorizePath([("redirect_uri", "<omit>")]))
            #expect(started.status == .seeOther)
            #expect(started.location?.hasPrefix("/connect/") == true)

            let several = try await TestClient.register(app, redirectURIs: ["https://a.example/cb", "https://b.example/cb"])
            let page = try await driver.get(several.authorizePath([("redirect_uri", "<omit>")]))
            #expect(page.status == .badRequest)
        }
    }

    @Test(arguments: [
        ([("response_type", "token")], "unsupported_response_type"),
        ([("scope", "read_battery read_minds")], "invalid_scope"),
        ([("scope", "<omit>")], "invalid_scope"),
        ([("mode", "production")], "invalid_request"),
        ([("approval_prompt", "sometimes")], "invalid_request"),
        ([("code_challenge", String(repeating: "a", count: 43)), ("code_challenge_method", "plain")], "invalid_request"),
        ([("code_challenge", String(repeating: "a", count: 43))], "invalid_request"),
        ([("code_challenge_method", "S256")], "invalid_request"),
        ([("code_challenge", "short"), ("code_challenge_method", "S256")], "invalid_request"),
        ([("mode", "live")], "configuration_error"),
        ([("make", "DELOREAN")], "invalid_request"),
    ])
    func badParametersRedirectWithAnOAuthError(parameters: [(String, String)], error: String) async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let response = try await driver.get(client.authorizePath(parameters))
            #expect(response.status == .seeOther)
            let location = try #require(response.location)
            #expect(location.hasPrefix(client.redirectURI + "?"))
            let query = ConnectDriver.query(location)
            #expect(query["error"] == error)
            #expect(query["error_description"]?.isEmpty == false)
            #expect(query["state"] == "xyz")
        }
    }

    @Test func repeatedParametersAreRejected() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let response = try await driver.get(client.authorizePath() + "&scope=read_odometer")
            #expect(try response.redirectQuery()["error"] == "invalid_request")
        }
    }

    @Test func plusAndPercentTwentySeparateScopesAlike() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let plus = client.authorizePath().replacingOccurrences(of: "read_battery%20read_vehicle_info", with: "read_battery+read_vehicle_info")
            let page = try await driver.start(plus)
            #expect(page.status == .ok)
        }
    }

    @Test func denyRedirectsWithAccessDenied() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let redirect = try await driver.connect(client.authorizePath(), decision: "deny")
            let query = ConnectDriver.query(redirect)
            #expect(query["error"] == "access_denied")
            #expect(query["state"] == "xyz")
            #expect(query["code"] == nil)
        }
    }

    @Test func requiredPermissionsCannotBeDeclinedAndOptionalOnesCan() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            var page = try await driver.start(client.authorizePath(scope: "required:read_odometer read_battery read_location"))
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            page = try await driver.submit(page, flowPath: flowPath, action: "continue", [])
            page = try await driver.submit(page, flowPath: flowPath, action: "brand", [("brand", "BMW")])
            page = try await driver.submit(page, flowPath: flowPath, action: "sign-in", [("username", "a@b.example"), ("password", "x")])
            #expect(page.body.contains("id=\"permission-read_odometer\" type=\"checkbox\" checked disabled"))
            #expect(page.body.contains("(required)"))
            #expect(page.body.contains("See the distance your car has driven"))
            // The owner unticks everything they can: only read_location stays, plus the required one.
            let result = try await driver.submit(page, flowPath: flowPath, action: "consent",
                                                 [("decision", "approve"), ("permission", "read_location")])
            let code = try #require(try result.redirectQuery()["code"])
            let (_, _, json) = try await client.tokenRequest(app, [("grant_type", "authorization_code"), ("code", code),
                                                                   ("redirect_uri", client.redirectURI)])
            #expect(json["scope"] as? String == "read_odometer read_location")
        }
    }

    @Test func autoApprovalSkipsConsentOnlyForWhatTheOwnerAlreadyGranted() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var first = ConnectDriver(app: app)
            _ = try await first.connect(client.authorizePath(scope: "read_battery read_odometer"), email: "again@example.com")

            func signIn(_ parameters: [(String, String)], scope: String) async throws -> ConnectDriver.Page {
                var driver = ConnectDriver(app: app)
                var page = try await driver.start(client.authorizePath(parameters, scope: scope))
                let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
                page = try await driver.submit(page, flowPath: flowPath, action: "continue", [])
                page = try await driver.submit(page, flowPath: flowPath, action: "brand", [("brand", "TESLA")])
                let token = try #require(page.csrfToken)
                return try await driver.post(flowPath + "/sign-in", form: [("csrf_token", token), ("username", "again@example.com"), ("password", "x")])
            }
            let skipped = try await signIn([], scope: "read_battery")
            #expect(skipped.status == .seeOther)
            #expect(try skipped.redirectQuery()["code"] != nil, "a subset of what was granted needs no consent")
            let forced = try await signIn([("approval_prompt", "force")], scope: "read_battery")
            #expect(forced.location?.hasPrefix("/connect/") == true, "force shows the consent page")
            let broader = try await signIn([], scope: "read_battery read_location")
            #expect(broader.location?.hasPrefix("/connect/") == true, "a new permission needs consent")
        }
    }

    @Test func makeSkipsTheBrandList() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            var page = try await driver.start(client.authorizePath([("make", "kia")]))
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            page = try await driver.submit(page, flowPath: flowPath, action: "continue", [])
            #expect(page.body.contains("Sign in to Kia"))
            #expect(!page.body.contains("class=\"brand-list-item\""))
        }
    }

    @Test func brandListHasSmartcarElementIdsAndServerSideSearch() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            var page = try await driver.start(client.authorizePath())
            #expect(page.body.contains("id=\"continue-button\""))
            #expect(page.body.contains("class=\"page-content\""))
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            page = try await driver.submit(page, flowPath: flowPath, action: "continue", [])
            #expect(page.body.contains("id=\"brand-search\""))
            #expect(page.body.contains("<button id=\"CHEVROLET\" class=\"brand-list-item\""))
            let searched = try await driver.get(flowPath + "?q=tes")
            #expect(searched.body.contains("id=\"TESLA\""))
            #expect(!searched.body.contains("id=\"CHEVROLET\""))
            page = try await driver.submit(page, flowPath: flowPath, action: "brand", [("brand", "FORD")])
            for id in ["username", "password", "sign-in-button"] { #expect(page.body.contains("id=\"\(id)\"")) }
        }
    }

    @Test func accountsWithSeveralVehiclesChooseAndSingleSelectAllowsOne() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let redirect = try await driver.connect(client.authorizePath(), email: "fleet+3@example.com")
            #expect(ConnectDriver.query(redirect)["code"] != nil)

            var single = ConnectDriver(app: app)
            var page = try await single.start(client.authorizePath([("single_select", "true")]))
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            page = try await single.submit(page, flowPath: flowPath, action: "continue", [])
            page = try await single.submit(page, flowPath: flowPath, action: "brand", [("brand", "TESLA")])
            page = try await single.submit(page, flowPath: flowPath, action: "sign-in", [("username", "fleet+3@example.com"), ("password", "x")])
            #expect(page.body.contains("type=\"radio\" name=\"vin\""))
            let vins = page.body.components(separatedBy: "name=\"vin\" value=\"").dropFirst().map { String($0.prefix(17)) }
            #expect(vins.count == 3)
            let refused = try await single.submit(page, flowPath: flowPath, action: "vehicles", vins.map { ("vin", $0) })
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("Choose one vehicle."))
        }
    }

    @Test func singleSelectVINNotInTheAccountIsNoVehicles() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let redirect = try await driver.connect(client.authorizePath([("single_select_vin", "0SCNOTINACCOUNT00")]))
            #expect(ConnectDriver.query(redirect)["error"] == "no_vehicles")
        }
    }

    @Test(arguments: [
        ("owner@vehicle-incompatible.com", "vehicle_incompatible"),
        ("owner@invalid-subscription.com", "invalid_subscription"),
        ("owner@no-vehicles.com", "no_vehicles"),
        ("0SC12345678901234@incompatible.smartcar.com", "vehicle_incompatible"),
    ])
    func specialTestAccountsEndWithTheirConnectError(email: String, error: String) async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let redirect = try await driver.connect(client.authorizePath(), make: "AUDI", email: email)
            let query = ConnectDriver.query(redirect)
            #expect(query["error"] == error)
            if error == "vehicle_incompatible" {
                #expect(query["make"] == "AUDI")
                #expect(query["vin"]?.count == 17)
                #expect(query["model"]?.isEmpty == false)
                #expect(Int(query["year"] ?? "") != nil)
            }
        }
    }

    @Test func formsWithoutTheCSRFTokenOrFromAnotherBrowserAreRefused() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let page = try await driver.start(client.authorizePath())
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            let forged = try await driver.post(flowPath + "/continue", form: [("csrf_token", "forged")])
            #expect(forged.status == .forbidden)
            let missing = try await driver.post(flowPath + "/continue", form: [])
            #expect(missing.status == .forbidden)

            var stranger = ConnectDriver(app: app)
            let viewed = try await stranger.get(flowPath)
            #expect(viewed.status == .forbidden)
            let token = try #require(page.csrfToken)
            let posted = try await stranger.post(flowPath + "/continue", form: [("csrf_token", token)])
            #expect(posted.status == .forbidden)
        }
    }

    @Test func pagesForbidFramingAndSetAStrictCookie() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let start = try await driver.get(client.authorizePath())
            let cookie = try #require(start.headers.first(name: .setCookie))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
            let location = try #require(start.location)
            let page = try await driver.get(location)
            let csp = try #require(page.headers.first(name: .contentSecurityPolicy))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(csp.contains("script-src 'nonce-"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(page.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(page.headers.first(name: "Referrer-Policy") == "no-referrer")
            let error = try await driver.get(client.authorizePath([("client_id", UUID().uuidString)]))
            #expect(error.headers.first(name: "X-Frame-Options") == "DENY")
        }
        try await TestCarport.withApp(environment: ["CARPORT_PUBLIC_URL": "https://connect.example"]) { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            let start = try await driver.get(client.authorizePath())
            #expect(start.headers.first(name: .setCookie)?.contains("Secure") == true)
        }
    }

    @Test func repeatedFailedSignInsAreLimited() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            var driver = ConnectDriver(app: app)
            var page = try await driver.start(client.authorizePath())
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            page = try await driver.submit(page, flowPath: flowPath, action: "continue", [])
            page = try await driver.submit(page, flowPath: flowPath, action: "brand", [("brand", "TESLA")])
            let token = try #require(page.csrfToken)
            for _ in 1..<ConnectService.maxFailedSignIns {
                let failed = try await driver.post(flowPath + "/sign-in", form: [("csrf_token", token), ("username", "not-an-email"), ("password", "x")])
                #expect(failed.status == .unprocessableEntity)
                #expect(failed.body.contains("role=\"alert\""))
            }
            let last = try await driver.post(flowPath + "/sign-in", form: [("csrf_token", token), ("username", "not-an-email"), ("password", "x")])
            #expect(last.status == .tooManyRequests)
            let valid = try await driver.post(flowPath + "/sign-in", form: [("csrf_token", token), ("username", "a@b.example"), ("password", "x")])
            #expect(valid.status == .tooManyRequests, "the flow stays locked")
        }
    }

    @Test func reauthenticationRedirectsWithTheVehicleId() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            _ = try await client.connectAndExchange(app)
            let vehicle = try #require(try await VehicleModel.query(on: app.db).first())
            let vehicleID = try vehicle.requireID().uuidString.lowercased()
            let path = "/oauth/reauthenticate?response_type=vehicle_id&client_id=\(client.id)&vehicle_id=\(vehicleID)"
                + "&redirect_uri=\(RedirectURL.encode(client.redirectURI))&state=again"
            var driver = ConnectDriver(app: app)
            var page = try await driver.start(path)
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            page = try await driver.submit(page, flowPath: flowPath, action: "continue", [])
            #expect(page.body.contains("Sign in to Tesla"))
            let done = try await driver.submit(page, flowPath: flowPath, action: "sign-in", [("username", "owner@example.com"), ("password", "x")])
            let query = try done.redirectQuery()
            #expect(query["vehicle_id"] == vehicleID)
            #expect(query["state"] == "again")

            var other = ConnectDriver(app: app)
            let unknown = try await other.get(path.replacingOccurrences(of: vehicleID, with: UUID().uuidString))
            #expect(try unknown.redirectQuery()["error"] == "invalid_request")
        }
    }

    @Test func enodeLinkMapsScopesAndIssuesRefreshTokensOnlyWithOfflineAccess() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            func link(_ scope: String) -> String {
                "/enode/oauth2/auth?response_type=code&client_id=\(client.id)&redirect_uri=\(RedirectURL.encode(client.redirectURI))"
                    + "&scope=\(RedirectURL.encode(scope))&state=linkstate"
            }
            var driver = ConnectDriver(app: app)
            let redirect = try await driver.connect(link("vehicle:charge_state offline_access"))
            let code = try #require(ConnectDriver.query(redirect)["code"])
            let (status, _, json) = try await client.tokenRequest(
                app, [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                path: "/enode/oauth2/token")
            #expect(status == .ok)
            #expect(json["scope"] as? String == "vehicle:charge_state offline_access")
            #expect(json["refresh_token"] is String)
            let grant = try #require(try await GrantModel.query(on: app.db).first())
            #expect(Set(grant.permissions) == ["read_battery", "read_charge"])

            var second = ConnectDriver(app: app)
            let online = try await second.connect(link("all"))
            let (_, _, onlineJSON) = try await client.tokenRequest(
                app, [("grant_type", "authorization_code"), ("code", ConnectDriver.query(online)["code"] ?? ""),
                      ("redirect_uri", client.redirectURI)], path: "/enode/oauth2/token")
            #expect(onlineJSON["refresh_token"] == nil)

            let bad = try await second.get(link("vehicle:teleport"))
            #expect(try bad.redirectQuery()["error"] == "invalid_scope")
        }
    }
}
