import Foundation
import NIOConcurrencyHelpers
import Testing
import VaporTesting
@testable import CarportServer

/// A CALL asked on one node reaches the charger whose socket is on another, through a row the holding node claims
/// (woken by NOTIFY on PostgreSQL): answered once, refusals and timeouts carried back, and a call no node claims
/// fails as offline. The operator's calls map onto each version's messages.
@Suite struct OCPPCallTests {
    /// A charger's socket in a test: answers every CALL as `answer` says, and counts what it received.
    final class FakeSocket: Sendable {
        let received = NIOLockedValueBox([String]())
        let link = NIOLockedValueBox<OCPPLink?>(nil)
        let answer: @Sendable (String, JSONValue) -> OCPPFrame?

        init(answer: @escaping @Sendable (String, JSONValue) -> OCPPFrame?) { self.answer = answer }

        func makeLink() -> OCPPLink {
            let link = OCPPLink(version: .v16, send: { [self] text in
                guard case .call(let id, let action, let payload) = try OCPPFrame.parse(text).get() else { return }
                received.withLockedValue { $0.append(action) }
                guard let frame = answer(id, payload) else { return }  // silent: the CALL times out
                let link = self.link.withLockedValue { $0 }
                Task { await link?.receive(frame) }
            })
            self.link.withLockedValue { $0 = link }
            return link
        }
    }

    static func registerConnectedCharger(_ id: String, on app: Application) async throws {
        let client = try await app.applicationRegistry.create(name: "Chargers", redirectURIs: ["https://example.com/cb"])
        let applicationID = try #require(UUID(uuidString: client.clientId))
        let context = Request(application: app, on: app.eventLoopGroup.next())
        let (charger, _) = try await OCPPChargers(request: context).add(applicationID: applicationID, userID: "owner", chargePointID: id,
                                                                       locationID: nil, insecure: false)
        var state = OCPPChargerState()
        state.lastMessageAt = Date()
        let store = FluentOCPPChargerStore(resolveDatabase: { app.db })
        try await store.save(state, version: .v16, id: charger.id)
        try await store.setConnected(Date(), id: charger.id)
    }

    @Test func aCallAskedOnOneNodeIsSentOnceByTheNodeHoldingTheSocket() async throws {
        try await TestCarport.withRestarts { start in
            let (holder, asker, stale) = (try await start(), try await start(), try await start())
            try await Self.registerConnectedCharger("CP-CLUSTER", on: holder)
            let charger: @Sendable (String, JSONValue) -> OCPPFrame? = { id, payload in
                payload["type"]?.string == "Hard"
                    ? .error(id: id, code: "NotSupported", description: "no hard resets here", details: .object([]))
                    : .result(id: id, payload: .object([("status", "Accepted")]))
            }
            let (socket, staleSocket) = (FakeSocket(answer: charger), FakeSocket(answer: charger))
            holder.carport.ocppLinks.register(socket.makeLink(), for: "CP-CLUSTER")
            // A node that still believes it holds the charger (its socket went stale): the claim makes one of them send.
            stale.carport.ocppLinks.register(staleSocket.makeLink(), for: "CP-CLUSTER")
            let relays = [holder, stale].map { node in Task { await OCPPCallRelay(app: node).run() } }

            let calls = OCPPCalls(request: Request(application: asker, on: asker.eventLoopGroup.next()))
            let answer = try await calls.call("CP-CLUSTER", "Reset", .object([("type", "Soft")]))
            #expect(answer["status"]?.string == "Accepted")
            #expect(socket.received.withLockedValue { $0 }.count + staleSocket.received.withLockedValue { $0 }.count == 1, "sent once")
            await #expect(throws: OCPPLink.Failure.refused(code: "NotSupported", description: "no hard resets here")) {
                _ = try await calls.call("CP-CLUSTER", "Reset", .object([("type", "Hard")]))
            }
            for relay in relays { relay.cancel() }
            for relay in relays { await relay.value }
            for node in [holder, asker, stale] { try await node.asyncShutdown() }
        }
    }

    @Test func aCallTheChargerDoesNotAnswerTimesOutAndOneNoNodeTakesIsOffline() async throws {
        try await TestCarport.withRestarts { start in
            let (holder, asker) = (try await start(), try await start())
            try await Self.registerConnectedCharger("CP-SILENT", on: holder)
            let socket = FakeSocket { _, _ in nil }
            holder.carport.ocppLinks.register(socket.makeLink(), for: "CP-SILENT")
            let relay = Task { await OCPPCallRelay(app: holder).run() }
            let calls = OCPPCalls(request: Request(application: asker, on: asker.eventLoopGroup.next()))
            let asked = Date()
            await #expect(throws: OCPPLink.Failure.timedOut(action: "TriggerMessage")) {
                _ = try await calls.call("CP-SILENT", "TriggerMessage", .object([("requestedMessage", "Heartbeat")]), timeout: 0.5)
            }
            #expect(Date().timeIntervalSince(asked) < 3, "the holding node waits as long as the asker said")
            relay.cancel()
            await relay.value
            // The holding node is gone: its last state still says connected, but nobody claims the call.
            let began = Date()
            await #expect(throws: OCPPLink.Failure.offline(chargePointID: "CP-SILENT")) {
                _ = try await calls.call("CP-SILENT", "TriggerMessage", .object([("requestedMessage", "Heartbeat")]))
            }
            #expect(Date().timeIntervalSince(began) < OCPPCalls.claimTimeout + 2)
            await #expect(throws: OCPPLink.Failure.offline(chargePointID: "NOT-REGISTERED")) {
                _ = try await calls.call("NOT-REGISTERED", "Reset", .object([("type", "Soft")]))
            }
            for node in [holder, asker] { try await node.asyncShutdown() }
        }
    }

    @Test func startAndStopPauseAndResumeWithATxDefaultProfileAndStartOnlyWithoutATransaction() {
        var idle = OCPPChargerState()
        idle.nextTransactionID = 7
        var charging = idle
        charging.transaction = .init(id: "3", connectorID: 1, idTag: "CARPORT", meterStartWh: 0, startedAt: Date())
        func limit(_ payload: JSONValue) -> Double? {
            let profile = payload["csChargingProfiles"] ?? payload["chargingProfile"]
            let schedule = profile?["chargingSchedule"]?.array?.first ?? profile?["chargingSchedule"]
            return schedule?["chargingSchedulePeriod"]?.array?.first?["limit"]?.double
        }
        for version in OCPPVersion.allCases {
            let start = OCPPChargingControl.command(true, state: idle, version: version)
            #expect(start.0 == (version == .v16 ? "RemoteStartTransaction" : "RequestStartTransaction"))
            let pause = OCPPChargingControl.command(false, state: charging, version: version)
            let resume = OCPPChargingControl.command(true, state: charging, version: version)
            #expect(pause.0 == "SetChargingProfile" && resume.0 == "SetChargingProfile", "a transaction is kept, not restarted")
            #expect(limit(pause.1) == 0 && limit(resume.1) == OCPPChargingControl.maximumAmperes)
            let profile = pause.1["csChargingProfiles"] ?? pause.1["chargingProfile"]
            #expect(profile?["chargingProfilePurpose"]?.string == "TxDefaultProfile")
        }
        #expect(OCPPChargingControl.command(true, state: idle, version: .v201).1["remoteStartId"]?.int == 7)
    }

    @Test func operatorCallsMapOntoEachVersion() throws {
        #expect(try OCPPOperatorCall.reset(hard: true).call(.v16).payload == .object([("type", "Hard")]))
        #expect(try OCPPOperatorCall.reset(hard: false).call(.v201).payload == .object([("type", "OnIdle")]))
        #expect(try OCPPOperatorCall.unlock(connector: 2).call(.v201).payload == .object([("evseId", 2), ("connectorId", 1)]))
        #expect(try OCPPOperatorCall.trigger(message: "StatusNotification", connector: 1).call(.v201).payload
                == .object([("requestedMessage", "StatusNotification"), ("evse", .object([("id", 1), ("connectorId", 1)]))]))
        #expect(throws: OCPPChargers.Failure.self) { try OCPPOperatorCall.trigger(message: "TransactionEvent", connector: nil).call(.v16) }
        #expect(try OCPPOperatorCall.availability(operative: false, connector: nil).call(.v16).payload
                == .object([("connectorId", 0), ("type", "Inoperative")]))
        #expect(try OCPPOperatorCall.getConfiguration(keys: []).call(.v16) == ("GetConfiguration", .object([])))
        #expect(throws: OCPPChargers.Failure.self) { try OCPPOperatorCall.getConfiguration(keys: []).call(.v201) }
        #expect(throws: OCPPChargers.Failure.self) { try OCPPOperatorCall.setConfiguration(key: "NoDot", value: "1").call(.v201) }
        let sampling = try OCPPOperatorCall.sampling(.v201).call(.v201)
        #expect(sampling.action == "SetVariables")
        #expect(sampling.payload["setVariableData"]?.array?.first?["component"]?["name"]?.string == "SampledDataCtrlr")
        #expect(try OCPPOperatorCall.sampling(.v16).call(.v16).action == "ChangeConfiguration")
        #expect(try OCPPOperatorCall.stopTransaction(id: "12").call(.v16).payload == .object([("transactionId", 12)]))
        #expect(throws: OCPPChargers.Failure.self) { try OCPPOperatorCall.stopTransaction(id: "tx-a").call(.v16) }
        #expect(try OCPPOperatorCall.stopTransaction(id: "tx-a").call(.v201) == ("RequestStopTransaction", .object([("transactionId", "tx-a")])))
    }
}
