import CarportConnectors
import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Firehose webhooks: signed batches, retries with back-off, deactivation and re-activation, a durable outbox.
@Suite struct EnodeWebhookTests {
    let secret = "whsec-0123456789abcdef"

    private func configure(_ app: Application, _ linked: EnodeClient.Linked, url: String) async throws {
        let (status, _, _) = try await EnodeClient.call(app, .PUT, "/enode/webhooks/firehose", token: linked.clientToken,
                                                        json: #"{"url":"\#(url)","secret":"\#(secret)"}"#)
        #expect(status == .noContent)
    }

    /// Back-off of 60 s on a clock the test advances; created after the endpoint is configured, so it is due.
    private func dispatcher(_ app: Application, clock: SteppedClock = SteppedClock(), maxFailures: Int = 16) -> WebhookDispatcher {
        WebhookDispatcher(store: store(app), transport: HTTPWebhookTransport(allowPrivateNetworks: false),
                          policy: WebhookRetryPolicy(base: 60, cap: 60, maxFailures: maxFailures), now: clock.now)
    }

    private func store(_ app: Application) -> FluentWebhookStore {
        FluentWebhookStore(resolveDatabase: { app.db }, box: app.carport.secretBox)
    }

    private func context(_ app: Application) -> Request { Request(application: app, on: app.eventLoopGroup.next()) }

    private func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }

    @Test func aClaimedEndpointIsLeasedUntilItsOutcomeIsSavedOrTheLeaseRunsOut() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let applicationID = try #require(UUID(uuidString: client.id))
            let store = store(app)
            let start = Date()
            let endpoint = WebhookEndpoint(applicationID: applicationID, url: "https://hooks.example/in", secret: secret, nextAttemptAt: start)
            try await store.save(endpoint)
            #expect(try await store.claimDue(at: start, leaseUntil: start.addingTimeInterval(60), limit: 10).isEmpty,
                    "an endpoint with nothing queued is not claimed")
            try await store.enqueue([QueuedEvent(applicationID: applicationID, json: Data("{}".utf8), createdAt: start)])
            async let one = store.claimDue(at: start, leaseUntil: start.addingTimeInterval(60), limit: 10)
            async let other = store.claimDue(at: start, leaseUntil: start.addingTimeInterval(60), limit: 10)
            let (first, second) = try await (one, other)
            #expect(first.count + second.count == 1, "two workers claiming at once: one gets it")
            #expect(try await store.claimDue(at: start.addingTimeInterval(30), leaseUntil: start.addingTimeInterval(90), limit: 10).isEmpty,
                    "a leased endpoint is not taken")
            let takenOver = try await store.claimDue(at: start.addingTimeInterval(61), leaseUntil: start.addingTimeInterval(121), limit: 10)
            #expect(takenOver.map(\.applicationID) == [applicationID], "its worker died: the lease ran out and another takes it")
            try await store.recordDelivery(endpoint)
            #expect(try await store.claimDue(at: start.addingTimeInterval(62), leaseUntil: start.addingTimeInterval(122), limit: 10).count == 1,
                    "recording the outcome releases the lease")
            try await store.release(applicationID: applicationID)
            #expect(try await store.claimDue(at: start.addingTimeInterval(63), leaseUntil: start.addingTimeInterval(123), limit: 10).count == 1,
                    "so does giving it back")
            var moved = endpoint
            moved.url = "https://hooks.example/new"
            try await store.save(moved)
            try await store.recordDelivery(endpoint)
            #expect(try await store.endpoint(applicationID: applicationID)?.url == moved.url, "a delivery's outcome keeps a new configuration")
        }
    }

    @Test func eventsAreSignedBatchedRetriedAndCarryOnlyWhatChanged() async throws {
        let receiver = try await WebhookReceiver.start()
        try await TestCarport.withApp { app in
            let (linked, vin, applicationID, simulator) = try await EnodeClient.linkSimulated(app)
            await receiver.answer([.serviceUnavailable])
            try await configure(app, linked, url: receiver.url)
            let clock = SteppedClock()
            let delivery = dispatcher(app, clock: clock)
            #expect(try await delivery.deliverDue() == 0, "503: kept for a retry")
            clock.advance(seconds: 59)
            #expect(try await delivery.deliverDue() == 0, "backing off: nothing sent")
            #expect(await receiver.deliveries.count == 1)
            clock.advance(seconds: 2)
            #expect(try await delivery.deliverDue() == 1)
            let deliveries = await receiver.deliveries
            #expect(deliveries.count == 2 && deliveries.allSatisfy { $0.isSigned(with: secret) })
            #expect(deliveries[0].body == deliveries[1].body, "the retry sends the same batch")
            #expect(Set(deliveries.compactMap(\.deliveryID)).count == 2)
            let discovered = try #require(deliveries[1].events.first)
            #expect(discovered["event"] as? String == "user:vehicle:discovered")
            #expect(object(discovered["user"])["id"] as? String == "user-42")
            let vehicle = object(discovered["vehicle"])
            #expect(object(vehicle["chargeState"])["isPluggedIn"] as? Bool == false)
            #expect(object(vehicle["information"])["brand"] as? String == "Tesla")

            let events = context(app).enodeEvents
            #expect(try await events.scan(applicationID: applicationID).isEmpty, "nothing changed, nothing sent")
            _ = try await simulator.control(applicationID: applicationID, vin: vin, .plug)
            #expect(try await events.scan(applicationID: applicationID).count == 1)
            #expect(try await delivery.deliverDue() == 1)
            let updated = try #require(await receiver.deliveries.last?.events.first)
            #expect(updated["event"] as? String == "user:vehicle:updated")
            let changed = object(updated["vehicle"])
            #expect(changed["id"] as? String == vehicle["id"] as? String)
            #expect(changed["information"] == nil && changed["odometer"] == nil, "unchanged sub-objects are left out")
            let charge = object(changed["chargeState"])
            #expect(charge["isPluggedIn"] as? Bool == true && charge["isCharging"] as? Bool == true)
            #expect(charge["batteryCapacity"] == nil, "unchanged fields are left out")

            let vehicleID = try #require(vehicle["id"] as? String)
            #expect(try await EnodeClient.call(app, .POST, "/enode/vehicles/\(vehicleID)/charging", token: linked.userToken,
                                               json: #"{"action":"STOP"}"#).0 == .noContent)
            #expect(try await delivery.deliverDue() >= 2)
            let batch = try #require(await receiver.deliveries.last?.events)
            let actions = batch.filter { $0["event"] as? String == "user:vendor-action:updated" }.map { object($0["vendorAction"]) }
            #expect(actions.map { $0["state"] as? String } == ["PENDING", "CONFIRMED"], "the action's changes, in order")
            #expect(actions.allSatisfy { $0["kind"] as? String == "STOP" && $0["targetId"] as? String == vehicleID })
            #expect(batch.contains { $0["event"] as? String == "user:vehicle:updated" })

            #expect(try await EnodeClient.call(app, .DELETE, "/enode/users/user-42", token: linked.clientToken).0 == .noContent)
            #expect(try await delivery.deliverDue() == 1)
            let deleted = try #require(await receiver.deliveries.last?.events.first)
            #expect(deleted["event"] as? String == "user:vehicle:deleted")
            #expect(object(deleted["vehicle"])["id"] as? String == vehicle["id"] as? String)
        }
        try await receiver.stop()
    }

    @Test func aWebhookThatKeepsFailingIsDeactivatedAndATestCallReactivatesIt() async throws {
        let receiver = try await WebhookReceiver.start()
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let applicationID = try #require(UUID(uuidString: linked.client.id))
            await receiver.answer([.internalServerError, .badGateway, .internalServerError, .badGateway])
            try await configure(app, linked, url: receiver.url)
            let clock = SteppedClock()
            let delivery = dispatcher(app, clock: clock, maxFailures: 3)
            for _ in 0..<3 {
                #expect(try await delivery.deliverDue() == 0)
                clock.advance(seconds: 61)
            }
            #expect(try await store(app).endpoint(applicationID: applicationID)?.isActive == false)
            #expect(try await delivery.deliverDue() == 0)
            #expect(await receiver.deliveries.count == 3, "an inactive webhook gets nothing")

            let (_, _, failed) = try await EnodeClient.call(app, .POST, "/enode/webhooks/firehose/test", token: linked.clientToken)
            #expect(object(failed)["status"] as? String == "FAILURE")
            #expect(object(object(failed)["response"])["code"] as? Int == 502)
            let (status, _, passed) = try await EnodeClient.call(app, .POST, "/enode/webhooks/firehose/test", token: linked.clientToken)
            #expect(status == .ok && object(passed)["status"] as? String == "SUCCESS")
            #expect(await receiver.deliveries.last?.events.first?["event"] as? String == "enode:webhook:test")
            #expect(try await store(app).endpoint(applicationID: applicationID)?.isActive == true)
            #expect(try await delivery.deliverDue() == 1, "the queued event goes out once re-activated")
            #expect(await receiver.deliveries.last?.events.first?["event"] as? String == "user:vehicle:discovered")

            for bad in [#"{"url":"http://example.com/hook","secret":"\#(secret)"}"#, #"{"url":"https://example.com/hook","secret":"short"}"#,
                        #"{"url":"not a url","secret":"\#(secret)"}"#, #"{"secret":"\#(secret)"}"#,
                        #"{"url":"https://169.254.169.254/latest","secret":"\#(secret)"}"#, #"{"url":"https://10.1.2.3/hook","secret":"\#(secret)"}"#,
                        #"{"url":"https://[fd00::1]/hook","secret":"\#(secret)"}"#] {
                let (badStatus, _, problem) = try await EnodeClient.call(app, .PUT, "/enode/webhooks/firehose", token: linked.clientToken, json: bad)
                #expect(badStatus == .badRequest, "\(bad)")
                #expect(object(problem)["type"] as? String == "https://docs.enode.io/problems/payload-validation-error")
            }
            #expect(try await EnodeClient.call(app, .PUT, "/enode/webhooks/firehose", token: linked.userToken,
                                               json: #"{"url":"https://example.com/hook","secret":"\#(secret)"}"#).0 == .unauthorized)
            #expect(try await EnodeClient.call(app, .DELETE, "/enode/webhooks/firehose", token: linked.clientToken).0 == .noContent)
            #expect(try await EnodeClient.call(app, .POST, "/enode/webhooks/firehose/test", token: linked.clientToken).0 == .notFound)
        }
        try await receiver.stop()
    }

    @Test func queuedEventsSurviveARestart() async throws {
        let port = try await LoopbackPort.free()
        try await TestCarport.withRestarts { start in
            let first = try await start()
            let linked = try await EnodeClient.link(first)
            try await configure(first, linked, url: "http://127.0.0.1:\(port)/hook")
            let clock = SteppedClock()
            #expect(try await dispatcher(first, clock: clock).deliverDue() == 0, "nobody listens yet")
            try await first.asyncShutdown()

            let receiver = try await WebhookReceiver.start(port: port)
            let second = try await start()
            clock.advance(seconds: 61)
            let delivered = try await dispatcher(second, clock: clock).deliverDue()
            try await second.asyncShutdown()
            try await receiver.stop()
            #expect(delivered == 1)
            let delivery = try #require(await receiver.deliveries.first)
            #expect(delivery.isSigned(with: secret), "the sealed secret is read back after the restart")
            #expect(delivery.events.first?["event"] as? String == "user:vehicle:discovered")
        }
    }

    @Test func chargersHaveTheirOwnEvents() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let applicationID = try #require(UUID(uuidString: linked.client.id))
            try await configure(app, linked, url: "https://hooks.example/enode")
            let (_, _, location) = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken,
                                                              json: #"{"name":"Home","latitude":59.91,"longitude":10.75}"#)
            let locationText = try #require((location as? [String: Any])?["id"] as? String)
            let locationID = try #require(UUID(uuidString: locationText))
            let userID = try #require(try await context(app).authorizationServer.userAccess(applicationID: applicationID, externalUserID: "user-42")?.userID)
            let charger = try await FluentChargerStore(database: app.db).save(Charger(
                userID: userID, chargingLocationID: locationID, brand: "EASEE", model: "Home", serial: "EA0102030405", createdAt: Date()))
            func names(_ events: [Data]) -> [String] {
                events.compactMap { (try? JSONSerialization.jsonObject(with: $0) as? [String: Any])?["event"] as? String }
            }
            let events = context(app).enodeEvents
            let discovered = try await events.scan(applicationID: applicationID)
            #expect(names(discovered) == ["user:charger:discovered"], "the vehicle was seen when the webhook was set")
            let body = try #require(try JSONSerialization.jsonObject(with: discovered[0]) as? [String: Any])
            #expect(object(object(body["charger"])["information"])["brand"] as? String == "Easee")
            #expect(object(body["user"])["id"] as? String == "user-42")
            #expect(try await events.scan(applicationID: applicationID).isEmpty)
            _ = try await FluentChargerStore(database: app.db).delete(id: charger.id, userID: userID)
            #expect(names(try await events.scan(applicationID: applicationID)) == ["user:charger:deleted"])
        }
    }

    @Test func privateNetworkTargetsAreRefusedUnlessTheOperatorAllowsThem() async throws {
        for address in ["10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                        "fd12::1", "fe80::1", "::ffff:10.1.2.3", "::"] {
            #expect(WebhookTarget.isPrivate(address), "\(address)")
        }
        for address in ["127.0.0.1", "::1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::1", "::ffff:8.8.8.8"] {
            #expect(!WebhookTarget.isPrivate(address), "\(address)")
        }
        await #expect(throws: WebhookTarget.Refused.self) { try await WebhookTarget.check("https://10.0.0.7/hook", allowPrivateNetworks: false) }
        try await WebhookTarget.check("https://10.0.0.7/hook", allowPrivateNetworks: true)
        try await WebhookTarget.check("http://127.0.0.1:9/hook", allowPrivateNetworks: false)
        try await TestCarport.withApp(environment: ["CARPORT_WEBHOOK_PRIVATE_NETWORKS": "1"]) { app in
            let linked = try await EnodeClient.link(app)
            try await configure(app, linked, url: "https://10.0.0.7/hook")
        }
    }
}
