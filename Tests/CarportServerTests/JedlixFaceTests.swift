import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The Jedlix face: users, user JWTs, connect sessions driven as the SDK loop does (jedlix.md §6), vehicles,
/// charging locations, chargers and errors.
@Suite struct JedlixFaceTests {
    /// An application with a user-token key and one Jedlix user.
    struct JedlixApp {
        let app: Application
        let client: TestClient
        let key: Data
        let userID: String

        static let issuer = "https://idp.app.example", audience = "carport-jedlix"

        static func make(_ app: Application, mode: ApplicationMode = .test) async throws -> JedlixApp {
            let client = try await TestClient.register(app, mode: mode)
            let key = try #require(Base64URL.decode(try await app.applicationRegistry.registerUserTokenKey(
                clientID: client.id, issuer: issuer, audience: audience)))
            let (_, _, tokens) = try await client.tokenRequest(app, [("grant_type", "client_credentials")])
            let appToken = try #require(tokens["access_token"] as? String)
            var created: (HTTPStatus, Any?)?
            try await app.testing().test(.POST, "/api/v1/users", headers: ["ApiKey": client.credentials.apiKey, "Authorization": "Bearer \(appToken)",
                                                                           "Content-Type": "application/json"],
                                         body: ByteBuffer(string: #"{"defaultCountry":"NL","locale":"EN"}"#)) { response in
                created = (response.status, try? JSONSerialization.jsonObject(with: Data(buffer: response.body)))
            }
            #expect(created?.0 == .created)
            let userID = try #require((created?.1 as? [String: Any])?["id"] as? String)
            return JedlixApp(app: app, client: client, key: key, userID: userID)
        }

        func token(user: String? = nil, expiresIn: Double = 600, key: Data? = nil) throws -> String {
            try UserTokenVerifier.sign(["iss": Self.issuer, "aud": Self.audience, "exp": Int(Date().timeIntervalSince1970 + expiresIn),
                                        "jedlix_user_id": user ?? userID], secret: key ?? self.key)
        }

        /// Calls the API as the user (or with `token`); returns status, content type and JSON.
        func call(_ method: HTTPMethod, _ path: String, json: String? = nil, token: String? = nil, apiKey: String? = nil,
                  user: String? = nil) async throws -> (HTTPStatus, String?, Any?) {
            var headers: HTTPHeaders = ["Authorization": "Bearer \(try token ?? self.token())", "ApiKey": apiKey ?? client.credentials.apiKey]
            if json != nil { headers.add(name: .contentType, value: "application/json") }
            var result: (HTTPStatus, String?, Any?)?
            try await app.testing().test(method, "/api/v1/users/\(user ?? userID)" + path, headers: headers,
                                         body: json.map { ByteBuffer(string: $0) }) { response in
                result = (response.status, response.headers.first(name: .contentType),
                          try? JSONSerialization.jsonObject(with: Data(buffer: response.body), options: .fragmentsAllowed))
            }
            return try #require(result)
        }

        func object(_ method: HTTPMethod, _ path: String, json: String? = nil, expect status: HTTPStatus = .ok) async throws -> [String: Any] {
            let (actual, _, body) = try await call(method, path, json: json)
            #expect(actual == status, "\(method) \(path): \(String(describing: body))")
            return try #require(body as? [String: Any])
        }

        /// The SDK loop for hosted steps: loads `startUrl` in a fresh web view, lets `act` work each Connect page
        /// until a navigation starts with `redirectUrl`, then re-reads the session.
        func runHostedStep(_ session: [String: Any], driver: inout ConnectDriver,
                           act: (inout ConnectDriver, ConnectDriver.Page) async throws -> ConnectDriver.Page) async throws -> [String: Any] {
            let start = try #require(session["startUrl"] as? String), redirect = try #require(session["redirectUrl"] as? String)
            #expect(session["redirectInfo"] is NSNull)
            var page = try await driver.get(ConnectDriver.path(start))
            for _ in 0..<30 {
                if let location = page.location {
                    if location.hasPrefix(redirect) { break }
                    page = try await driver.get(ConnectDriver.path(location))
                    continue
                }
                #expect(page.status == .ok, "page answered \(page.status): \(page.body.prefix(300))")
                page = try await act(&driver, page)
            }
            #expect(page.location?.hasPrefix(redirect) == true)
            return try await object(.GET, "/connect-sessions/\(try #require(session["id"] as? String))")
        }
    }

    /// Works the Connect pages as an owner: continue, brand, sign-in, first vehicle, allow.
    static func owner(make: String = "TESLA", email: String = "jedlix@example.com")
        -> (inout ConnectDriver, ConnectDriver.Page) async throws -> ConnectDriver.Page {
        { driver, page in
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            if page.body.contains("id=\"continue-button\"") { return try await driver.post("\(flowPath)/continue", form: [("csrf_token", page.csrfToken ?? "")]) }
            if page.body.contains("class=\"brand-list-item\"") { return try await driver.post("\(flowPath)/brand", form: [("csrf_token", page.csrfToken ?? ""), ("brand", make)]) }
            if page.body.contains("id=\"sign-in-button\"") {
                return try await driver.post("\(flowPath)/sign-in", form: [("csrf_token", page.csrfToken ?? ""), ("username", email), ("password", "pw")])
            }
            if page.body.contains("id=\"vehicles-continue-button\"") {
                let vin = try #require(ConnectDriver.values(named: "vin", in: page.body).first)
                return try await driver.post("\(flowPath)/vehicles", form: [("csrf_token", page.csrfToken ?? ""), ("vin", vin)])
            }
            #expect(page.body.contains("approval-button"), "unexpected page: \(page.body.prefix(300))")
            return try await driver.post("\(flowPath)/consent", form: [("csrf_token", page.csrfToken ?? ""), ("decision", "approve")]
                                         + ConnectDriver.values(named: "permission", in: page.body).map { ("permission", $0) })
        }
    }

    /// `2024-05-01T10:00:00.000000`: six fractional digits, no zone.
    static func isMicroDate(_ text: Any?) -> Bool {
        (text as? String)?.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}/#) != nil
    }

    @Test func simulatedVehicleSessionConnectsOneCarPerUser() async throws {
        try await TestCarport.withApp { app in
            let jedlix = try await JedlixApp.make(app)
            let created = try await jedlix.object(.POST, "/vehicles/connect-sessions", json: "{}", expect: .created)
            #expect(created["isFinished"] as? Bool == false)
            #expect(created["vehicleId"] is NSNull)
            let start = try #require(created["startUrl"] as? String)
            #expect(created["redirectUrl"] as? String == "\(app.carport.configuration.publicURL)/connect-sessions/done")

            // Unfinished sessions are listed; the same session read again keeps its start URL (no reload).
            let (_, _, listed) = try await jedlix.call(.GET, "/connect-sessions?type=vehicle")
            #expect((listed as? [[String: Any]])?.map { $0["id"] as? String } == [created["id"] as? String])
            #expect(try await jedlix.object(.GET, "/connect-sessions/\(created["id"] as! String)")["startUrl"] as? String == start)

            var driver = ConnectDriver(app: app)
            let finished = try await jedlix.runHostedStep(created, driver: &driver, act: Self.owner(make: "KIA", email: "kia+2@example.com"))
            #expect(finished["isFinished"] as? Bool == true)
            #expect(finished["startUrl"] is NSNull && finished["redirectUrl"] is NSNull && finished["redirectInfo"] is NSNull)
            let vehicleID = try #require(finished["vehicleId"] as? String)

            let (status, _, vehicles) = try await jedlix.call(.GET, "/vehicles")
            #expect(status == .ok)
            let vehicle = try #require((vehicles as? [[String: Any]])?.first)
            #expect(vehicle["id"] as? String == vehicleID)
            #expect(vehicle["isConnected"] as? Bool == true && vehicle["isConnectable"] as? Bool == true)
            #expect((vehicle["details"] as? [String: Any])?["brand"] as? String == "Kia")
            #expect(Self.isMicroDate(vehicle["createdAt"]))
            let charge = try #require(vehicle["chargeState"] as? [String: Any])
            #expect((0...100).contains(charge["batteryLevel"] as? Int ?? -1))
            #expect(["charging", "complete", "stopped", "disconnected"].contains(charge["chargeState"] as? String ?? ""))
            #expect(Self.isMicroDate(charge["updatedAt"]))
            #expect((vehicle["capabilities"] as? [String])?.contains("startStopCharging") == true)

            // One car per user: a second session is refused and the first vehicle stays.
            let (conflict, type, problem) = try await jedlix.call(.POST, "/vehicles/connect-sessions", json: "{}")
            #expect(conflict == .conflict)
            #expect(type == "application/json; charset=utf-8")
            #expect((problem as? [String: Any])?["detail"] as? String != nil && (problem as? [String: Any])?["title"] as? String != nil)
            #expect(try await jedlix.object(.GET, "/vehicles/\(vehicleID)")["id"] as? String == vehicleID)
            let (listedAfter, _, _) = try await jedlix.call(.GET, "/connect-sessions?type=vehicle")
            #expect(listedAfter == .ok)

            // The vehicle itself may be connected again (selected-vehicle session: its brand and VIN are preset).
            let again = try await jedlix.object(.POST, "/vehicles/\(vehicleID)/connect-sessions", json: "{}", expect: .created)
            var second = ConnectDriver(app: app)
            let reconnected = try await jedlix.runHostedStep(again, driver: &second, act: Self.owner(make: "KIA", email: "kia+2@example.com"))
            #expect(reconnected["isFinished"] as? Bool == true && reconnected["vehicleId"] as? String == vehicleID)

            // Removing it frees the slot.
            let (deleted, _, _) = try await jedlix.call(.DELETE, "/vehicles/\(vehicleID)", json: "{}")
            #expect(deleted == .noContent)
            let (emptied, _, remaining) = try await jedlix.call(.GET, "/vehicles")
            #expect(emptied == .ok && (remaining as? [Any])?.isEmpty == true)
            let (allowed, _, _) = try await jedlix.call(.POST, "/vehicles/connect-sessions")
            #expect(allowed == .created)
        }
    }

    @Test func chargeSettingsAreTheVehiclesSmartChargingPolicy() async throws {
        try await TestCarport.withApp { app in
            let jedlix = try await JedlixApp.make(app)
            let created = try await jedlix.object(.POST, "/vehicles/connect-sessions", json: "{}", expect: .created)
            var driver = ConnectDriver(app: app)
            let finished = try await jedlix.runHostedStep(created, driver: &driver, act: Self.owner(make: "KIA", email: "kia+3@example.com"))
            let vehicleID = try #require(finished["vehicleId"] as? String)
            let path = "/vehicles/\(vehicleID)/charge-settings"
            let initial = try await jedlix.object(.GET, path)
            #expect(initial["isSmartChargingEnabled"] as? Bool == false && initial["timeZone"] as? String == "UTC")
            #expect((initial["departureTimes"] as? [String: Any])?["monday"] is NSNull)
            for bad in [#"{}"#, #"{"departureTimes":{"funday":"07:00"}}"#, #"{"departureTimes":{"monday":"7am"}}"#,
                        #"{"departureTimes":{},"isSmartChargingEnabled":true}"#, #"{"departureTimes":{},"timeZone":"Mars/Olympus"}"#,
                        #"{"departureTimes":{},"desiredBatteryLevel":40}"#, #"{"departureTimes":{},"directChargingBatteryLevel":101}"#,
                        #"{"departureTimes":{},"isBidirectionalChargingEnabled":true}"#] {
                let (status, _, problem) = try await jedlix.call(.PUT, path, json: bad)
                #expect(status == .badRequest, "\(bad)")
                #expect((problem as? [String: Any])?["detail"] is String)
            }
            let set = try await jedlix.object(.PUT, path, json: """
                {"isSmartChargingEnabled":true,"departureTimes":{"monday":"07:30","friday":"08:15","sunday":null},
                 "timeZone":"Europe/Amsterdam","directChargingBatteryLevel":30,"desiredBatteryLevel":90}
                """)
            #expect(set["isSmartChargingEnabled"] as? Bool == true && set["timeZone"] as? String == "Europe/Amsterdam")
            #expect((set["departureTimes"] as? [String: Any])?["monday"] as? String == "07:30")
            #expect((set["departureTimes"] as? [String: Any])?["friday"] as? String == "08:15")
            #expect((set["departureTimes"] as? [String: Any])?["sunday"] is NSNull)
            #expect(set["directChargingBatteryLevel"] as? Int == 30 && set["desiredBatteryLevel"] as? Int == 90)
            #expect(try await jedlix.object(.GET, path)["desiredBatteryLevel"] as? Int == 90, "kept")
            let policy = try await Request(application: app, on: app.eventLoopGroup.next()).smartChargingStore
                .policy(vehicleID: try #require(UUID(uuidString: vehicleID)))
            #expect(policy.isActive && policy.departures == [2: 450, 6: 495] && policy.minimumChargeLevel == 0.3 && policy.targetLevel == 0.9)
            let (status, _, sessions) = try await jedlix.call(.GET, "/vehicles/\(vehicleID)/charging-sessions")
            #expect(status == .ok && (sessions as? [Any])?.isEmpty == true, "no plan before the car is plugged in at home")
            #expect(try await jedlix.call(.GET, "/vehicles/\(UUID())/charge-settings").0 == .notFound)
        }
    }

    @Test func aResumedSessionWorksInAFreshWebView() async throws {
        try await TestCarport.withApp { app in
            let jedlix = try await JedlixApp.make(app)
            let created = try await jedlix.object(.POST, "/vehicles/connect-sessions", json: "{}", expect: .created)
            // The first web view gets as far as the brand list, then the user leaves.
            var first = ConnectDriver(app: app)
            var page = try await first.get(ConnectDriver.path(try #require(created["startUrl"] as? String)))
            page = try await first.get(try #require(page.location))
            #expect(page.body.contains("continue-button"))
            // Resume: the host app reads the session and loads it in a new web view (no cookies).
            let resumed = try await jedlix.object(.GET, "/connect-sessions/\(try #require(created["id"] as? String))")
            var second = ConnectDriver(app: app)
            let finished = try await jedlix.runHostedStep(resumed, driver: &second, act: Self.owner(make: "BMW"))
            #expect(finished["isFinished"] as? Bool == true)
            // The first web view lost the flow.
            let stale = try await first.post("\(try #require(ConnectDriver.flowPath(in: page.body)))/continue", form: [("csrf_token", page.csrfToken ?? "")])
            #expect(stale.status == .forbidden || stale.status == .notFound)
            let (_, _, listed) = try await jedlix.call(.GET, "/connect-sessions?type=vehicle")
            #expect((listed as? [Any])?.isEmpty == true)
        }
    }

    @Test func aDeclinedConsentStartsTheSessionOver() async throws {
        try await TestCarport.withApp { app in
            let jedlix = try await JedlixApp.make(app)
            let created = try await jedlix.object(.POST, "/vehicles/connect-sessions", json: "{}", expect: .created)
            var driver = ConnectDriver(app: app)
            let deny: (inout ConnectDriver, ConnectDriver.Page) async throws -> ConnectDriver.Page = { driver, page in
                if page.body.contains("id=\"deny-button\""), let flowPath = ConnectDriver.flowPath(in: page.body) {
                    return try await driver.post("\(flowPath)/consent", form: [("csrf_token", page.csrfToken ?? ""), ("decision", "deny")])
                }
                return try await Self.owner(make: "BMW")(&driver, page)
            }
            let next = try await jedlix.runHostedStep(created, driver: &driver, act: deny)
            #expect(next["isFinished"] as? Bool == false)
            #expect(next["startUrl"] as? String != created["startUrl"] as? String)
            let finished = try await jedlix.runHostedStep(next, driver: &driver, act: Self.owner(make: "BMW"))
            #expect(finished["isFinished"] as? Bool == true)
        }
    }

    @Test func chargerAndEnergySupplierSessions() async throws {
        try await TestCarport.withApp { app in
            let jedlix = try await JedlixApp.make(app)
            let location = try await jedlix.object(.POST, "/charging-locations", json: """
                {"coordinates":{"latitude":52.37,"longitude":4.89},"address":{"street":"Damrak","houseNumber":"1","city":"Amsterdam","country":"NL"}}
                """, expect: .created)
            let locationID = try #require(location["id"] as? String)
            #expect(location["userId"] as? String == jedlix.userID)
            #expect(Self.isMicroDate(location["createdAt"]))

            let session = try await jedlix.object(.POST, "/charging-locations/\(locationID)/chargers/connect-sessions", json: "{}", expect: .created)
            #expect(session["chargingLocationId"] as? String == locationID)
            #expect(session["chargerId"] is NSNull)
            var driver = ConnectDriver(app: app)
            let finished = try await jedlix.runHostedStep(session, driver: &driver) { driver, page in
                let key = try #require(TeslaWorld.hiddenValue("key", in: page.body))
                let id = session["id"] as! String
                if page.body.contains("charger-brand") {
                    return try await driver.post("/connect-sessions/\(id)/charger/sign-in",
                                                 form: [("key", key), ("brand", "ZAPTEC"), ("username", "home+2@example.com"), ("password", "pw")])
                }
                let serial = try #require(ConnectDriver.values(named: "serial", in: page.body).first)
                return try await driver.post("/connect-sessions/\(id)/charger/choose", form: [("key", key), ("serial", serial)])
            }
            #expect(finished["isFinished"] as? Bool == true)
            let chargerID = try #require(finished["chargerId"] as? String)
            let (_, _, chargers) = try await jedlix.call(.GET, "/chargers")
            let charger = try #require((chargers as? [[String: Any]])?.first)
            #expect(charger["id"] as? String == chargerID && charger["chargingLocationId"] as? String == locationID)
            #expect((charger["detail"] as? [String: Any])?["brand"] as? String == "Zaptec")
            let state = try await jedlix.object(.GET, "/charging-locations/\(locationID)/chargers/\(chargerID)/state")
            #expect(["charging", "complete", "stopped", "disconnected"].contains(state["chargeState"] as? String ?? ""))
            #expect(try #require(state["timeStamp"] as? String).wholeMatch(of: #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/#) != nil)

            let supplierSession = try await jedlix.object(.POST, "/charging-locations/\(locationID)/energy-supplier/connect-sessions",
                                                          json: "{}", expect: .created)
            var browser = ConnectDriver(app: app)
            let supplied = try await jedlix.runHostedStep(supplierSession, driver: &browser) { driver, page in
                let key = try #require(TeslaWorld.hiddenValue("key", in: page.body))
                return try await driver.post("/connect-sessions/\(supplierSession["id"] as! String)/energy-supplier",
                                             form: [("key", key), ("supplier", "eneco"), ("contract_number", "C-123"), ("meter_code", "")])
            }
            #expect(supplied["isFinished"] as? Bool == true)
            let read = try await jedlix.object(.GET, "/charging-locations/\(locationID)")
            let details = try #require(read["energySupplierDetails"] as? [String: Any])
            #expect(details["name"] as? String == "Eneco" && details["contractNumber"] as? String == "C-123")
            #expect((read["chargers"] as? [Any])?.count == 1)

            // A session whose location is deleted meanwhile ends with a page, not an error.
            let orphan = try await jedlix.object(.POST, "/charging-locations/\(locationID)/chargers/connect-sessions", json: "{}", expect: .created)
            var web = ConnectDriver(app: app)
            let entered = try await web.get(ConnectDriver.path(try #require(orphan["startUrl"] as? String)))
            let signIn = try await web.get(try #require(entered.location))
            let key = try #require(TeslaWorld.hiddenValue("key", in: signIn.body))
            let (deleted, _, _) = try await jedlix.call(.DELETE, "/charging-locations/\(locationID)")
            #expect(deleted == .noContent)
            let ended = try await web.post("/connect-sessions/\(orphan["id"] as! String)/charger/sign-in",
                                           form: [("key", key), ("brand", "ZAPTEC"), ("username", "home@example.com"), ("password", "pw")])
            #expect(ended.status == .notFound && ended.body.contains("This link has ended"))
        }
    }

    @Test func teslaSessionHandsTheSignInToTheAppAndChecksItsReport() async throws {
        try await TeslaWorld.run { world in
            let jedlix = try await JedlixApp.make(world.carport, mode: .live)
            let created = try await jedlix.object(.POST, "/vehicles/connect-sessions", expect: .created)
            let id = try #require(created["id"] as? String)
            // The hosted step: only Tesla is offered in live mode; choosing it ends the step at the done URL.
            var driver = ConnectDriver(app: world.carport)
            let external = try await jedlix.runHostedStep(created, driver: &driver, act: Self.owner(make: "TESLA"))
            let start = try #require(external["startUrl"] as? String)
            #expect(start.hasPrefix("\(world.fakeOrigin)/oauth2/v3/authorize?"))
            #expect(external["redirectUrl"] as? String == TeslaWorld.callback)
            let info = try #require(external["redirectInfo"] as? [String: Any])
            #expect(info["includeRedirectUrl"] as? Bool == true && info["includeBody"] as? Bool == false)
            #expect(info["includeCookies"] as? [String] == ["tesla-auth.sid"])

            // The web view signs in at Tesla; the SDK intercepts the redirect to the callback and reports it.
            let login = try await TeslaWorld.http(.GET, start)
            let cookie = try #require(login.headers.first(name: "Set-Cookie")?.split(separator: ";").first.map(String.init))
            var form = ["_csrf", "_phase", "_process", "transaction_id", "cancel", "scope_choice"].map { ($0, TeslaWorld.hiddenValue($0, in: login.body) ?? "") }
            form += [("identity", "owner@example.com"), ("credential", "tesla-password")]
            form += ConnectDriver.values(named: "granted_scope", in: login.body).map { ("granted_scope", $0) }
            let back = try await TeslaWorld.http(.POST, start, headers: [("Cookie", cookie)], form: form)
            let callback = try #require(back.headers.first(name: "Location"))
            #expect(callback.hasPrefix(TeslaWorld.callback))

            // A report whose state is not this step's is refused; the real one moves the session on.
            let forged = callback.replacingOccurrences(of: "state=", with: "state=0")
            let (refused, _, problem) = try await jedlix.call(.POST, "/connect-sessions/\(id)/info", json: #"{"body":null,"redirectUrl":"\#(forged)"}"#)
            #expect(refused == .badRequest, "\(String(describing: problem))")
            let sid = String(cookie.split(separator: "=", maxSplits: 1).last ?? "")
            let next = try await jedlix.object(.POST, "/connect-sessions/\(id)/info",
                                               json: #"{"body":"\"<html></html>\"","cookies":{"tesla-auth.sid":"\#(sid)"},"redirectUrl":"\#(callback)"}"#)
            #expect(next["isFinished"] as? Bool == false && next["redirectInfo"] is NSNull)
            let finished = try await jedlix.runHostedStep(next, driver: &driver, act: Self.owner(make: "TESLA"))
            #expect(finished["isFinished"] as? Bool == true)
            let vehicle = try await jedlix.object(.GET, "/vehicles/\(try #require(finished["vehicleId"] as? String))")
            #expect((vehicle["details"] as? [String: Any])?["brand"] as? String == "Tesla")
            #expect(vehicle["isConnected"] as? Bool == true)
            // The same code cannot be reported twice.
            let (replayed, _, _) = try await jedlix.call(.POST, "/connect-sessions/\(id)/info", json: #"{"redirectUrl":"\#(callback)"}"#)
            #expect(replayed == .badRequest)
        }
    }

    @Test func errorsAreJSONProblemsWithTitleAndDetail() async throws {
        try await TestCarport.withApp { app in
            let jedlix = try await JedlixApp.make(app)
            let other = try await JedlixApp.make(app)
            let created = try await jedlix.object(.POST, "/vehicles/connect-sessions", expect: .created)
            let sessionID = try #require(created["id"] as? String)

            func expectProblem(_ result: (HTTPStatus, String?, Any?), _ status: HTTPStatus, _ line: Int = #line) {
                #expect(result.0 == status, "line \(line): \(String(describing: result.2))")
                #expect(result.1 == "application/json; charset=utf-8", "line \(line)")
                let body = result.2 as? [String: Any]
                #expect(body?["title"] is String && body?["detail"] is String && body?["status"] as? Int == Int(status.code), "line \(line)")
            }
            expectProblem(try await jedlix.call(.GET, "/vehicles", token: try jedlix.token(expiresIn: -30)), .unauthorized)
            expectProblem(try await jedlix.call(.GET, "/vehicles", token: try jedlix.token(key: other.key)), .unauthorized)
            expectProblem(try await jedlix.call(.GET, "/vehicles", token: "not-a-jwt"), .unauthorized)
            expectProblem(try await jedlix.call(.GET, "/vehicles", apiKey: "cpk_wrong"), .unauthorized)
            expectProblem(try await jedlix.call(.GET, "/vehicles", apiKey: other.client.credentials.apiKey), .unauthorized)
            expectProblem(try await jedlix.call(.GET, "/vehicles", user: other.userID), .forbidden)
            expectProblem(try await other.call(.GET, "/connect-sessions/\(sessionID)"), .notFound)
            expectProblem(try await jedlix.call(.GET, "/connect-sessions/\(UUID().uuidString)"), .notFound)
            expectProblem(try await jedlix.call(.POST, "/connect-sessions/\(sessionID)/info", json: "[1]"), .badRequest)
            expectProblem(try await jedlix.call(.POST, "/connect-sessions/\(sessionID)/info", json: #"{"redirectUrl":"https://x.example/cb?code=1"}"#), .badRequest)
            expectProblem(try await jedlix.call(.POST, "/connect-sessions/\(sessionID)/info", json: #"{"cookies":"nope"}"#), .badRequest)
            expectProblem(try await jedlix.call(.GET, "/connect-sessions?type=boat"), .badRequest)
            expectProblem(try await jedlix.call(.GET, "/vehicles/\(UUID().uuidString)"), .notFound)
            expectProblem(try await jedlix.call(.POST, "/charging-locations/\(UUID().uuidString)/chargers/connect-sessions"), .notFound)
            expectProblem(try await jedlix.call(.POST, "/charging-locations", json: #"{"coordinates":{"latitude":123,"longitude":4}}"#), .badRequest)
        }
    }
}
