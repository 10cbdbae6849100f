import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The Smartcar v2.0 vehicle API: every endpoint's success path and its error paths.
@Suite struct SmartcarVehicleAPITests {
    @Test func userAndVehiclesWithPaging() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, email: "fleet+3@example.com")
            let (status, headers, user) = try await session.call(.GET, "/v2.0/user")
            #expect(status == .ok)
            #expect(headers.first(name: "SC-Request-Id")?.count == 36)
            #expect((user["id"] as? String)?.count == 36)
            let (_, _, all) = try await session.call(.GET, "/v2.0/vehicles/")
            #expect((all["vehicles"] as? [String])?.count == 3)
            #expect((all["paging"] as? [String: Int]) == ["count": 3, "offset": 0])
            let (_, _, page) = try await session.call(.GET, "/v2.0/vehicles?limit=1&offset=2")
            #expect((page["vehicles"] as? [String])?.count == 1)
            session.expectError(try await session.call(.GET, "/v2.0/vehicles?limit=500"), .badRequest, "VALIDATION", "PARAMETER")
        }
    }

    @Test func everyReadEndpointAnswersWithItsShapeAndHeaders() async throws {
        try await TestCarport.withApp { app in
            let bev = try await SmartcarSession.connect(app)
            let expectations: [(String, Set<String>)] = [
                ("", ["id", "make", "model", "year"]), ("/", ["id", "make", "model", "year"]), ("/vin", ["vin"]),
                ("/battery", ["percentRemaining", "range"]), ("/battery/capacity", ["capacity"]),
                ("/battery/nominal_capacity", ["availableCapacities", "capacity", "url"]),
                ("/charge", ["isPluggedIn", "state"]), ("/charge/limit", ["limit"]), ("/location", ["latitude", "longitude"]),
                ("/odometer", ["distance"]), ("/security", ["isLocked", "doors", "windows", "sunroof", "storage", "chargingPort"]),
                ("/tires/pressure", ["frontLeft", "frontRight", "backLeft", "backRight"]),
                ("/diagnostics/system_status", ["systems"]), ("/diagnostics/dtcs", ["activeCodes"]),
            ]
            for (path, keys) in expectations {
                let (status, headers, json) = try await bev.call(.GET, "/v2.0/vehicles/{id}\(path)", json: "{}")
                #expect(status == .ok, "\(path)")
                #expect(Set(json.keys) == keys, "\(path)")
                #expect(headers.first(name: "SC-Unit-System") == "metric")
                if !["", "/", "/vin"].contains(path) {
                    #expect(headers.first(name: "SC-Data-Age")?.hasSuffix("Z") == true, "\(path)")
                    #expect(headers.first(name: "SC-Fetched-At") != nil, "\(path)")
                }
            }
            let history = try await bev.raw(.GET, "/v2.0/vehicles/{id}/service/history")
            #expect((history.body as? [[String: Any]])?.count == 2)
            let recent = try await bev.raw(.GET, "/v2.0/vehicles/{id}/service/history?start_date=\(Self.daysAgo(60))")
            #expect((recent.body as? [[String: Any]])?.count == 1)
            bev.expectError(try await bev.call(.GET, "/v2.0/vehicles/{id}/service/history?startDate=yesterday"), .badRequest, "VALIDATION", "PARAMETER")

            for path in ["/fuel", "/engine/oil"] {
                bev.expectError(try await bev.call(.GET, "/v2.0/vehicles/{id}\(path)"), .notImplemented, "COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
            }
            let hybrid = try await SmartcarSession.connect(app, make: "BMW", email: "0SCBMW00000000002@phev.smartcar.com")
            let (fuelStatus, _, fuel) = try await hybrid.call(.GET, "/v2.0/vehicles/{id}/fuel")
            #expect(fuelStatus == .ok)
            #expect(Set(fuel.keys) == ["range", "percentRemaining", "amountRemaining"])
            let (_, _, oil) = try await hybrid.call(.GET, "/v2.0/vehicles/{id}/engine/oil")
            #expect(oil["lifeRemaining"] is Double)
        }
    }

    @Test func imperialUnitsConvertDistancesAndPressures() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            let (_, _, metric) = try await session.call(.GET, "/v2.0/vehicles/{id}/odometer")
            let (_, headers, imperial) = try await session.call(.GET, "/v2.0/vehicles/{id}/odometer", headers: ["sc-unit-system": "imperial"])
            #expect(headers.first(name: "SC-Unit-System") == "imperial")
            let km = try #require(metric["distance"] as? Double), miles = try #require(imperial["distance"] as? Double)
            #expect(abs(miles - km * 0.621371) < 0.01)
            let (_, _, psi) = try await session.call(.GET, "/v2.0/vehicles/{id}/tires/pressure", headers: ["sc-unit-system": "imperial"])
            #expect(((psi["frontLeft"] as? Double) ?? 0) < 40)
            session.expectError(try await session.call(.GET, "/v2.0/vehicles/{id}/odometer", headers: ["sc-unit-system": "nautical"]),
                                .badRequest, "VALIDATION", "PARAMETER")
        }
    }

    @Test func authenticationPermissionAndForeignVehicles() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, scope: "read_vehicle_info read_battery")
            session.expectError(try await session.call(.GET, "/v2.0/vehicles", token: "cpa_forged"), .unauthorized, "AUTHENTICATION", nil)
            session.expectError(try await session.call(.GET, "/v2.0/vehicles", headers: ["Authorization": "Basic eDp5"]),
                                .unauthorized, "AUTHENTICATION", nil)
            let permission = try await session.call(.GET, "/v2.0/vehicles/{id}/odometer")
            session.expectError(permission, .forbidden, "PERMISSION", nil)
            #expect((permission.2["resolution"] as? [String: String]) == ["type": "REAUTHENTICATE"])

            let other = try await SmartcarSession.connect(app, email: "someone-else@example.com")
            let foreign = try await session.call(.GET, "/v2.0/vehicles/\(other.vehicleID)/battery")
            let missing = try await session.call(.GET, "/v2.0/vehicles/\(UUID().uuidString)/battery")
            let malformed = try await session.call(.GET, "/v2.0/vehicles/bad_id/battery")
            for result in [foreign, missing, malformed] { session.expectError(result, .badRequest, "VALIDATION", "PARAMETER") }
            #expect(foreign.2["description"] as? String == missing.2["description"] as? String)
        }
    }

    @Test func versionsAndUnknownPaths() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            #expect(try await session.call(.GET, "/v99999999.99/vehicles").0 == .ok)
            session.expectError(try await session.call(.GET, "/v2/vehicles"), .notFound, "RESOURCE_NOT_FOUND", "VERSION")
            session.expectError(try await session.call(.GET, "/v2.0/vehicles/{id}/teleporter"), .notFound, "RESOURCE_NOT_FOUND", "PATH")
            #expect(try await session.call(.GET, "/v2.0/vehicles/{id}/battery?flags=country:DE%20flag:true").0 == .ok)
        }
    }

    @Test func commandsAndTheirValidation() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            for (path, body) in [("/security", #"{"action":"LOCK"}"#), ("/security", #"{"action":"UNLOCK"}"#),
                                 ("/charge", #"{"action":"START"}"#), ("/charge", #"{"action":"STOP"}"#),
                                 ("/charge/limit", #"{"limit":0.8}"#), ("/charge/limit", #"{"limit":"0.9"}"#),
                                 ("/navigation/destination", #"{"latitude":52.5,"longitude":13.4}"#)] {
                let (status, _, json) = try await session.call(.POST, "/v2.0/vehicles/{id}\(path)", json: body)
                #expect(status == .ok, "\(path) \(body)")
                #expect(json["status"] as? String == "success")
                #expect(json["message"] as? String == "Successfully sent request to vehicle")
            }
            for (path, body) in [("/security", #"{"action":"OPEN"}"#), ("/charge", "{}"), ("/charge/limit", #"{"limit":1.5}"#),
                                 ("/charge/limit", #"{"limit":"lots"}"#), ("/navigation/destination", #"{"latitude":95,"longitude":0}"#),
                                 ("/security", "not json")] {
                session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}\(path)", json: body), .badRequest, "VALIDATION", "PARAMETER")
            }
        }
    }

    @Test func batchAnswersEachItemAndRejectsUnknownPaths() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, scope: "read_vehicle_info read_battery read_odometer")
            let (status, _, json) = try await session.call(.POST, "/v2.0/vehicles/{id}/batch",
                                                           json: #"{"requests":[{"path":"/odometer"},{"path":"/battery"},{"path":"/location"},{"path":"/"}]}"#)
            #expect(status == .ok)
            let responses = try #require(json["responses"] as? [[String: Any]])
            #expect(responses.map { $0["path"] as? String } == ["/odometer", "/battery", "/location", "/"])
            #expect(responses.map { $0["code"] as? Int } == [200, 200, 403, 200])
            #expect((responses[0]["headers"] as? [String: String])?["sc-data-age"] != nil)
            #expect(((responses[2]["body"] as? [String: Any])?["type"] as? String) == "PERMISSION")
            session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}/batch", json: #"{"requests":[{"path":"/LOCATIONNNN"}]}"#),
                                .badRequest, "VALIDATION", "PARAMETER")
            let missing = try await session.call(.POST, "/v2.0/vehicles/{id}/batch", json: "{}")
            session.expectError(missing, .badRequest, "VALIDATION", nil)
            #expect(((missing.2["detail"] as? [[String: Any]])?.first?["field"] as? [String]) == ["requests"])
        }
    }

    @Test func permissionsAndDisconnect() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, scope: "read_vehicle_info read_battery read_odometer")
            let (_, _, permissions) = try await session.call(.GET, "/v2.0/vehicles/{id}/permissions")
            #expect(Set(permissions["permissions"] as? [String] ?? []) == ["read_vehicle_info", "read_battery", "read_odometer"])
            #expect((permissions["paging"] as? [String: Int])?["count"] == 3)
            let (status, _, json) = try await session.call(.DELETE, "/v2.0/vehicles/{id}/application")
            #expect(status == .ok && json["status"] as? String == "success")
            session.expectError(try await session.call(.GET, "/v2.0/vehicles/{id}"), .badRequest, "VALIDATION", "PARAMETER")
            let (_, _, list) = try await session.call(.GET, "/v2.0/vehicles")
            #expect((list["vehicles"] as? [String]) == [])
        }
    }

    @Test func aRevokedTokenStopsWorkingAtOnceDespiteTheTokenCache() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            #expect(try await session.call(.GET, "/v2.0/vehicles/{id}/battery").0 == .ok)
            let (status, _, _) = try await session.client.tokenRequest(app, [("token", session.token)], path: "/oauth/revoke")
            #expect(status == .ok)
            session.expectError(try await session.call(.GET, "/v2.0/vehicles/{id}/battery"), .unauthorized, "AUTHENTICATION", nil)
        }
    }

    @Test func vehicleRateBudgetAnswers429WithRetryAfter() async throws {
        try await TestCarport.withApp(environment: ["CARPORT_RATE_VEHICLE": "1/s,2"]) { app in
            let session = try await SmartcarSession.connect(app)
            #expect(try await session.call(.GET, "/v2.0/vehicles/{id}/vin").0 == .ok)
            #expect(try await session.call(.GET, "/v2.0/vehicles/{id}/battery").0 == .ok)
            let limited = try await session.call(.GET, "/v2.0/vehicles/{id}/odometer")
            session.expectError(limited, .tooManyRequests, "RATE_LIMIT", "VEHICLE")
            #expect(Int(limited.1.first(name: .retryAfter) ?? "") ?? 0 >= 1)
            #expect((limited.2["resolution"] as? [String: String]) == ["type": "RETRY_LATER"])
        }
    }

    @Test func testModeScenarioAccountsFailOnDataButNotOnStaticEndpoints() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, email: "VEHICLE_STATE.ASLEEP@smartcar.com")
            session.expectError(try await session.call(.GET, "/v2.0/vehicles/{id}/battery"), .conflict, "VEHICLE_STATE", "ASLEEP")
            session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}/security", json: #"{"action":"LOCK"}"#),
                                .conflict, "VEHICLE_STATE", "ASLEEP")
            #expect(try await session.call(.GET, "/v2.0/vehicles/{id}").0 == .ok)
            #expect(try await session.call(.GET, "/v2.0/vehicles/{id}/vin").0 == .ok)
            let missing = try await SmartcarSession.connect(app, email: "connected_services_account.vehicle_missing@smartcar.com")
            missing.expectError(try await missing.call(.GET, "/v2.0/vehicles/{id}/odometer"), .badRequest, "CONNECTED_SERVICES_ACCOUNT", "VEHICLE_MISSING")
        }
    }

    @Test func readsAreServedFromTheFreshnessCache() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            let before = app.carport.freshnessCache.fetches
            let (_, firstHeaders, first) = try await session.call(.GET, "/v2.0/vehicles/{id}/odometer")
            let (_, secondHeaders, second) = try await session.call(.GET, "/v2.0/vehicles/{id}/odometer")
            #expect(first["distance"] as? Double == second["distance"] as? Double)
            #expect(firstHeaders.first(name: "SC-Fetched-At") == secondHeaders.first(name: "SC-Fetched-At"))
            #expect(app.carport.freshnessCache.fetches == before + 1)
        }
    }

    private static func daysAgo(_ days: Double) -> String {
        String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(-days * 86_400)).prefix(10))
    }
}

/// Paging the vehicle list gives every vehicle once, whichever way the grant was loaded.
@Suite struct SmartcarVehiclePagingTests {
    @Test func pagesOfTheVehicleListNeitherRepeatNorSkip() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, email: "pager+7@example.com")
            var seen: [String] = []
            for offset in stride(from: 0, to: 7, by: 2) {
                let (_, _, page) = try await session.call(.GET, "/v2.0/vehicles?limit=2&offset=\(offset)")
                seen += page["vehicles"] as? [String] ?? []
                app.carport.grantCache.removeAll()  // the next page from the database
            }
            #expect(seen.count == 7 && Set(seen).count == 7 && seen == seen.sorted())
        }
    }
}
