import Foundation

/// OCPP 1.6J messages a charge point sends (Core, Firmware Management), with the schema each payload must meet
/// and Carport's answer.
enum OCPPMessages16 {
    static let heartbeatInterval = 30

    static let connectorStatuses = ["Available", "Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing", "Reserved",
                                    "Unavailable", "Faulted"]
    static let errorCodes = ["ConnectorLockFailure", "EVCommunicationError", "GroundFailure", "HighTemperature", "InternalError",
                             "LocalListConflict", "NoError", "OtherError", "OverCurrentFailure", "PowerMeterFailure",
                             "PowerSwitchFailure", "ReaderFailure", "ResetFailure", "UnderVoltage", "OverVoltage", "WeakSignal"]
    static let sampledValue = OCPPSchema.object([
        "value": .string(maxLength: .max), "context": .oneOf(["Interruption.Begin", "Interruption.End", "Sample.Clock", "Sample.Periodic",
                                                              "Transaction.Begin", "Transaction.End", "Trigger", "Other"]),
        "format": .oneOf(["Raw", "SignedData"]), "measurand": .string(maxLength: 50), "phase": .string(maxLength: 10),
        "location": .oneOf(["Cable", "EV", "Inlet", "Outlet", "Body"]), "unit": .string(maxLength: 10),
    ], required: "value")
    static let meterValue = OCPPSchema.object(["timestamp": .dateTime, "sampledValue": .array(sampledValue, minItems: 1)],
                                              required: "timestamp", "sampledValue")
    static let accepted: JSONValue = .object([("status", "Accepted")])

    static let messages: [String: OCPPCentralSystem.Action] = [
        "BootNotification": (.object([
            "chargePointVendor": .string(maxLength: 20), "chargePointModel": .string(maxLength: 20),
            "chargePointSerialNumber": .string(maxLength: 25), "chargeBoxSerialNumber": .string(maxLength: 25),
            "firmwareVersion": .string(maxLength: 50), "iccid": .string(maxLength: 20), "imsi": .string(maxLength: 20),
            "meterType": .string(maxLength: 25), "meterSerialNumber": .string(maxLength: 25),
        ], required: "chargePointVendor", "chargePointModel"), { payload, state, now in
            state.vendor = payload["chargePointVendor"]?.string
            state.model = payload["chargePointModel"]?.string
            state.serialNumber = payload["chargePointSerialNumber"]?.string ?? payload["chargeBoxSerialNumber"]?.string
            state.firmwareVersion = payload["firmwareVersion"]?.string
            state.bootedAt = now
            return .object([("status", "Accepted"), ("currentTime", .string(OCPPTime.format(now))), ("interval", .int(heartbeatInterval))])
        }),
        "Heartbeat": (.object([:]), { _, _, now in .object([("currentTime", .string(OCPPTime.format(now)))]) }),
        "StatusNotification": (.object([
            "connectorId": .integer, "errorCode": .oneOf(errorCodes), "status": .oneOf(connectorStatuses), "info": .string(maxLength: 50),
            "timestamp": .dateTime, "vendorId": .string(maxLength: 255), "vendorErrorCode": .string(maxLength: 50),
        ], required: "connectorId", "errorCode", "status"), { payload, state, now in
            let id = String(payload["connectorId"]?.int ?? 0)
            state.connectors[id] = .init(status: payload["status"]?.string ?? "Unavailable", errorCode: payload["errorCode"]?.string,
                                         updatedAt: payload["timestamp"]?.string.flatMap(OCPPTime.parse) ?? now)
            return .object([])
        }),
        "Authorize": (.object(["idTag": .string(maxLength: 20)], required: "idTag"), { _, _, _ in
            .object([("idTagInfo", accepted)])
        }),
        "StartTransaction": (.object([
            "connectorId": .integer, "idTag": .string(maxLength: 20), "meterStart": .integer, "reservationId": .integer,
            "timestamp": .dateTime,
        ], required: "connectorId", "idTag", "meterStart", "timestamp"), { payload, state, now in
            let id = state.nextTransactionID
            state.nextTransactionID += 1
            state.transaction = .init(id: String(id), connectorID: payload["connectorId"]?.int ?? 1, idTag: payload["idTag"]?.string,
                                      meterStartWh: payload["meterStart"]?.double,
                                      startedAt: payload["timestamp"]?.string.flatMap(OCPPTime.parse) ?? now)
            state.meter(energyWh: payload["meterStart"]?.double, at: state.transaction?.startedAt ?? now)
            return .object([("transactionId", .int(id)), ("idTagInfo", accepted)])
        }),
        "StopTransaction": (.object([
            "idTag": .string(maxLength: 20), "meterStop": .integer, "timestamp": .dateTime, "transactionId": .integer,
            "reason": .oneOf(["EmergencyStop", "EVDisconnected", "HardReset", "Local", "Other", "PowerLoss", "Reboot", "Remote",
                              "SoftReset", "UnlockCommand", "DeAuthorized"]),
            "transactionData": .array(meterValue, minItems: 0),
        ], required: "meterStop", "timestamp", "transactionId"), { payload, state, now in
            state.takeMeterValues(payload["transactionData"]?.array ?? [], at: now)
            state.meter(energyWh: payload["meterStop"]?.double, powerW: 0, at: payload["timestamp"]?.string.flatMap(OCPPTime.parse) ?? now)
            if state.transaction?.id == payload["transactionId"]?.int.map(String.init) { state.transaction = nil }
            return .object([("idTagInfo", accepted)])
        }),
        "MeterValues": (.object(["connectorId": .integer, "transactionId": .integer, "meterValue": .array(meterValue, minItems: 1)],
                                required: "connectorId", "meterValue"), { payload, state, now in
            state.takeMeterValues(payload["meterValue"]?.array ?? [], at: now)
            return .object([])
        }),
        "DataTransfer": (.object(["vendorId": .string(maxLength: 255), "messageId": .string(maxLength: 50), "data": .any],
                                 required: "vendorId"), { _, _, _ in .object([("status", "UnknownVendorId")]) }),
        "FirmwareStatusNotification": (.object(["status": .oneOf(["Downloaded", "DownloadFailed", "Downloading", "Idle",
                                                                  "InstallationFailed", "Installing", "Installed"])],
                                               required: "status"), { _, _, _ in .object([]) }),
        "DiagnosticsStatusNotification": (.object(["status": .oneOf(["Idle", "Uploaded", "UploadFailed", "Uploading"])],
                                                  required: "status"), { _, _, _ in .object([]) }),
    ]
}
