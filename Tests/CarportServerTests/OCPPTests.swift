import Foundation
import Testing
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
