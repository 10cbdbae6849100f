import Foundation

/// OCPP 2.0.1 messages a charging station sends (Core profile), with the schema each payload must meet and
/// Carport's answer.
enum OCPPMessages201 {
    static let idTokenTypes = ["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"]
    static let idToken = OCPPSchema.object([
        "idToken": .string(maxLength: 36), "type": .oneOf(idTokenTypes),
        "additionalInfo": .array(.object(["additionalIdToken": .string(maxLength: 36), "type": .string(maxLength: 50), "customData": .any],
                                         required: "additionalIdToken", "type"), minItems: 1),
        "customData": .any,
    ], required: "idToken", "type")
    static let sampledValue = OCPPSchema.object([
        "value": .number, "context": .string(maxLength: 30), "measurand": .string(maxLength: 50), "phase": .string(maxLength: 10),
        "location": .oneOf(["Body", "Cable", "EV", "Inlet", "Outlet"]), "signedMeterValue": .any,
        "unitOfMeasure": .object(["unit": .string(maxLength: 20), "multiplier": .integer, "customData": .any]), "customData": .any,
    ], required: "value")
    static let meterValue = OCPPSchema.object(["timestamp": .dateTime, "sampledValue": .array(sampledValue, minItems: 1), "customData": .any],
                                              required: "timestamp", "sampledValue")
    static let accepted: JSONValue = .object([("status", "Accepted")])

    static let messages: [String: OCPPCentralSystem.Action] = [
        "BootNotification": (.object([
            "chargingStation": .object([
                "serialNumber": .string(maxLength: 25), "model": .string(maxLength: 20), "vendorName": .string(maxLength: 50),
                "firmwareVersion": .string(maxLength: 50), "modem": .any, "customData": .any,
            ], required: "model", "vendorName"),
            "reason": .oneOf(["ApplicationReset", "FirmwareUpdate", "LocalReset", "PowerUp", "RemoteReset", "ScheduledReset",
                              "Triggered", "Unknown", "Watchdog"]),
            "customData": .any,
        ], required: "chargingStation", "reason"), { payload, state, now in
            let station = payload["chargingStation"]
            state.vendor = station?["vendorName"]?.string
            state.model = station?["model"]?.string
            state.serialNumber = station?["serialNumber"]?.string
            state.firmwareVersion = station?["firmwareVersion"]?.string
            state.bootedAt = now
            return .object([("currentTime", .string(OCPPTime.format(now))), ("interval", .int(OCPPMessages16.heartbeatInterval)),
                            ("status", "Accepted")])
        }),
        "Heartbeat": (.object(["customData": .any]), { _, _, now in .object([("currentTime", .string(OCPPTime.format(now)))]) }),
        "StatusNotification": (.object([
            "timestamp": .dateTime, "connectorStatus": .oneOf(["Available", "Occupied", "Reserved", "Unavailable", "Faulted"]),
            "evseId": .integer, "connectorId": .integer, "customData": .any,
        ], required: "timestamp", "connectorStatus", "evseId", "connectorId"), { payload, state, now in
            let id = "\(payload["evseId"]?.int ?? 0)/\(payload["connectorId"]?.int ?? 0)"
            state.connectors[id] = .init(status: payload["connectorStatus"]?.string ?? "Unavailable", errorCode: nil,
                                         updatedAt: payload["timestamp"]?.string.flatMap(OCPPTime.parse) ?? now)
            return .object([])
        }),
        "Authorize": (.object(["idToken": idToken, "certificate": .string(maxLength: 5500), "iso15118CertificateHashData": .any,
                               "customData": .any], required: "idToken"), { _, _, _ in
            .object([("idTokenInfo", accepted)])
        }),
        "TransactionEvent": (.object([
            "eventType": .oneOf(["Ended", "Started", "Updated"]), "timestamp": .dateTime, "triggerReason": .string(maxLength: 40),
            "seqNo": .integer, "offline": .boolean, "numberOfPhasesUsed": .integer, "cableMaxCurrent": .integer,
            "reservationId": .integer,
            "transactionInfo": .object([
                "transactionId": .string(maxLength: 36),
                "chargingState": .oneOf(["Charging", "EVConnected", "SuspendedEV", "SuspendedEVSE", "Idle"]),
                "timeSpentCharging": .integer, "stoppedReason": .string(maxLength: 40), "remoteStartId": .integer, "customData": .any,
            ], required: "transactionId"),
            "idToken": idToken, "evse": .object(["id": .integer, "connectorId": .integer, "customData": .any], required: "id"),
            "meterValue": .array(meterValue, minItems: 1), "customData": .any,
        ], required: "eventType", "timestamp", "triggerReason", "seqNo", "transactionInfo"), { payload, state, now in
            let info = payload["transactionInfo"]
            let id = info?["transactionId"]?.string ?? ""
            let time = payload["timestamp"]?.string.flatMap(OCPPTime.parse) ?? now
            state.takeMeterValues(payload["meterValue"]?.array ?? [], at: time)
            switch payload["eventType"]?.string {
            case "Ended":
                if state.transaction?.id == id { state.transaction = nil }
                state.meter(powerW: 0, at: time)
            default:
                if state.transaction?.id != id {
                    state.transaction = .init(id: id, connectorID: payload["evse"]?["connectorId"]?.int ?? 1,
                                              idTag: payload["idToken"]?["idToken"]?.string, meterStartWh: state.energyWh, startedAt: time)
                }
                if let charging = info?["chargingState"]?.string { state.transaction?.chargingState = charging }
            }
            return .object([])
        }),
        "MeterValues": (.object(["evseId": .integer, "meterValue": .array(meterValue, minItems: 1), "customData": .any],
                                required: "evseId", "meterValue"), { payload, state, now in
            state.takeMeterValues(payload["meterValue"]?.array ?? [], at: now)
            return .object([])
        }),
        "NotifyReport": (.object([
            "requestId": .integer, "generatedAt": .dateTime, "tbc": .boolean, "seqNo": .integer, "reportData": .any, "customData": .any,
        ], required: "requestId", "generatedAt", "seqNo"), { _, _, _ in .object([]) }),
    ]
}
