import CarportConnectors
import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Connect with Tesla against the fake Tesla cloud over real HTTP: the OEM login, required Tesla permissions,
/// the virtual key, and the Smartcar face reading and commanding through the Fleet API.
@Suite(.serialized) struct TeslaConnectTests {
    @Test func connectReadsConvertedSignalsAndReturnsTheVirtualKeyURL() async throws {
        try await TeslaWorld.run { world in
            let (session, redirect) = try await world.session(scope: "read_battery read_odometer read_vin read_vehicle_info control_security control_charge")
            #expect(redirect["state"] == "xyz")
            #expect(redirect["virtual_key_url"] == "\(world.fakeOrigin)/_ak/\(TeslaWorld.domain)")
            let (status, _, battery) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            #expect(status == .ok)
            #expect(battery["percentRemaining"] as? Double == 0.62)
            #expect(battery["range"] as? Double == 309.3, "battery_range 192.2 mi in km")
            let (_, _, odometer) = try await session.call(.GET, "/v2.0/vehicles/{id}/odometer")
            #expect(odometer["distance"] as? Double == 19_868.3, "12,345.6 mi in km")
            let (_, _, attributes) = try await session.call(.GET, "/v2.0/vehicles/{id}")
            #expect(attributes["model"] as? String == "Model 3" && attributes["year"] as? Int == 2022)
        }
    }

    @Test func commandsNeedTheVirtualKeyUntilTheOwnerPairsIt() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin control_security control_charge")
            let (status, _, error) = try await session.call(.POST, "/v2.0/vehicles/{id}/security", json: #"{"action":"UNLOCK"}"#)
            #expect(status == .badRequest)
            #expect(error["type"] as? String == "CONNECTED_SERVICES_ACCOUNT" && error["code"] as? String == "VIRTUAL_KEY_REQUIRED")
            let resolution = try #require(error["resolution"] as? [String: Any])
            #expect(resolution["url"] as? String == "\(world.fakeOrigin)/_ak/\(TeslaWorld.domain)?vin=5YJ3E1EA5NF000001")
            #expect(try await world.car("5YJ3E1EA5NF000001")["locked"] as? Bool == true)

            let paired = try await world.fake(.POST, "/_ak/\(TeslaWorld.domain)", json: ["vin": "5YJ3E1EA5NF000001"])
            #expect(paired.status == 200)
            let (unlocked, _, _) = try await session.call(.POST, "/v2.0/vehicles/{id}/security", json: #"{"action":"UNLOCK"}"#)
            #expect(unlocked == .ok)
            #expect(try await world.car("5YJ3E1EA5NF000001")["locked"] as? Bool == false)

            _ = try await world.fake(.PATCH, "/_fake/vehicles/5YJ3E1EA5NF000001", json: ["pluggedIn": false])
            let (refused, _, state) = try await session.call(.POST, "/v2.0/vehicles/{id}/charge", json: #"{"action":"START"}"#)
            #expect(refused == .conflict)
            #expect(state["code"] as? String == "CHARGING_PLUG_NOT_CONNECTED")
        }
    }

    @Test func preTwentyTwentyOneModelSTakesUnsignedCommands() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin control_charge", vin: "5YJSA1E26KF000002")
            let (status, _, body) = try await session.call(.POST, "/v2.0/vehicles/{id}/charge", json: #"{"action":"START"}"#)
            #expect(status == .ok, "\(body)")
            #expect(try await world.car("5YJSA1E26KF000002")["charging"] as? Bool == true)
        }
    }

    @Test func requiredPermissionsMustBeGrantedAtTesla() async throws {
        try await TeslaWorld.run { world in
            let client = try await TestClient.register(world.carport, mode: .live)
            var driver = ConnectDriver(app: world.carport)
            let entry = client.authorizePath([("mode", "live")], scope: "read_battery required:read_location")
            let page = try await world.signInAtTesla(&driver, entry: entry, scopes: ["vehicle_device_data"])
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.contains("Return to Tesla") && page.body.contains("See where your car is"))
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            let next = try await world.teslaRoundTrip(&driver, from: page, flowPath: flowPath, email: "owner@example.com",
                                                      scopes: ["vehicle_device_data", "vehicle_location"])
            #expect(next.body.contains("vehicles-continue-button"), "both permissions granted: on to the vehicles")
        }
    }

    @Test func aTeslaScopeMissingAtReadTimeIsPermissionUntilThePermissionUpdate() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin read_location", teslaScopes: ["vehicle_device_data"])
            let (status, _, error) = try await session.call(.GET, "/v2.0/vehicles/{id}/location")
            #expect(status == .forbidden)
            #expect(error["type"] as? String == "PERMISSION")

            var driver = ConnectDriver(app: world.carport)
            let update = "/oauth/reauthenticate?response_type=vehicle_id&make=TESLA&client_id=\(session.client.id)"
                + "&redirect_uri=\(RedirectURL.encode(session.client.redirectURI))&scope=read_location&state=upd"
            let done = try await world.signInAtTesla(&driver, entry: update, scopes: ["vehicle_device_data", "vehicle_location"])
            let query = try done.redirectQuery()
            #expect(query["state"] == "upd" && query["vehicle_id"] != nil && query["code"] == nil)
            let (after, _, location) = try await session.call(.GET, "/v2.0/vehicles/{id}/location")
            #expect(after == .ok)
            #expect(location["latitude"] as? Double == 37.4924)
        }
    }

    @Test func accessRevokedAtTeslaIsConnectedServicesPermission() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery")
            #expect(try await world.fake(.POST, "/_fake/owners/owner@example.com/revoke-consent").status == 204)
            let (status, _, error) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            #expect(status == .badRequest)
            #expect(error["type"] as? String == "CONNECTED_SERVICES_ACCOUNT" && error["code"] as? String == "PERMISSION")
        }
    }

    @Test func aBrokenRefreshChainAsksTheOwnerToSignInAgain() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge")
            #expect(try await world.fake(.POST, "/_fake/owners/owner@example.com/password-change").status == 204)
            for path in ["battery", "charge"] {
                let (status, _, error) = try await session.call(.GET, "/v2.0/vehicles/{id}/\(path)")
                #expect(status == .badRequest)
                #expect(error["code"] as? String == "AUTHENTICATION_FAILED")
            }
            let stats = try await world.fake(.GET, "/_fake/stats").body
            #expect(stats["data"] == nil, "no vehicle_data call reached Tesla with dead tokens")
        }
    }

    @Test func reauthenticatingAtTeslaRestoresAccessAfterLoginRequired() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge")
            _ = try await world.fake(.POST, "/_fake/owners/owner@example.com/password-change")
            let (status, _, error) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            #expect(status == .badRequest && error["code"] as? String == "AUTHENTICATION_FAILED")
            var driver = ConnectDriver(app: world.carport)
            let reauth = "/oauth/reauthenticate?response_type=vehicle_id&client_id=\(session.client.id)"
                + "&redirect_uri=\(RedirectURL.encode(session.client.redirectURI))&vehicle_id=\(session.vehicleID)&state=re"
            let done = try await world.signInAtTesla(&driver, entry: reauth)
            let query = try done.redirectQuery()
            #expect(query["vehicle_id"] == session.vehicleID && query["state"] == "re")
            let (after, _, _) = try await session.call(.GET, "/v2.0/vehicles/{id}/charge")
            #expect(after == .ok)
        }
    }

    @Test func shortLivedTokensAreRefreshedAndRotated() async throws {
        try await TeslaWorld.run(fake: { $0.accessTokenSeconds = 30 }) { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge read_odometer")
            let vehicle = try await world.connectedVehicle(session)
            let store = FluentTeslaCredentialStore(resolveDatabase: { world.carport.db }, box: world.carport.carport.secretBox)
            let before = try #require(try await store.credentials(applicationID: vehicle.applicationID, accountKey: vehicle.accountKey))
            for path in ["battery", "charge", "odometer"] {
                let (status, _, _) = try await session.call(.GET, "/v2.0/vehicles/{id}/\(path)")
                #expect(status == .ok)
            }
            let after = try #require(try await store.credentials(applicationID: vehicle.applicationID, accountKey: vehicle.accountKey))
            #expect(after.refreshToken != before.refreshToken && after.accessToken != before.accessToken)
            let reuse = try await TeslaWorld.http(.POST, "\(world.fakeOrigin)/oauth2/v3/token", form: [
                ("grant_type", "refresh_token"), ("client_id", "carport-fleet-client"), ("refresh_token", before.refreshToken ?? ""),
            ])
            #expect(reuse.status == 401 && reuse.body.contains("login_required"), "an older refresh token is spent")
        }
    }

    @Test func anOwnerWhoMovedRegionIsFollowedAndThePartnerRegisteredThere() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery")
            #expect(try await world.fake(.POST, "/_fake/owners/owner@example.com/region", json: ["region": "eu"]).status == 204)
            let (status, _, body) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            #expect(status == .ok, "421 → eu base URL → 412 → partner registration in eu → data: \(body)")
        }
    }

    @Test func oneFleetCallFillsEverySignalOfTheCarAndLocationComesFromDriveState() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge read_odometer read_security read_location")
            for path in ["battery", "charge", "charge/limit", "odometer", "security", "location"] {
                let (status, _, body) = try await session.call(.GET, "/v2.0/vehicles/{id}/\(path)")
                #expect(status == .ok, "\(path): \(body)")
                if path == "location" { #expect(body["latitude"] as? Double == 37.4924 && body["longitude"] as? Double == -121.9447) }
            }
            let batch = #"{"requests":[{"path":"/battery"},{"path":"/charge"},{"path":"/charge/limit"},{"path":"/odometer"},{"path":"/security"},{"path":"/location"}]}"#
            let (batchStatus, _, answers) = try await session.call(.POST, "/v2.0/vehicles/{id}/batch", json: batch)
            #expect(batchStatus == .ok && (answers["responses"] as? [[String: Any]])?.allSatisfy { $0["code"] as? Int == 200 } == true)
            #expect(try await world.fake(.GET, "/_fake/stats").body["data"] as? Int == 1, "six signals, twelve reads: one vehicle_data")
            let metrics = try await world.carport.sendRequest(.GET, "/metrics").body.string
            #expect(metrics.contains(#"carport_upstream_requests_total{brand="tesla",category="data",status="200"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"carport_upstream_requests_total{brand="tesla",category="state",status="200"} 2"#),
                    "the vehicle list at sign-in, and one state check before the data request")
        }
    }

    @Test func aBatchCostsOneFleetCallEvenWithoutCaching() async throws {
        try await TeslaWorld.run(carport: ["CARPORT_MAX_AGE": "0"]) { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge read_odometer read_location")
            let batch = #"{"requests":[{"path":"/battery"},{"path":"/charge"},{"path":"/odometer"},{"path":"/location"}]}"#
            let (status, _, _) = try await session.call(.POST, "/v2.0/vehicles/{id}/batch", json: batch)
            #expect(status == .ok)
            #expect(try await world.fake(.GET, "/_fake/stats").body["data"] as? Int == 1)
            _ = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            #expect(try await world.fake(.GET, "/_fake/stats").body["data"] as? Int == 2, "max age 0: the next read asks again")
        }
    }

    @Test func readsNeverWakeACarAndAnswerTheLastReadingWithItsAge() async throws {
        try await TeslaWorld.run(carport: ["CARPORT_MAX_AGE": "1"]) { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge control_security")
            _ = try await world.fake(.PATCH, "/_fake/vehicles/5YJ3E1EA5NF000001", json: ["state": "asleep"])
            session.expectError(try await session.call(.GET, "/v2.0/vehicles/{id}/battery"), .conflict, "VEHICLE_STATE", "ASLEEP")
            _ = try await world.fake(.PATCH, "/_fake/vehicles/5YJ3E1EA5NF000001", json: ["state": "online"])
            session.expectError(try await session.call(.GET, "/v2.0/vehicles/{id}/battery"), .conflict, "VEHICLE_STATE", "ASLEEP")
            #expect(try await world.fake(.GET, "/_fake/stats").body["state"] as? Int == 1, "not asked again within the max age")
            try await Task.sleep(for: .milliseconds(1_200))
            let (awake, headers, _) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            #expect(awake == .ok)
            let age = try #require(headers.first(name: "SC-Data-Age"))
            _ = try await world.fake(.PATCH, "/_fake/vehicles/5YJ3E1EA5NF000001", json: ["state": "asleep"])
            try await Task.sleep(for: .milliseconds(1_200))
            let (stale, staleHeaders, charge) = try await session.call(.GET, "/v2.0/vehicles/{id}/charge")
            #expect(stale == .ok && charge["isPluggedIn"] as? Bool == true, "the reading taken with the battery")
            #expect(staleHeaders.first(name: "SC-Data-Age") == age, "with the time the car recorded it")
            let stats = try await world.fake(.GET, "/_fake/stats").body
            #expect(stats["wakes"] == nil && stats["data"] as? Int == 1, "no wake, no data request for an asleep car: \(stats)")
            #expect(try await world.car("5YJ3E1EA5NF000001")["state"] as? String == "asleep")
        }
    }

    @Test func wakeOnReadIsTheOperatorsChoiceWithinTeslasWakeLimit() async throws {
        try await TeslaWorld.run(carport: ["CARPORT_TESLA_WAKE_ON_READ": "1", "CARPORT_MAX_AGE": "0"]) { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge read_odometer read_security control_security")
            var ages: [String?] = []
            for path in ["battery", "charge", "odometer", "security"] {
                _ = try await world.fake(.PATCH, "/_fake/vehicles/5YJ3E1EA5NF000001", json: ["state": "asleep"])
                let (status, headers, _) = try await session.call(.GET, "/v2.0/vehicles/{id}/\(path)")
                #expect(status == .ok)
                ages.append(headers.first(name: "SC-Data-Age"))
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await world.fake(.GET, "/_fake/stats").body["wakes"] as? Int == 3, "three wakes a minute")
            #expect(ages[3] == ages[2], "the fourth read finds the car asleep again: its last readings, with their age")
        }
    }

    @Test func aCommandWakesTheCar() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin control_charge control_security", vin: "5YJSA1E26KF000002")
            _ = try await world.fake(.PATCH, "/_fake/vehicles/5YJSA1E26KF000002", json: ["state": "asleep"])
            let (status, _, body) = try await session.call(.POST, "/v2.0/vehicles/{id}/charge", json: #"{"action":"START"}"#)
            #expect(status == .ok, "\(body)")
            #expect(try await world.fake(.GET, "/_fake/stats").body["wakes"] as? Int == 1)
            #expect(try await world.car("5YJSA1E26KF000002")["charging"] as? Bool == true)
        }
    }

    @Test func teslasRateLimitIsHonoured() async throws {
        try await TeslaWorld.run(fake: { $0.dataPerMinute = 2 }, carport: ["CARPORT_MAX_AGE": "0"]) { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery read_charge read_odometer read_security")
            var answers: [(HTTPStatus, String?)] = []
            for path in ["battery", "charge", "odometer", "security"] {
                let result = try await session.raw(.GET, "/v2.0/vehicles/{id}/\(path)")
                answers.append((result.status, result.headers.first(name: .retryAfter)))
            }
            #expect(answers.map(\.0) == [.ok, .ok, .badGateway, .badGateway])
            #expect(answers[2].1.flatMap(Int.init).map { $0 > 0 && $0 <= 60 } == true, "Retry-After from Tesla")
            #expect(try await world.fake(.GET, "/_fake/stats").body["rate_limited"] as? Int == 1,
                    "after Tesla's 429 Carport waits instead of asking again")
        }
    }

    @Test func injectedFaultsNeverCrashOrGiveAWrongAnswer() async throws {
        try await TeslaWorld.run { world in
            let (session, _) = try await world.session(scope: "read_vin read_battery")
            let vehicle = try await world.connectedVehicle(session)
            let connector = try #require(ConnectorRegistry(simulator: world.carport.simulator, tesla: world.carport.carport.tesla)
                .connector(for: vehicle))
            // No injected 429 here: Carport rightly waits out its Retry-After, so an early one would fail every later
            // read at once (teslasRateLimitIsHonoured covers 429).
            _ = try await world.fake(.POST, "/_fake/faults", json: ["rate": 0.2, "kinds": ["408", "500", "503", "timeout"]])
            var answered = 0
            var failures: [ConnectorError] = []
            for _ in 0..<30 {
                do throws(ConnectorError) {
                    let reading = try await connector.snapshot([.battery], of: vehicle).readings[.battery]
                    #expect(reading?.value == .battery(Battery(percentRemaining: 0.62, rangeKm: 309.3)))
                    answered += 1
                } catch {
                    failures.append(error)
                }
            }
            #expect(answered > 0, "some reads get through 20 % faults")
            for failure in failures {
                switch failure {
                case .rateLimited, .asleep, .upstream: break
                default: Issue.record("a fault surfaced as \(failure)")
                }
            }
            #expect(try await world.fake(.GET, "/_fake/stats").body["rate_limited"] == nil, "Tesla's real limits never hit")
            #expect(try await world.fake(.GET, "/_fake/stats").body["faults"] as? Int ?? 0 > 0)
        }
    }
}

extension Application {
    var simulator: SimulatorService { SimulatorService(store: FluentSimulatedCarStore(database: self.db), locks: carport.vinLocks) }
}
