import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Smartcar webhooks: signatures, the VERIFY challenge, definitions over the management API, subscriptions.
@Suite struct SmartcarWebhookTests {
    @Test func signaturesAreLowerCaseHexHMACSHA256KeyedByTheManagementToken() {
        // Python: hmac.new(b"cpm_key", b'{"a":1}', hashlib.sha256).hexdigest() — what the SDK's verify_payload computes.
        #expect(SmartcarSignature.hex(of: #"{"a":1}"#, key: "cpm_key") == "b6fa1e9fd613dfa8bc5efd8d73166d8f9c5a8d7d370a15d7888bd9a41d0415b9")
    }

    @Test func aWebhookIsVerifiedOnlyByTheRightAnswerToItsChallenge() async throws {
        let receiver = try await WebhookReceiver.start()
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let amt = client.credentials.managementToken
            let management: HTTPHeaders = ["Authorization": "Basic " + Data("default:\(amt)".utf8).base64EncodedString()]
            let session = SmartcarSession(app: app, client: client, token: "", vehicleID: "")

            // No answer in the body: created, not verified, and the reason says what was expected.
            let create = #"{"name":"State","url":"\#(receiver.url)","triggers":["charge-ischarging"],"signals":["tractionbattery-stateofcharge","charge-ischarging"]}"#
            let (status, _, unverified) = try await session.call(.POST, "/v2.0/management/webhooks", json: create, headers: management)
            #expect(status == .created)
            #expect(unverified["verified"] as? Bool == false)
            #expect(((unverified["verification"] as? [String: Any])?["reason"] as? String)?.contains("HMAC-SHA256") == true)
            let id = try #require(unverified["id"] as? String)

            // The challenge as Smartcar sends it: 4.0 body, signed over its raw bytes.
            let first = try #require(await receiver.deliveries.first)
            #expect(first.object["eventType"] as? String == "VERIFY")
            #expect((first.object["meta"] as? [String: Any])?["version"] as? String == "4.0")
            #expect((first.object["meta"] as? [String: Any])?["webhookId"] as? String == id)
            #expect(first.smartcarSignature == SmartcarSignature.hex(of: first.body, key: amt))

            await receiver.answerChallenges(key: amt)
            let (_, _, verified) = try await session.call(.POST, "/v2.0/management/webhooks/\(id)/verify", headers: management)
            #expect(verified["verified"] as? Bool == true, "\(verified)")
            await receiver.answerChallenges(key: "cpm_some_other_token")
            let (_, _, wrong) = try await session.call(.POST, "/v2.0/management/webhooks/\(id)/verify", headers: management)
            #expect(wrong["verified"] as? Bool == false)
            await receiver.answerChallenges(key: amt)
            await receiver.answer([.internalServerError])
            let (_, _, failing) = try await session.call(.POST, "/v2.0/management/webhooks/\(id)/verify", headers: management)
            #expect(((failing["verification"] as? [String: Any])?["reason"] as? String) == "the callback answered HTTP 500")

            // A legacy webhook gets the 2.0 challenge.
            let legacy = #"{"name":"Hourly","url":"\#(receiver.url)","kind":"scheduled","interval":3600,"endpoints":["/battery"]}"#
            let (_, _, scheduled) = try await session.call(.POST, "/v2.0/management/webhooks", json: legacy, headers: management)
            #expect(scheduled["verified"] as? Bool == true && scheduled["interval"] as? Int == 3600)
            let last = try #require(await receiver.deliveries.last)
            #expect(last.object["version"] as? String == "2.0" && last.object["eventName"] as? String == "verify")

            let (_, _, deliveries) = try await session.call(.GET, "/v2.0/management/webhooks/\(id)/deliveries", headers: management)
            let attempts = try #require(deliveries["deliveries"] as? [[String: Any]])
            #expect(attempts.map { $0["succeeded"] as? Bool } == [false, false, true, false], "newest first")
            #expect(attempts.allSatisfy { $0["eventType"] as? String == "VERIFY" && $0["milliseconds"] is Int })

            let (_, _, disabled) = try await session.call(.POST, "/v2.0/management/webhooks/\(id)/disable", headers: management)
            #expect(disabled["enabled"] as? Bool == false)
            let (_, _, listed) = try await session.call(.GET, "/v2.0/management/webhooks", headers: management)
            #expect((listed["webhooks"] as? [[String: Any]])?.map { $0["name"] as? String } == ["State", "Hourly"])
            #expect(try await session.call(.DELETE, "/v2.0/management/webhooks/\(id)", headers: management).0 == .ok)
            session.expectError(try await session.call(.GET, "/v2.0/management/webhooks/\(id)", headers: management),
                                .notFound, "RESOURCE_NOT_FOUND", "PATH")
        }
        try await receiver.stop()
    }

    @Test(arguments: [
        (#"{"url":"https://hooks.example/a","triggers":["charge-ischarging"]}"#, "name is required"),
        (#"{"name":"A","url":"ftp://hooks.example/a","triggers":["charge-ischarging"]}"#, "https"),
        (#"{"name":"A","url":"https://10.0.0.7/a","triggers":["charge-ischarging"]}"#, "private-network"),
        (#"{"name":"A","url":"https://hooks.example/a","triggers":["warp-drive"]}"#, "unknown signal code"),
        (#"{"name":"A","url":"https://hooks.example/a"}"#, "at least one trigger"),
        (#"{"name":"A","url":"https://hooks.example/a","kind":"scheduled","interval":10,"endpoints":["/battery"]}"#, "1 minute"),
        (#"{"name":"A","url":"https://hooks.example/a","kind":"scheduled","interval":3600,"endpoints":["/warp"]}"#, "unknown: /warp"),
        (#"{"name":"A","url":"https://hooks.example/a","kind":"eventBased","events":["CHARGING_EXPLODED"]}"#, "unknown event"),
        (#"{"name":"A","url":"https://hooks.example/a","kind":"weekly"}"#, "kind must be"),
        (#"{"name":"A","url":"https://hooks.example/a","triggers":["charge-ischarging"],"allVehicles":"yes"}"#, "allVehicles"),
    ])
    func badDefinitionsAreValidationErrorsNamingTheProblem(body: String, problem: String) async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let management: HTTPHeaders = ["Authorization": "Basic " + Data("default:\(client.credentials.managementToken)".utf8).base64EncodedString()]
            let session = SmartcarSession(app: app, client: client, token: "", vehicleID: "")
            let result = try await session.call(.POST, "/v2.0/management/webhooks", json: body, headers: management)
            session.expectError(result, .badRequest, "VALIDATION", "PARAMETER")
            let detail = (result.2["detail"] as? [[String: Any]])?.compactMap { $0["message"] as? String }.joined() ?? ""
            #expect(detail.contains(problem), "\(detail)")
        }
    }

    @Test func vehiclesSubscribeWithTheUsersTokenAndUnsubscribeWithTheManagementToken() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            let amt = session.client.credentials.managementToken
            let management: HTTPHeaders = ["Authorization": "Basic " + Data("default:\(amt)".utf8).base64EncodedString()]
            let create = #"{"name":"State","url":"http://127.0.0.1:9/hook","triggers":["charge-ischarging"]}"#
            let (_, _, webhook) = try await session.call(.POST, "/v2.0/management/webhooks", json: create, headers: management)
            let id = try #require(webhook["id"] as? String)

            let (status, _, subscribed) = try await session.call(.POST, "/v2.0/vehicles/{id}/webhooks/\(id)")
            #expect(status == .ok)
            #expect(subscribed["webhookId"] as? String == id && subscribed["vehicleId"] as? String == session.vehicleID)
            let (_, _, shown) = try await session.call(.GET, "/v2.0/management/webhooks/\(id)", headers: management)
            #expect(shown["subscribedVehicles"] as? [String] == [session.vehicleID])

            session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}/webhooks/\(UUID())"), .badRequest, "VALIDATION", "PARAMETER")
            session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}/webhooks/not-an-id"), .badRequest, "VALIDATION", "PARAMETER")
            session.expectError(try await session.call(.DELETE, "/v2.0/vehicles/{id}/webhooks/\(id)", token: "cpm_wrong"),
                                .unauthorized, "AUTHENTICATION", nil)
            session.expectError(try await session.call(.DELETE, "/v2.0/vehicles/{id}/webhooks/\(id)"), .unauthorized, "AUTHENTICATION", nil)

            let (unsubscribeStatus, _, unsubscribed) = try await session.call(.DELETE, "/v2.0/vehicles/{id}/webhooks/\(id)", token: amt)
            #expect(unsubscribeStatus == .ok && unsubscribed["status"] as? String == "success")
            let (_, _, after) = try await session.call(.GET, "/v2.0/management/webhooks/\(id)", headers: management)
            #expect(after["subscribedVehicles"] as? [String] == [])

            // Another application's webhook is an unknown one.
            let other = try await TestClient.register(app)
            let otherManagement: HTTPHeaders = ["Authorization": "Basic " + Data("default:\(other.credentials.managementToken)".utf8).base64EncodedString()]
            let (_, _, foreign) = try await session.call(.POST, "/v2.0/management/webhooks", json: create, headers: otherManagement)
            let foreignID = try #require(foreign["id"] as? String)
            session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}/webhooks/\(foreignID)"), .badRequest, "VALIDATION", "PARAMETER")
        }
    }
}

/// Smartcar webhook events: the first delivery, a trigger change, retries at Smartcar's offsets and the drop.
@Suite struct SmartcarWebhookEventTests {
    @Test func eventsAreSignedRetriedAtTwentyFiveFiftyAndHundredSecondsThenDropped() async throws {
        let receiver = try await WebhookReceiver.start()
        try await TestCarport.withApp { app in
            let (session, car) = try await SmartcarSession.connectSimulated(app, email: "events@example.com")
            let client = session.client
            let applicationID = try #require(UUID(uuidString: client.id))
            let context = Request(application: app, on: app.eventLoopGroup.next())
            let amt = client.credentials.managementToken
            await receiver.answerChallenges(key: amt)
            let management: HTTPHeaders = ["Authorization": "Basic " + Data("default:\(amt)".utf8).base64EncodedString()]
            let create = #"{"name":"Plug","url":"\#(receiver.url)","triggers":["charge-ischargingcableconnected"],"signals":["tractionbattery-stateofcharge","charge-ischargingcableconnected"]}"#
            let (_, _, webhook) = try await session.call(.POST, "/v2.0/management/webhooks", json: create, headers: management)
            #expect(webhook["verified"] as? Bool == true)
            #expect(try await session.call(.POST, "/v2.0/vehicles/{id}/webhooks/\(try #require(webhook["id"] as? String))").0 == .ok)

            let clock = SteppedClock()
            let dispatcher = SmartcarWebhookDispatcher(
                store: FluentSmartcarWebhookStore(resolveDatabase: { app.db }), transport: HTTPWebhookTransport(allowPrivateNetworks: false),
                key: { _ in amt }, now: { clock.now() })
            #expect(try await dispatcher.deliverDue() == 1, "the first delivery")
            let first = try #require(await receiver.deliveries.last)
            #expect(first.object["eventType"] as? String == "VEHICLE_STATE")
            #expect((first.object["triggers"] as? [[String: Any]])?.first?["type"] as? String == "FIRST_DELIVERY")
            #expect(first.smartcarSignature == SmartcarSignature.hex(of: first.body, key: amt))
            let signals = try #require((first.object["data"] as? [String: Any])?["signals"] as? [[String: Any]])
            #expect(signals.map { $0["code"] as? String } == ["tractionbattery-stateofcharge", "charge-ischargingcableconnected"])
            #expect(((signals[0]["body"] as? [String: Any])?["value"] as? Double).map { abs($0 - 40) < 1 } == true, "percent, 0-100")
            #expect((first.object["meta"] as? [String: Any])?["signalCount"] as? Int == 2)

            // Plugging in changes the trigger: one VEHICLE_STATE naming it, and a second scan finds nothing new.
            _ = try await context.simulator.control(applicationID: applicationID, vin: car.record.car.vin, .plug)
            try await context.smartcarEvents.scan(applicationID: applicationID)
            try await context.smartcarEvents.scan(applicationID: applicationID)
            await receiver.answer([.internalServerError, .internalServerError, .internalServerError, .internalServerError])
            let before = await receiver.deliveries.count
            clock.advance(seconds: 1)  // the event was queued at the real time, a moment after the clock's start
            #expect(try await dispatcher.deliverDue() == 0, "the first attempt fails")
            var expected = before + 1
            for delay in [25.0, 50, 100] {
                clock.advance(seconds: delay - 1.5)
                _ = try await dispatcher.deliverDue()
                #expect(await receiver.deliveries.count == expected, "no retry before +\(delay) s")
                clock.advance(seconds: 1.5)  // past the due time (stored times are not exact to the nanosecond)
                _ = try await dispatcher.deliverDue()
                expected += 1
                #expect(await receiver.deliveries.count == expected, "a retry \(delay) s after the failure")
            }
            clock.advance(seconds: 1000)
            _ = try await dispatcher.deliverDue()
            let attempts = Array(await receiver.deliveries.dropFirst(before))
            #expect(attempts.count == 4, "one attempt and three retries, then no more")
            let triggers = (attempts[0].object["triggers"] as? [[String: Any]])?.compactMap { ($0["signal"] as? [String: Any])?["code"] as? String }
            #expect(triggers == ["charge-ischargingcableconnected"])
            #expect(Set(attempts.map { $0.object["eventId"] as? String }).count == 1, "the event id stays")
            #expect(Set(attempts.map { ($0.object["meta"] as? [String: Any])?["deliveryId"] as? String }).count == 4, "each attempt has its own")
            let log = try await FluentSmartcarWebhookStore(resolveDatabase: { app.db }).deliveries(
                webhookID: try #require(UUID(uuidString: webhook["id"] as! String)), limit: 10)
            #expect(log.first?.reason?.contains("dropped after 4 attempts") == true, "\(log.first?.reason ?? "")")
        }
        try await receiver.stop()
    }
}

/// The one change feed: a look at a changed car feeds both the Enode firehose and Smartcar webhooks, at the cost of
/// one upstream call; a simulator control makes it look at once; failures become VEHICLE_ERROR and RESOLVED.
@Suite struct VehicleChangeFeedTests {
    @Test func oneLookAtAChangedCarFeedsTheEnodeFirehoseAndSmartcarWebhooks() async throws {
        let enodeReceiver = try await WebhookReceiver.start()
        let smartcarReceiver = try await WebhookReceiver.start()
        try await TestCarport.withApp { app in
            let (linked, vin, _, _) = try await EnodeClient.linkSimulated(app)
            let amt = linked.client.credentials.managementToken
            let (configured, _, _) = try await EnodeClient.call(app, .PUT, "/enode/webhooks/firehose", token: linked.clientToken,
                                                                json: #"{"url":"\#(enodeReceiver.url)","secret":"whsec-0123456789abcdef"}"#)
            #expect(configured == .noContent)
            await smartcarReceiver.answerChallenges(key: amt)
            let management: HTTPHeaders = ["Authorization": "Basic " + Data("default:\(amt)".utf8).base64EncodedString(),
                                           "Content-Type": "application/json"]
            let create = #"{"name":"All","url":"\#(smartcarReceiver.url)","allVehicles":true,"triggers":["charge-ischargingcableconnected"],"signals":["charge-ischargingcableconnected"]}"#
            var created: [String: Any] = [:]
            try await app.testing().test(.POST, "/v2.0/management/webhooks", headers: management, body: ByteBuffer(string: create)) { response in
                created = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            }
            #expect(created["verified"] as? Bool == true, "\(created)")

            let context = Request(application: app, on: app.eventLoopGroup.next())
            let enode = WebhookDispatcher(store: FluentWebhookStore(resolveDatabase: { app.db }, box: app.carport.secretBox),
                                          transport: HTTPWebhookTransport(allowPrivateNetworks: false), policy: WebhookRetryPolicy(base: 60, cap: 60, maxFailures: 16))
            let smartcar = context.smartcarDispatcher
            func deliver() async throws {
                _ = try await enode.deliverDue()
                _ = try await smartcar.deliverDue()
            }
            func smartcarEvents(_ type: String) async -> [[String: Any]] {
                await smartcarReceiver.deliveries.map(\.object).filter { $0["eventType"] as? String == type }
            }
            try await context.vehicleChanges.scanAll()  // the worker's pass: discovered, and every vehicle subscribed
            try await deliver()
            #expect(await enodeReceiver.deliveries.flatMap(\.events).contains { $0["event"] as? String == "user:vehicle:discovered" })
            #expect(await smartcarEvents("VEHICLE_STATE").count == 1, "the first delivery")

            // Plugging in through the simulator API: both faces hear of it at once, from one connector call.
            let fetches = app.carport.freshnessCache.fetches
            let plugged = try await SimulatorAPITests.post(app, "/simulator/vehicles/\(vin)/plug", token: amt)
            #expect(plugged.0 == .ok)
            #expect(app.carport.freshnessCache.fetches - fetches == 1, "one upstream call for both faces")
            try await deliver()
            let updated = await enodeReceiver.deliveries.flatMap(\.events).filter { $0["event"] as? String == "user:vehicle:updated" }
            #expect(updated.contains { (($0["vehicle"] as? [String: Any])?["chargeState"] as? [String: Any])?["isPluggedIn"] as? Bool == true })
            let states = await smartcarEvents("VEHICLE_STATE")
            #expect(states.count == 2)
            let signal = ((states.last?["data"] as? [String: Any])?["signals"] as? [[String: Any]])?.first
            #expect((signal?["body"] as? [String: Any])?["value"] as? Bool == true)

            // The brand fails: VEHICLE_ERROR in state ERROR, then RESOLVED when it answers again.
            let failed = try await SimulatorAPITests.post(app, "/simulator/vehicles/\(vin)/fail", token: amt, json: #"{"error":"BRAND_UNAVAILABLE"}"#)
            #expect(failed.0 == .ok && failed.1["fault"] as? String == "BRAND_UNAVAILABLE")
            try await deliver()
            _ = try await SimulatorAPITests.post(app, "/simulator/vehicles/\(vin)/recover", token: amt)
            try await deliver()
            let errors = await smartcarEvents("VEHICLE_ERROR").compactMap { (($0["data"] as? [String: Any])?["errors"] as? [[String: Any]])?.first }
            #expect(errors.map { $0["state"] as? String } == ["ERROR", "RESOLVED"], "\(errors)")
            #expect(errors.first?["type"] as? String == "UPSTREAM")
            #expect(await smartcarReceiver.deliveries.allSatisfy { $0.smartcarSignature == SmartcarSignature.hex(of: $0.body, key: amt) })
            let (bad, _) = try await SimulatorAPITests.post(app, "/simulator/vehicles/\(vin)/fail", token: amt, json: #"{"error":"GREMLINS"}"#)
            #expect(bad == .badRequest)
        }
        try await enodeReceiver.stop()
        try await smartcarReceiver.stop()
    }
}

/// Legacy webhooks (payload 2.0): scheduled batch items at their interval, eventBased charging events.
@Suite struct SmartcarLegacyWebhookTests {
    @Test func scheduledWebhooksSendBatchItemsAtTheirIntervalAndEventBasedOnesChargingEvents() async throws {
        let receiver = try await WebhookReceiver.start()
        try await TestCarport.withApp { app in
            let (session, car) = try await SmartcarSession.connectSimulated(app, email: "legacy@example.com",
                                                                            scope: "read_battery read_charge control_charge")
            let client = session.client
            let context = Request(application: app, on: app.eventLoopGroup.next())
            let amt = client.credentials.managementToken
            await receiver.answerChallenges(key: amt)
            let management: HTTPHeaders = ["Authorization": "Basic " + Data("default:\(amt)".utf8).base64EncodedString()]
            let hourly = #"{"name":"Hourly","url":"\#(receiver.url)","kind":"scheduled","interval":3600,"endpoints":["/battery","/charge","/location"]}"#
            let (_, _, scheduled) = try await session.call(.POST, "/v2.0/management/webhooks", json: hourly, headers: management)
            let charging = #"{"name":"Charging","url":"\#(receiver.url)","kind":"eventBased","events":["CHARGING_STARTED","CHARGING_STOPPED"]}"#
            let (_, _, eventBased) = try await session.call(.POST, "/v2.0/management/webhooks", json: charging, headers: management)
            let scheduledID = try #require(scheduled["id"] as? String), eventBasedID = try #require(eventBased["id"] as? String)
            #expect(try await session.call(.POST, "/v2.0/vehicles/{id}/webhooks/\(scheduledID)").0 == .ok)
            #expect(try await session.call(.POST, "/v2.0/vehicles/{id}/webhooks/\(eventBasedID)").0 == .ok)

            let dispatcher = context.smartcarDispatcher
            func delivered(_ name: String) async throws -> [[String: Any]] {
                _ = try await dispatcher.deliverDue()
                return await receiver.deliveries.filter { $0.smartcarSignature == SmartcarSignature.hex(of: $0.body, key: amt) }
                    .map(\.object).filter { $0["eventName"] as? String == name }
            }
            // Subscribing brings the first scheduled delivery: batch items, a refused one for the ungranted location.
            let first = try await delivered("scheduled")
            #expect(first.count == 1)
            #expect(first.first?["version"] as? String == "2.0" && first.first?["mode"] as? String == "simulated")
            let vehicles = try #require((first.first?["payload"] as? [String: Any])?["vehicles"] as? [[String: Any]])
            #expect(vehicles.first?["vehicleId"] as? String == session.vehicleID)
            let items = try #require(vehicles.first?["data"] as? [[String: Any]])
            #expect(items.map { $0["path"] as? String } == ["/battery", "/charge", "/location"])
            #expect(items.map { $0["code"] as? Int } == [200, 200, 403])
            #expect(((items[0]["body"] as? [String: Any])?["percentRemaining"] as? Double).map { abs($0 - 0.4) < 0.01 } == true)
            #expect((items[0]["headers"] as? [String: Any])?["sc-data-age"] is String)

            // Not due again within the hour; due once its time has come.
            try await context.vehicleChanges.scanAll()
            #expect(try await delivered("scheduled").count == 1)
            let webhookID = try #require(UUID(uuidString: scheduledID)), vehicleID = try #require(UUID(uuidString: session.vehicleID))
            try await FluentSmartcarWebhookStore.saveSnapshot(String(Date().timeIntervalSince1970 - 1), webhookID: webhookID,
                                                              vehicleID: vehicleID, in: app.db)
            try await context.vehicleChanges.scanAll()
            #expect(try await delivered("scheduled").count == 2)

            // Plugged in, the car charges: CHARGING_STARTED; stopped through the API: CHARGING_STOPPED.
            #expect(try await SimulatorAPITests.post(app, "/simulator/vehicles/\(car.record.car.vin)/plug", token: amt).0 == .ok)
            #expect(try await session.call(.POST, "/v2.0/vehicles/{id}/charge", json: #"{"action":"STOP"}"#).0 == .ok)
            let events = try await delivered("eventBased").compactMap { $0["payload"] as? [String: Any] }
            // Delivered in one round, concurrently: Smartcar promises no order.
            #expect(Set(events.compactMap { $0["eventType"] as? String }) == ["CHARGING_STARTED", "CHARGING_STOPPED"] && events.count == 2, "\(events)")
            #expect(events.allSatisfy { $0["vehicleId"] as? String == session.vehicleID && $0["eventTime"] is String && $0["eventId"] is String })
        }
        try await receiver.stop()
    }

    @Test func chargeStateMovesAreChargingEvents() {
        #expect(SmartcarEvents.chargingEvent(from: "NOT_CHARGING", to: "CHARGING") == .started)
        #expect(SmartcarEvents.chargingEvent(from: "FULLY_CHARGED", to: "CHARGING") == .started)
        #expect(SmartcarEvents.chargingEvent(from: "CHARGING", to: "NOT_CHARGING") == .stopped)
        #expect(SmartcarEvents.chargingEvent(from: "CHARGING", to: "FULLY_CHARGED") == .completed)
        #expect(SmartcarEvents.chargingEvent(from: "NOT_CHARGING", to: "FULLY_CHARGED") == nil)
    }
}
