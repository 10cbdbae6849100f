import CarportConnectors
import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The Enode v1 face: link, user tokens and scopes, client token with `Enode-User-Id`, vehicles, charging, problems.
@Suite struct EnodeFaceTests {
    @Test func linkPreselectsTheVendorAndTheUserTokenSeesTheUser() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let (status, _, me) = try await EnodeClient.call(app, .GET, "/enode/me", token: linked.userToken)
            #expect(status == .ok)
            let body = try #require(me as? [String: Any])
            #expect(body["id"] as? String == "user-42")
            #expect((body["linkedVendors"] as? [[String: Any]])?.first?["vendor"] as? String == "TESLA")
        }
    }

    @Test func vehiclesWithFieldSelection() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let (status, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles?field[]=chargeState&field[]=information", token: linked.userToken)
            #expect(status == .ok)
            let vehicle = try #require((list as? [[String: Any]])?.first)
            #expect(Set(vehicle.keys) == ["id", "isReachable", "lastSeen", "chargingLocationId", "chargeState", "information"])
            let charge = try #require(vehicle["chargeState"] as? [String: Any])
            #expect((0...100).contains(charge["batteryLevel"] as? Double ?? -1))
            #expect(charge["batteryCapacity"] as? Double ?? 0 > 0)
            #expect((vehicle["information"] as? [String: Any])?["brand"] as? String == "Tesla")
            let id = try #require(vehicle["id"] as? String)
            let (_, _, bare) = try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)", token: linked.userToken)
            #expect(Set((bare as? [String: Any])?.keys ?? [:].keys) == ["id", "isReachable", "lastSeen", "chargingLocationId"])
            let (_, _, location) = try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/location", token: linked.userToken)
            #expect((location as? [String: Any])?["latitude"] is Double)
            let (badStatus, headers, problem) = try await EnodeClient.call(app, .GET, "/enode/vehicles?field=batteryLevel", token: linked.userToken)
            #expect(badStatus == .badRequest)
            #expect(headers.first(name: .contentType) == "application/problem+json")
            #expect((problem as? [String: Any])?["type"] as? String == "https://docs.enode.io/problems/payload-validation-error")
        }
    }

    @Test func aVehicleWithEveryFieldCostsOneConnectorCall() async throws {
        try await TestCarport.withApp { app in
            // Simulated cars are never served from the cache (max age 0): each request reads the car again.
            let (linked, _, _, _) = try await EnodeClient.linkSimulated(app)
            let fields = EnodeVehicleBody.Field.allCases.map { "field[]=\($0.rawValue)" }.joined(separator: "&")
            for _ in 0..<2 {
                let before = app.carport.freshnessCache.fetches
                let (status, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles?\(fields)", token: linked.userToken)
                #expect(status == .ok)
                #expect(((list as? [[String: Any]])?.first?["chargeState"] as? [String: Any])?["batteryLevel"] as? Double == 40)
                #expect(app.carport.freshnessCache.fetches == before + 1, "battery, charge, limit, capacity, location, odometer: one call")
            }
        }
    }

    @Test func scopesLimitWhatAUserTokenMayRead() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app, scope: "vehicle:location")
            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.userToken)
            let id = try #require((list as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/location", token: linked.userToken).0 == .ok)
            let (status, _, problem) = try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/charge-state", token: linked.userToken)
            #expect(status == .forbidden)
            #expect((problem as? [String: Any])?["title"] as? String == "Unauthorized for resource")
            #expect(try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/charging", token: linked.userToken, json: #"{"action":"START"}"#).0 == .forbidden)
        }
    }

    @Test func clientTokenWithEnodeUserIdActsForThatUser() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let (status, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles?field[]=odometer", token: linked.clientToken,
                                                   headers: ["Enode-User-Id": "user-42"])
            #expect(status == .ok)
            let vehicle = try #require((list as? [[String: Any]])?.first)
            #expect((vehicle["odometer"] as? [String: Any])?["distance"] is Double)
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.clientToken).0 == .badRequest)
            let (unknown, _, problem) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.clientToken,
                                                       headers: ["Enode-User-Id": "nobody"])
            #expect(unknown == .notFound)
            #expect((problem as? [String: Any])?["title"] as? String == "User does not exist")
            #expect(try await EnodeClient.call(app, .POST, "/enode/users/x/link", token: linked.userToken).0 == .unauthorized,
                    "admin endpoints take client tokens only")
        }
    }

    @Test func chargingCommandsAndProblems() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.userToken)
            let id = try #require((list as? [[String: Any]])?.first?["id"] as? String)
            let (started, startHeaders, _) = try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/charging",
                                                                        token: linked.userToken, json: #"{"action":"START"}"#)
            #expect(started == .noContent)
            let location = try #require(startHeaders.first(name: .location))
            #expect(location.contains("/enode/vehicles/actions/"))
            let (_, _, action) = try await EnodeClient.call(app, .GET, ConnectDriver.path(location), token: linked.userToken)
            #expect((action as? [String: Any])?["kind"] as? String == "START")
            #expect(try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/charging", token: linked.userToken, json: #"{"action":"STOP"}"#).0 == .noContent)
            #expect(try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/charging", token: linked.userToken, json: #"{"action":"FLY"}"#).0 == .badRequest)
            let (watched, _, echo) = try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/watch", token: linked.userToken,
                                                                json: #"{"properties":["LOCATION","BATTERY_LEVEL"]}"#)
            #expect(watched == .ok && (echo as? [String: Any])?["properties"] as? [String] == ["LOCATION", "BATTERY_LEVEL"])
            #expect(app.carport.watchList.current().map { $0.vehicleID.uuidString.lowercased() } == [id])
            for bad in [#"{"properties":["SPEED"]}"#, #"{"properties":[]}"#, "{}"] {
                #expect(try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/watch", token: linked.userToken, json: bad).0 == .badRequest)
            }
            let (missing, _, _) = try await EnodeClient.call(app, .GET, "/enode/vehicles/\(UUID().uuidString)", token: linked.userToken)
            #expect(missing == .notFound)
            let (unauthorized, headers, _) = try await EnodeClient.call(app, .GET, "/enode/me", token: nil)
            #expect(unauthorized == .unauthorized)
            #expect(headers.first(name: .contentType) == "application/problem+json")
            #expect(try await EnodeClient.call(app, .GET, "/enode/health/ready", token: nil).0 == .noContent)
            try await app.testing().test(.GET, "/enode/openapi.yaml") { response in
                let text = response.body.string
                #expect(response.status == .ok && response.headers.contentType?.description.hasPrefix("application/yaml") == true)
                #expect(text.contains("- url: \(app.carport.configuration.publicURL)/enode") && !text.contains("__CARPORT"))
                #expect(text.contains("          - KIA\n") && text.contains("          - ZAPTEC\n"), "vendors are Carport's brands")
            }
        }
    }

    @Test func deletingAUserRemovesEverythingAndRevokingKeepsTheData() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/users/user-42/authorization", token: linked.clientToken).0 == .noContent)
            #expect(try await EnodeClient.call(app, .GET, "/enode/me", token: linked.userToken).0 == .unauthorized)
            let (stillThere, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.clientToken,
                                                       headers: ["Enode-User-Id": "user-42"])
            #expect(stillThere == .ok && (list as? [Any])?.count == 1, "revoking tokens keeps the connection")

            #expect(try await EnodeClient.call(app, .DELETE, "/enode/users/user-42", token: linked.clientToken).0 == .noContent)
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.clientToken, headers: ["Enode-User-Id": "user-42"]).0 == .notFound)
            #expect(try await VehicleModel.query(on: app.db).count() == 0)
            #expect(try await GrantModel.query(on: app.db).count() == 0)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/users/user-42", token: linked.clientToken).0 == .notFound)
        }
    }

    @Test func disconnectingAVendorDropsItsVehicles() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/me/vendors/KIA", token: linked.userToken).0 == .notFound)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/me/vendors/TESLA", token: linked.userToken).0 == .noContent)
            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.userToken)
            #expect((list as? [Any])?.isEmpty == true)
        }
    }

    @Test func chargingLocationsCRUDForTheirOwnerOnly() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let (created, _, body) = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken,
                                                    json: #"{"name":"Home","latitude":59.91,"longitude":10.75}"#)
            #expect(created == .created)
            let id = try #require((body as? [String: Any])?["id"] as? String)
            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/charging-locations", token: linked.userToken)
            #expect((list as? [[String: Any]])?.map { $0["name"] as? String } == ["Home"])
            let (replaced, _, updated) = try await EnodeClient.call(app, .PUT, "/enode/charging-locations/\(id)", token: linked.userToken,
                                                        json: #"{"name":"Cabin","latitude":61.1,"longitude":10.4}"#)
            #expect(replaced == .ok && (updated as? [String: Any])?["name"] as? String == "Cabin")
            for bad in [#"{"name":"","latitude":1,"longitude":1}"#, #"{"name":"X","latitude":91,"longitude":1}"#,
                        #"{"name":"X","latitude":true,"longitude":1}"#, #"{"name":"X","latitude":1}"#] {
                let (status, _, problem) = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken, json: bad)
                #expect(status == .badRequest, "\(bad)")
                #expect((problem as? [String: Any])?["title"] as? String == "Payload validation failed")
            }
            let other = try await EnodeClient.link(app, userID: "someone-else", email: "other@example.com")
            #expect(try await EnodeClient.call(app, .GET, "/enode/charging-locations/\(id)", token: other.userToken).0 == .notFound)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/charging-locations/\(id)", token: other.userToken).0 == .notFound)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/charging-locations/\(id)", token: linked.userToken).0 == .noContent)
            #expect(try await EnodeClient.call(app, .GET, "/enode/charging-locations/\(id)", token: linked.userToken).0 == .notFound)
            let scoped = try await EnodeClient.link(app, userID: "scoped", scope: "vehicle:location", email: "scoped@example.com")
            #expect(try await EnodeClient.call(app, .GET, "/enode/charging-locations", token: scoped.userToken).0 == .forbidden)
            let (_, _, vendors) = try await EnodeClient.call(app, .GET, "/enode/health/vendors", token: nil)
            #expect((vendors as? [[String: Any]])?.contains { $0["vendor"] as? String == "TESLA" && $0["status"] as? String == "READY" } == true)
        }
    }

    @Test func linkShowsTheUserNameToTheOwner() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let (_, _, clientJSON) = try await client.tokenRequest(app, [("grant_type", "client_credentials")], path: "/enode/oauth2/token")
            let token = try #require(clientJSON["access_token"] as? String)
            let (status, _, linked) = try await EnodeClient.call(app, .POST, "/enode/users/ada/link", token: token,
                                                                 json: #"{"userName":"Ada <Lovelace>","userImage":"https://img.example/ada.png"}"#)
            #expect(status == .ok)
            let state = try #require((linked as? [String: Any])?["linkState"] as? String)
            var driver = ConnectDriver(app: app)
            let page = try await driver.start("/enode/oauth2/auth?response_type=code&client_id=\(client.id)"
                + "&redirect_uri=\(RedirectURL.encode(client.redirectURI))&scope=all&state=\(RedirectURL.encode(state))")
            #expect(page.body.contains("Linking for <strong>Ada &lt;Lovelace&gt;</strong>"))
            for bad in [#"{"userName":""}"#, #"{"userName":42}"#, #"{"userImage":"http://img.example/a.png"}"#] {
                #expect(try await EnodeClient.call(app, .POST, "/enode/users/ada/link", token: token, json: bad).0 == .badRequest, "\(bad)")
            }
        }
    }

    @Test func aForgedOrForeignLinkStateIsAPlainState() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let box = app.carport.secretBox
            let other = try EnodeLinkState(applicationID: UUID(), userID: "u", vendor: "KIA", expiresAt: Date().addingTimeInterval(60)).seal(with: box)
            #expect(EnodeLinkState.open(other, applicationID: try #require(UUID(uuidString: client.id)), box: box) == nil)
            #expect(EnodeLinkState.open("v1.forged", applicationID: UUID(), box: box) == nil)
            let appID = UUID()
            let valid = try EnodeLinkState(applicationID: appID, userID: "u", vendor: nil, expiresAt: Date().addingTimeInterval(60)).seal(with: box)
            #expect(EnodeLinkState.open(valid, applicationID: appID, box: box)?.userID == "u")
            let expired = try EnodeLinkState(applicationID: appID, userID: "u", vendor: nil, expiresAt: Date().addingTimeInterval(-1)).seal(with: box)
            #expect(EnodeLinkState.open(expired, applicationID: appID, box: box) == nil)
        }
    }

    @Test func theSmartChargingPolicyIsValidatedAndKept() async throws {
        try await TestCarport.withApp { app in
            let (linked, _, _, _) = try await EnodeClient.linkSimulated(app)
            let token = linked.userToken
            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: token)
            let id = try #require((list as? [[String: Any]])?.first?["id"] as? String)
            let path = "/enode/vehicles/\(id)/smart-charging-policy"
            let (_, _, unset) = try await EnodeClient.call(app, .GET, path, token: token)
            #expect((unset as? [String: Any])?["isEnabled"] as? Bool == false && (unset as? [String: Any])?["deadline"] is NSNull)
            for bad in [#"{"deadline":"25:00"}"#, #"{"deadline":"7:00"}"#, #"{"deadline":"+7:00"}"#, #"{"isEnabled":1}"#,
                        #"{"minimumChargeLimit":101}"#, #"{"minimumChargeLimit":"50"}"#, #"{"minimumChargeLimit":true}"#] {
                let (status, _, problem) = try await EnodeClient.call(app, .PUT, path, token: token, json: bad)
                #expect(status == .badRequest, "\(bad)")
                #expect((problem as? [String: Any])?["title"] as? String == "Payload validation failed")
            }
            let (_, _, defaulted) = try await EnodeClient.call(app, .PUT, path, token: token, json: #"{"isEnabled":true}"#)
            #expect((defaulted as? [String: Any])?["deadline"] as? String == "07:00", "enabled without a deadline: full by 07:00")
            let (status, _, set) = try await EnodeClient.call(app, .PUT, path, token: token, json: #"{"deadline":"06:30","minimumChargeLimit":40}"#)
            #expect(status == .ok && (set as? [String: Any])?["deadline"] as? String == "06:30")
            #expect((set as? [String: Any])?["minimumChargeLimit"] as? Double == 40 && (set as? [String: Any])?["isEnabled"] as? Bool == true)
            let (_, _, withPolicy) = try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)?field[]=smartChargingPolicy", token: token)
            #expect(((withPolicy as? [String: Any])?["smartChargingPolicy"] as? [String: Any])?["minimumChargeLimit"] as? Double == 40)
        }
    }

    /// The platform's loop runs the simulated car like a real one: a plan once it is plugged in at home, the
    /// charge state's reasons from the plan, overrides until unplugged, nothing away from home.
    @Test func theControlLoopPlansAtHomeAndFollowsOverrides() async throws {
        try await TestCarport.withApp { app in
            let (linked, vin, applicationID, simulator) = try await EnodeClient.linkSimulated(app)
            let token = linked.userToken
            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: token)
            let id = try #require((list as? [[String: Any]])?.first?["id"] as? String)
            let loop = SmartChargingLoop(request: Request(application: app, on: app.eventLoopGroup.next()))
            func status() async throws -> [String: Any] {
                try #require(try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/smart-charging-status", token: token).2 as? [String: Any])
            }
            func chargeState() async throws -> [String: Any] {
                try #require(try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/charge-state", token: token).2 as? [String: Any])
            }
            #expect(try await status()["state"] as? String == "DISABLED")
            _ = try await EnodeClient.call(app, .PUT, "/enode/vehicles/\(id)/smart-charging-policy", token: token, json: #"{"isEnabled":true}"#)
            _ = try await simulator.control(applicationID: applicationID, vin: vin, .plug)
            #expect(try await loop.runDue() == 1)
            let away = try await status()
            #expect(away["state"] as? String == "CONSIDERING" && away["plan"] is NSNull)
            #expect((away["consideration"] as? [String: Any])?["atChargingLocation"] as? Bool == false)
            #expect((away["consideration"] as? [String: Any])?["isPluggedIn"] as? Bool == true)
            #expect(try await chargeState()["isCharging"] as? Bool == true, "away from home the car is left alone")

            let here = try #require(try await simulator.car(applicationID: applicationID, vin: vin))
            _ = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: token,
                                           json: #"{"name":"Home","latitude":\#(here.latitude + 0.0005),"longitude":\#(here.longitude)}"#)
            _ = try await EnodeClient.call(app, .PUT, "/enode/vehicles/\(id)/smart-charging-policy", token: token, json: #"{"isEnabled":true}"#)
            #expect(try await loop.runDue() == 1, "a policy edit wakes the vehicle")
            let planned = try await status()
            let state = try #require(planned["state"] as? String)
            #expect(state.hasPrefix("PLAN:EXECUTING:"), "\(state)")
            let plan = try #require(planned["plan"] as? [String: Any])
            #expect((plan["chargingWindows"] as? [Any])?.isEmpty == false)
            #expect((plan["smartCost"] as? Double ?? .infinity) <= (plan["nonSmartCost"] as? Double ?? 0))
            let car = try #require(try await simulator.car(applicationID: applicationID, vin: vin))
            let reasons = try #require(try await chargeState()["isChargingReasons"] as? [String])
            let charging = ["SMART_CHARGING_ACTIVE", "SMART_CHARGING_DEADLINE"]
            #expect(reasons.count == 1 && (car.isCharging ? charging.contains(reasons[0]) : reasons[0] == "SMART_CHARGING_DELAY"),
                    "\(reasons) while charging: \(car.isCharging)")
            let planID = try #require(plan["id"] as? String)
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/smart-charging-plans/latest", token: token).0 == .ok)
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/smart-charging-plans/\(planID)", token: token).0 == .ok)
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/smart-charging-plans/\(UUID())", token: token).0 == .notFound)

            // A manual STOP overrides the plan; the loop keeps the car stopped.
            #expect(try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/charging", token: token, json: #"{"action":"STOP"}"#).0 == .noContent)
            try await loop.runDue()
            #expect(try await status()["state"] as? String == "PLAN:EXECUTING:OVERRIDDEN")
            #expect(try await chargeState()["isChargingReasons"] as? [String] == ["MANUALLY_STOPPED"])
            // The smart override charges at once; deleting it hands the car back to the plan.
            let (overrideStatus, _, override) = try await EnodeClient.call(app, .POST, "/enode/vehicles/\(id)/smart-override", token: token)
            #expect(overrideStatus == .ok && (override as? [String: Any])?["endedAt"] is NSNull)
            try await loop.runDue()
            #expect(try #require(try await simulator.car(applicationID: applicationID, vin: vin)).isCharging)
            #expect(try await chargeState()["isChargingReasons"] as? [String] == ["MANUALLY_STARTED"])
            let (ended, _, endedBody) = try await EnodeClient.call(app, .DELETE, "/enode/vehicles/\(id)/smart-override", token: token)
            #expect(ended == .ok && (endedBody as? [String: Any])?["endedAt"] is String)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/vehicles/\(id)/smart-override", token: token).0 == .notFound)
            try await loop.runDue()
            #expect(try await status()["state"] as? String != "PLAN:EXECUTING:OVERRIDDEN")

            let management = linked.client.credentials.managementToken
            #expect(try await EnodeClient.call(app, .POST, "/simulator/vehicles/\(vin)/unplug", token: management).0 == .ok)
            try await loop.runDue()
            let unplugged = try await status()
            #expect(unplugged["state"] as? String == "CONSIDERING", "the simulator's unplug wakes the vehicle")
            let (_, _, last) = try await EnodeClient.call(app, .GET, "/enode/vehicles/\(id)/smart-charging-plans/latest", token: token)
            #expect((last as? [String: Any])?["finalState"] as? String == "PLAN:ENDED:UNPLUGGED")
        }
    }

    @Test func chargingStatisticsComeFromWhatTheSimulatorRecorded() async throws {
        try await TestCarport.withApp { app in
            let (linked, vin, applicationID, simulator) = try await EnodeClient.linkSimulated(app)
            _ = try await simulator.control(applicationID: applicationID, vin: vin, .plug)
            _ = try await simulator.control(applicationID: applicationID, vin: vin, .setClockSpeed(3600))
            try await Task.sleep(for: .milliseconds(500))
            let frozen = try await simulator.control(applicationID: applicationID, vin: vin, .setClockSpeed(0))
            let expected = (frozen.stateOfCharge - 0.4) * 75
            #expect(expected > 1, "half a simulated hour at 11 kW")
            let day: Double = 86_400
            func date(_ offset: Double) -> String { String(EnodeTime.format(Date().addingTimeInterval(offset * day)).prefix(10)) }
            let range = "startDate=\(date(-1))&endDate=\(date(1))"
            for (resolution, count) in [("DAY", 3), ("HOUR", 72)] {
                let (status, _, body) = try await EnodeClient.call(app, .GET, "/enode/statistics/charging?\(range)&resolution=\(resolution)",
                                                                   token: linked.userToken)
                let buckets = try #require(body as? [[String: Any]])
                #expect(status == .ok && buckets.count == count)
                let kWh = buckets.compactMap { $0["kwhSum"] as? Double }.reduce(0, +)
                #expect(abs(kWh - expected) < 0.01, "\(resolution): \(kWh) kWh against \(expected)")
                let charged = buckets.filter { ($0["kwhSum"] as? Double ?? 0) > 0 }
                for bucket in charged {
                    let price = try #require(bucket["price"] as? [String: Double])
                    #expect(Tariff.standard.hourlyPrices.contains(price["min"] ?? -1))
                    #expect((price["min"] ?? 0) <= (price["mean"] ?? -1) && (price["mean"] ?? 0) <= (price["max"] ?? -1))
                    #expect(abs((bucket["costSum"] as? Double ?? 0) - (bucket["kwhSum"] as? Double ?? 0) * (price["mean"] ?? 0)) < 0.01)
                    #expect((bucket["kw"] as? [String: Double])?["max"] == 11)
                }
            }
            let car = try #require(try await simulator.car(applicationID: applicationID, vin: vin))
            for (latitude, expectedHere) in [(car.latitude, expected), (car.latitude + 1, 0.0)] {
                let (_, _, place) = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken,
                                                               json: #"{"name":"P","latitude":\#(latitude),"longitude":\#(car.longitude)}"#)
                let placeID = try #require((place as? [String: Any])?["id"] as? String)
                let (_, _, there) = try await EnodeClient.call(app, .GET, "/enode/statistics/charging?\(range)&chargingLocationId=\(placeID)",
                                                               token: linked.userToken)
                let kWh = ((there as? [[String: Any]]) ?? []).compactMap { $0["kwhSum"] as? Double }.reduce(0, +)
                #expect(abs(kWh - expectedHere) < 0.01, "charged at the car's spot, not a degree north")
            }
            #expect(try await EnodeClient.call(app, .GET, "/enode/statistics/charging?\(range)&chargingLocationId=\(UUID())",
                                               token: linked.userToken).0 == .notFound)
            for bad in ["resolution=DAY", "startDate=yesterday", "\(range)&resolution=MINUTE",
                        "startDate=\(date(1))&endDate=\(date(-1))"] {
                #expect(try await EnodeClient.call(app, .GET, "/enode/statistics/charging?\(bad)", token: linked.userToken).0 == .badRequest, "\(bad)")
            }
            #expect(try await EnodeClient.call(app, .GET, "/enode/statistics/charging?\(range)&vehicleId=\(UUID())", token: linked.userToken).0 == .notFound)
        }
    }

    @Test func chargingActionsArePendingUntilTheVehicleShowsThemAndCanBeCancelledOrSuperseded() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let user: HTTPHeaders = ["Enode-User-Id": "user-42"]
            func act(_ path: String, _ json: String? = nil) async throws -> (HTTPStatus, [String: Any]) {
                let (status, _, body) = try await EnodeClient.call(app, .POST, path, token: linked.clientToken, headers: user, json: json)
                return (status, body as? [String: Any] ?? [:])
            }
            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles?field[]=chargeState", token: linked.clientToken, headers: user)
            let vehicle = try #require((list as? [[String: Any]])?.first)
            let id = try #require(vehicle["id"] as? String)
            // Test-mode readings never change, so the command opposite to what the car shows stays pending.
            let charging = (vehicle["chargeState"] as? [String: Any])?["isCharging"] as? Bool == true
            let (stuck, other) = charging ? ("STOP", "START") : ("START", "STOP")
            let (status, first) = try await act("/enode/vehicles/\(id)/charging", #"{"action":"\#(stuck)"}"#)
            #expect(status == .ok && first["state"] as? String == "PENDING" && first["kind"] as? String == stuck)
            #expect(first["userId"] as? String == "user-42" && first["targetId"] as? String == id && first["targetType"] as? String == "vehicle")
            let (_, again) = try await act("/enode/vehicles/\(id)/charging", #"{"action":"\#(stuck)"}"#)
            #expect(again["id"] as? String == first["id"] as? String, "a pending action of the same kind is reused")
            let firstID = try #require(first["id"] as? String)
            let (_, cancelled) = try await act("/enode/vehicles/actions/\(firstID)/cancel")
            #expect(cancelled["state"] as? String == "CANCELLED")
            #expect((cancelled["failureReason"] as? [String: Any])?["type"] as? String == "REQUESTED_CANCELLATION")
            #expect(try await act("/enode/vehicles/actions/\(firstID)/cancel").0 == .conflict)

            let (_, second) = try await act("/enode/vehicles/\(id)/charging", #"{"action":"\#(stuck)"}"#)
            let (_, confirmed) = try await act("/enode/vehicles/\(id)/charging", #"{"action":"\#(other)"}"#)
            #expect(confirmed["state"] as? String == "CONFIRMED" && confirmed["completedAt"] is String)
            let secondID = try #require(second["id"] as? String)
            let (_, _, superseded) = try await EnodeClient.call(app, .GET, "/enode/vehicles/actions/\(secondID)", token: linked.clientToken, headers: user)
            #expect((superseded as? [String: Any])?["state"] as? String == "CANCELLED")
            #expect(((superseded as? [String: Any])?["failureReason"] as? [String: Any])?["type"] as? String == "CONFLICT")

            let other42 = try await EnodeClient.link(app, userID: "someone-else", email: "else@example.com")
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles/actions/\(secondID)", token: other42.userToken).0 == .notFound)
        }
    }

    @Test func chargersLinkedThroughEnodeLinkAreReadAndControlled() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let linkPath = "/enode/users/user-42/link"
            let (noLocation, _, problem) = try await EnodeClient.call(app, .POST, linkPath, token: linked.clientToken, json: #"{"vendor":"ZAPTEC"}"#)
            #expect(noLocation == .conflict && ((problem as? [String: Any])?["detail"] as? String ?? "").contains("charging location"))
            let (_, _, location) = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken,
                                                              json: #"{"name":"Home","latitude":59.91,"longitude":10.75}"#)
            let locationID = try #require((location as? [String: Any])?["id"] as? String)
            let (_, end) = try await EnodeClient.linkCharger(app, clientToken: linked.clientToken)
            #expect(end?.contains("/connect-sessions/done") == true)

            let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/chargers?field[]=information&field[]=chargeState&field[]=location",
                                                          token: linked.userToken)
            let charger = try #require((list as? [[String: Any]])?.first)
            #expect((charger["information"] as? [String: Any])?["brand"] as? String == "Zaptec")
            #expect((charger["location"] as? [String: Any])?["chargingLocationId"] as? String == locationID)
            let id = try #require(charger["id"] as? String)
            func isCharging() async throws -> Bool? {
                let (_, _, body) = try await EnodeClient.call(app, .GET, "/enode/chargers/\(id)?field[]=chargeState", token: linked.userToken)
                return ((body as? [String: Any])?["chargeState"] as? [String: Any])?["isCharging"] as? Bool
            }
            /// Gives the stored charger a serial whose simulated cycle is in `status` this hour.
            func put(in status: ChargerState.Status) async throws {
                let serial = try #require((0..<500).map { "ZATEST\(String(format: "%06d", $0))" }
                    .first { SimulatedChargers.state(serial: $0, maxKW: 22, at: Date()).status == status })
                let model = try #require(try await ChargerModel.query(on: app.db).first())
                model.serial = serial
                try await model.save(on: app.db)
            }
            let charging = "/enode/chargers/\(id)/charging"
            try await put(in: .disconnected)
            #expect(try await EnodeClient.call(app, .POST, charging, token: linked.userToken, json: #"{"action":"START"}"#).0 == .badRequest)
            try await put(in: .complete)
            #expect(try await EnodeClient.call(app, .POST, charging, token: linked.userToken, json: #"{"action":"START"}"#).0 == .badRequest)
            try await put(in: .charging)
            let (stopped, headers, _) = try await EnodeClient.call(app, .POST, charging, token: linked.userToken, json: #"{"action":"STOP"}"#)
            #expect(stopped == .noContent && headers.first(name: .location)?.contains("/enode/chargers/actions/") == true)
            #expect(try await isCharging() == false, "a STOP holds a charging car")
            #expect(try await EnodeClient.call(app, .POST, charging, token: linked.userToken, json: #"{"action":"START"}"#).0 == .noContent)
            #expect(try await isCharging() == true)
            let (_, _, action) = try await EnodeClient.call(app, .POST, charging, token: linked.clientToken,
                                                            headers: ["Enode-User-Id": "user-42"], json: #"{"action":"STOP"}"#)
            let body = try #require(action as? [String: Any])
            #expect(body["targetType"] as? String == "charger" && body["targetId"] as? String == id && body["state"] as? String == "CONFIRMED")
            let actionID = try #require(body["id"] as? String)
            #expect(try await EnodeClient.call(app, .GET, "/enode/chargers/actions/\(actionID)", token: linked.userToken).0 == .ok)
            #expect(try await EnodeClient.call(app, .GET, "/enode/vehicles/actions/\(actionID)", token: linked.userToken).0 == .notFound)
            #expect(try await EnodeClient.call(app, .POST, charging, token: linked.userToken, json: #"{"action":"PAUSE"}"#).0 == .badRequest)
            #expect(try await EnodeClient.call(app, .GET, "/enode/chargers/\(UUID())", token: linked.userToken).0 == .notFound)
            #expect(try await EnodeClient.call(app, .GET, "/enode/chargers?field[]=odometer", token: linked.userToken).0 == .badRequest)
            let scoped = try await EnodeClient.link(app, userID: "scoped", scope: "vehicle:location", email: "scoped@example.com")
            #expect(try await EnodeClient.call(app, .GET, "/enode/chargers", token: scoped.userToken).0 == .forbidden)
        }
    }
}
