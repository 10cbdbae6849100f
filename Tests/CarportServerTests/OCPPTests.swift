import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The OCPP-J frame codec, version negotiation, payload checks and what each version's messages do to a
/// charger's state.
@Suite struct OCPPTests {
    @Test func framesParseAndEncodeAsOCPPJWrites() throws {
        let call = try OCPPFrame.parse(#"[2,"19223201","BootNotification",{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}]"#).get()
        #expect(call == .call(id: "19223201", action: "BootNotification",
                              payload: .object([("chargePointModel", "SingleSocketCharger"), ("chargePointVendor", "VendorX")])))
        #expect(OCPPFrame.result(id: "1", payload: .object([("currentTime", "2026-01-01T00:00:00Z")])).text == #"[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]"#)
        #expect(OCPPFrame.error(id: "7", OCPPError(code: .formatViolation, description: "bad"), version: .v201).text == #"[4,"7","FormatViolation","bad",{}]"#)
        func failure(_ text: String) -> (String, OCPPErrorCode)? {
            if case .failure(let unreadable) = OCPPFrame.parse(text) { return (unreadable.id, unreadable.error.code) } else { return nil }
        }
        #expect(failure("not json")! == ("-1", .rpcFrameworkError))
        #expect(failure(#"[2]"#)! == ("-1", .rpcFrameworkError))
        #expect(failure(#"[2,"\#(String(repeating: "x", count: 37))","Heartbeat",{}]"#)! == ("-1", .rpcFrameworkError), "ids have at most 36 characters")
        #expect(failure(#"[2,"a","Heartbeat"]"#)! == ("a", .formatViolation))
        #expect(failure(#"[2,"a","Heartbeat",[]]"#)! == ("a", .formatViolation))
        #expect(failure(#"[5,"a",{}]"#)! == ("a", .messageTypeNotSupported))
        #expect(OCPPErrorCode.messageTypeNotSupported.name(.v16) == "FormationViolation")
        #expect(OCPPErrorCode.occurrenceConstraintViolation.name(.v16) == "OccurenceConstraintViolation", "1.6's own spelling")
    }

    @Test func jsonParsesStrictlyAsRFC8259Says() throws {
        #expect(try JSONValue.parse(#" {"b":[1,-2.5e1,true,null],"a":"\u00e9\ud83d\ude00\n","a2":{}} "#)
                == .object([("a", "é😀\n"), ("a2", .object([])), ("b", .array([1, .number(-25), true, nil]))]))
        #expect(try JSONValue.parse("1.0") == .number(1) && JSONValue.parse("-0") == .int(0))
        #expect(try JSONValue.parse(#"{"k":1,"k":2}"#) == .object([("k", 2)]), "a repeated key keeps its last value")
        for bad in ["", "01", "1.", "-", "[1,]", #"{"a"}"#, #"{"a":1,}"#, #""\u12""#, #""\ud800""#, "\"tab\there\"", "tru",
                    "[1] x", #""\q""#, "1e", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            #expect(throws: JSONParser.Failure.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }

    @Test func theNewestOfferedVersionIsChosen() {
        #expect(OCPPVersion.negotiate(["ocpp1.6, ocpp2.0.1"]) == .v201)
        #expect(OCPPVersion.negotiate(["ocpp1.6"]) == .v16)
        #expect(OCPPVersion.negotiate(["ocpp1.5", "ocpp2.1"]) == nil)
        #expect(OCPPVersion.negotiate([]) == nil)
    }

    @Test func payloadsAreCheckedAgainstTheirSchema() {
        func code(_ action: String, _ payload: String, _ version: OCPPVersion = .v16) -> String? {
            var state = OCPPChargerState()
            guard case .reply(let reply) = OCPPCentralSystem.receive(#"[2,"x","\#(action)",\#(payload)]"#, version: version, state: &state),
                  let frame = try? OCPPFrame.parse(reply).get() else { return "no reply" }
            if case .error(_, let code, _, _) = frame { return code }
            return nil
        }
        #expect(code("Heartbeat", "{}") == nil)
        #expect(code("Heartbeat", #"{"extra":1}"#) == "FormationViolation", "no properties beyond the schema's")
        #expect(code("Authorize", #"{"idTag":"\#(String(repeating: "T", count: 21))"}"#) == "PropertyConstraintViolation")
        #expect(code("StartTransaction", #"{"connectorId":1,"idTag":"T","meterStart":1.5,"timestamp":"2026-01-01T00:00:00Z"}"#) == "TypeConstraintViolation")
        #expect(code("StartTransaction", #"{"connectorId":1,"idTag":"T","meterStart":1,"timestamp":"yesterday"}"#) == "PropertyConstraintViolation")
        #expect(code("MeterValues", #"{"connectorId":1,"meterValue":[]}"#) == "OccurenceConstraintViolation")
        #expect(code("TransactionEvent", "{}") == "NotImplemented", "a 2.0.1 action on a 1.6 connection")
        #expect(code("TransactionEvent", #"{"eventType":"Started","timestamp":"2026-01-01T00:00:00Z","triggerReason":"Authorized","seqNo":0}"#, .v201)
                == "OccurrenceConstraintViolation")
        #expect(code("Heartbeat", #"{"customData":{"vendorId":"x"}}"#, .v201) == nil)
    }

    @Test func aVersion16TransactionMovesTheChargersState() throws {
        var state = OCPPChargerState()
        func send(_ action: String, _ payload: String) throws -> JSONValue {
            guard case .reply(let reply) = OCPPCentralSystem.receive(#"[2,"id","\#(action)",\#(payload)]"#, version: .v16, state: &state),
                  case .result(_, let answer) = try OCPPFrame.parse(reply).get() else { throw OCPPError(code: .genericError, description: "no result") }
            return answer
        }
        let boot = try send("BootNotification", #"{"chargePointVendor":"Alfen","chargePointModel":"Eve Single","firmwareVersion":"6.4"}"#)
        #expect(boot["status"]?.string == "Accepted" && boot["interval"]?.int == 30 && boot["currentTime"]?.string != nil)
        #expect(state.vendor == "Alfen" && state.model == "Eve Single" && state.firmwareVersion == "6.4")
        _ = try send("StatusNotification", #"{"connectorId":1,"errorCode":"NoError","status":"Charging"}"#)
        #expect(state.connectors["1"]?.status == "Charging")
        let first = try send("StartTransaction", #"{"connectorId":1,"idTag":"T","meterStart":1000,"timestamp":"2026-01-01T00:00:00Z"}"#)
        #expect(first["transactionId"]?.int == 1 && state.transaction?.id == "1" && state.nextTransactionID == 2)
        _ = try send("MeterValues", #"{"connectorId":1,"transactionId":1,"meterValue":[{"timestamp":"2026-01-01T00:01:00Z","sampledValue":[{"value":"11","measurand":"Power.Active.Import","unit":"kW"},{"value":"3","measurand":"Power.Active.Import","unit":"kW","phase":"L1"},{"value":"1180"}]}]}"#)
        #expect(state.powerW == 11_000, "the total, not a phase")
        #expect(state.energyWh == 1180, "a sampled value without a measurand is the energy register")
        _ = try send("StopTransaction", #"{"meterStop":1500,"timestamp":"2026-01-01T00:05:00Z","transactionId":1}"#)
        #expect(state.transaction == nil && state.energyWh == 1500 && state.powerW == 0)
        #expect(try send("DataTransfer", #"{"vendorId":"com.example"}"#)["status"]?.string == "UnknownVendorId")
    }

    @Test func aVersion201TransactionEventMovesTheChargersState() throws {
        var state = OCPPChargerState()
        func send(_ action: String, _ payload: String) {
            _ = OCPPCentralSystem.receive(#"[2,"id","\#(action)",\#(payload)]"#, version: .v201, state: &state)
        }
        send("TransactionEvent", #"{"eventType":"Started","timestamp":"2026-01-01T00:00:00Z","triggerReason":"CablePluggedIn","seqNo":0,"transactionInfo":{"transactionId":"t-1","chargingState":"EVConnected"},"evse":{"id":1,"connectorId":1}}"#)
        #expect(state.transaction?.id == "t-1" && state.transaction?.chargingState == "EVConnected")
        send("TransactionEvent", #"{"eventType":"Updated","timestamp":"2026-01-01T00:01:00Z","triggerReason":"ChargingStateChanged","seqNo":1,"transactionInfo":{"transactionId":"t-1","chargingState":"Charging"},"meterValue":[{"timestamp":"2026-01-01T00:01:00Z","sampledValue":[{"value":7.2,"measurand":"Power.Active.Import","unitOfMeasure":{"unit":"W","multiplier":3}}]}]}"#)
        #expect(state.transaction?.chargingState == "Charging" && state.powerW == 7200)
        send("TransactionEvent", #"{"eventType":"Ended","timestamp":"2026-01-01T00:09:00Z","triggerReason":"EVDeparted","seqNo":2,"transactionInfo":{"transactionId":"t-1"}}"#)
        #expect(state.transaction == nil && state.powerW == 0)
    }
}

/// An OCPP charger registered at a user's charging location is one of the user's chargers in the Enode face,
/// its state, reachability and identity from its own messages.
@Suite struct OCPPChargerFaceTests {
    @Test func anOCPPChargerAtALocationShowsInTheEnodeFaceFromItsMessages() async throws {
        try await TestCarport.withApp { app in
            let linked = try await EnodeClient.link(app)
            let (created, _, location) = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken,
                                                                    json: #"{"name":"Home","latitude":59.9,"longitude":10.7}"#)
            #expect(created == .created)
            let locationID = try #require(UUID(uuidString: (location as? [String: Any])?["id"] as? String ?? ""))
            let context = Request(application: app, on: app.eventLoopGroup.next())
            let applicationID = try #require(UUID(uuidString: linked.client.id))
            let chargers = OCPPChargers(request: context)
            await #expect(throws: OCPPChargers.Failure.self) {
                _ = try await chargers.add(applicationID: applicationID, userID: "user-42", chargePointID: "bad/id", locationID: nil, insecure: false)
            }
            await #expect(throws: OCPPChargers.Failure.self) {
                _ = try await chargers.add(applicationID: applicationID, userID: "user-42", chargePointID: "CP-1", locationID: UUID(), insecure: false)
            }
            let (charger, password) = try await chargers.add(applicationID: applicationID, userID: "user-42", chargePointID: "CP-1",
                                                             locationID: locationID, insecure: false)
            #expect(password?.count == 40 && password?.allSatisfy(\.isHexDigit) == true)
            #expect(charger.passwordDigest != password, "kept as a digest")
            await #expect(throws: OCPPChargers.Failure.self) {
                _ = try await chargers.add(applicationID: applicationID, userID: "user-43", chargePointID: "CP-1", locationID: nil, insecure: true)
            }

            func enodeCharger() async throws -> [String: Any] {
                let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/chargers?field[]=chargeState&field[]=information", token: linked.userToken)
                return try #require((list as? [[String: Any]])?.first)
            }
            let offline = try await enodeCharger()
            #expect(offline["isReachable"] as? Bool == false)
            #expect((offline["chargeState"] as? [String: Any])?["isPluggedIn"] as? Bool == false)

            // What the charger's messages would leave: booted, charging at 7.4 kW, socket open.
            var state = OCPPChargerState()
            for text in [#"[2,"1","BootNotification",{"chargePointVendor":"Alfen","chargePointModel":"Eve Single"}]"#,
                         #"[2,"2","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Charging"}]"#,
                         #"[2,"3","MeterValues",{"connectorId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z","sampledValue":[{"value":"7400","measurand":"Power.Active.Import","unit":"W"}]}]}]"#] {
                _ = OCPPCentralSystem.receive(text, version: .v16, state: &state)
            }
            let store = FluentOCPPChargerStore(resolveDatabase: { app.db })
            try await store.save(state, version: .v16, id: charger.id)
            try await store.setConnected(Date(), id: charger.id)
            let online = try await enodeCharger()
            #expect(online["isReachable"] as? Bool == true)
            let chargeState = try #require(online["chargeState"] as? [String: Any])
            #expect(chargeState["isCharging"] as? Bool == true && chargeState["isPluggedIn"] as? Bool == true)
            #expect(chargeState["chargeRate"] as? Double == 7.4)
            let information = try #require(online["information"] as? [String: Any])
            #expect(information["brand"] as? String == "Alfen" && information["model"] as? String == "Eve Single")

            // The charger is not connected to this node (no socket in this test): the command fails at once, as a FAILED action.
            let (status, headers, _) = try await EnodeClient.call(app, .POST, "/enode/chargers/\(online["id"] as? String ?? "")/charging",
                                                                  token: linked.userToken, json: #"{"action":"STOP"}"#)
            #expect(status == .noContent)
            let path = try #require(headers.first(name: .location).flatMap { URLComponents(string: $0)?.path })
            let (_, _, action) = try await EnodeClient.call(app, .GET, path, token: linked.userToken)
            let failed = try #require(action as? [String: Any])
            #expect(failed["state"] as? String == "FAILED", "\(path) \(failed)")
            #expect(((failed["failureReason"] as? [String: Any])?["detail"] as? String)?.contains("not connected") == true, "\(failed)")

            try await chargers.remove(chargePointID: "CP-1", applicationID: applicationID)
            let (_, _, none) = try await EnodeClient.call(app, .GET, "/enode/chargers", token: linked.userToken)
            #expect((none as? [Any])?.isEmpty == true)
        }
    }

    @Test func meteredEnergyIsCountedPerClockHour() {
        var state = OCPPChargerState()
        let nine = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 3600))
        state.meter(energyWh: 10_000, powerW: 7400, at: nine)
        state.meter(energyWh: 11_000, at: nine.addingTimeInterval(600))
        state.meter(energyWh: 12_500, powerW: 7400, at: nine.addingTimeInterval(3_700))  // the next hour
        #expect(state.closedHours.count == 1)
        #expect(state.closedHours.first?.hourStart == nine && state.closedHours.first?.energyKWh == 1)
        #expect(state.closedHours.first?.seconds == 600 && state.closedHours.first?.maxKW == 7.4)
        #expect(state.hour?.energyKWh == 1.5)
        state.meter(energyWh: 50, at: nine.addingTimeInterval(3_800))  // a replaced meter: a new baseline, no energy
        state.meter(energyWh: 550, at: nine.addingTimeInterval(1_000))  // stamped in the past: counts in the current hour
        #expect(state.hour?.energyKWh == 2 && state.energyWh == 550 && state.closedHours.count == 1)
    }

    @Test func theStoredStateReadsBackWhole() throws {
        let second = { (offset: Double) in Date(timeIntervalSince1970: (1_800_000_000 + offset).rounded()) }  // stored in whole seconds
        var state = OCPPChargerState(vendor: "Alfen", model: "Eve \"Single\"", serialNumber: nil, firmwareVersion: "1.0", bootedAt: second(0),
                                     lastMessageAt: second(5))
        state.connectors = ["1": .init(status: "Charging", errorCode: "NoError", updatedAt: second(3)),
                            "0": .init(status: "Available", errorCode: nil, updatedAt: second(1))]
        state.transaction = .init(id: "42", connectorID: 1, idTag: nil, meterStartWh: 1000.5, startedAt: second(2), chargingState: "Charging")
        state.nextTransactionID = 43
        state.meter(energyWh: 1000, powerW: 7400, at: second(10))
        state.meter(energyWh: 1200, at: second(600))
        state.meter(energyWh: 1500, at: second(3_700))
        state.hour = ChargingHour(hourStart: second(7_200))  // nothing metered yet: its minimum is infinite
        #expect(!state.closedHours.isEmpty)
        #expect(try FluentOCPPChargerStore.state(from: state.storedText) == state)
        #expect(try FluentOCPPChargerStore.state(from: OCPPChargerState().storedText) == OCPPChargerState())
    }

    @Test func chargerStatesMapAsTheContractSays() {
        var state = OCPPChargerState()
        state.connectors["1"] = .init(status: "SuspendedEV", errorCode: nil, updatedAt: Date())
        #expect(state.chargerState(version: .v16).status == .complete)
        state.connectors["1"] = .init(status: "Preparing", errorCode: nil, updatedAt: Date())
        #expect(state.chargerState(version: .v16).status == .stopped)
        state.connectors["1"] = .init(status: "Available", errorCode: nil, updatedAt: Date())
        #expect(state.chargerState(version: .v16).status == .disconnected && state.chargerState(version: .v16).powerKW == nil)
        var station = OCPPChargerState()
        station.connectors["1/1"] = .init(status: "Occupied", errorCode: nil, updatedAt: Date())
        #expect(station.chargerState(version: .v201).status == .stopped)
        station.transaction = .init(id: "t", connectorID: 1, idTag: nil, meterStartWh: nil, startedAt: Date(), chargingState: "SuspendedEV")
        #expect(station.chargerState(version: .v201).status == .complete)
    }
}
