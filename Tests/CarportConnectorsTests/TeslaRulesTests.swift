import CarportCore
import Foundation
import Testing
@testable import CarportConnectors

@Suite struct TeslaRulesTests {
    @Test func theWindowAllowsTeslasPerMinuteLimitThenSaysHowLongToWait() throws {
        let windows = TeslaRateWindows()
        let start = Date()
        for second in 0..<3 { try windows.take(.wakes, vin: "V", now: start.addingTimeInterval(Double(second))) }
        #expect(throws: ConnectorError.rateLimited(retryAfter: 58)) {
            try windows.take(.wakes, vin: "V", now: start.addingTimeInterval(2))
        }
        try windows.take(.wakes, vin: "OTHER", now: start)
        try windows.take(.wakes, vin: "V", now: start.addingTimeInterval(60.5))
    }

    @Test func permissionsMapToSeedTwosTeslaScopes() {
        #expect(TeslaScopes.requested(for: [.readBattery, .readLocation, .controlCharge, .controlSecurity, .readUserProfile])
            == ["openid", "offline_access", "vehicle_device_data", "vehicle_location", "vehicle_charging_cmds", "vehicle_cmds", "user_data"])
        #expect(TeslaScopes.covers(.controlCharge, granted: ["vehicle_cmds"]))
        #expect(!TeslaScopes.covers(.readLocation, granted: ["vehicle_device_data"]))
        #expect(TeslaScopes.covers(.readCharger, granted: []), "permissions Tesla does not decide need nothing there")
    }

    @Test func vinsTellModelYearAndWhetherCommandsMustBeSigned() {
        let modelS2019 = TeslaVIN.identity(vin: "5YJSA1E26KF000002")
        #expect(modelS2019 == VehicleIdentity(vin: "5YJSA1E26KF000002", make: "TESLA", model: "Model S", year: 2019))
        #expect(!TeslaVIN.requiresCommandProtocol(modelS2019))
        #expect(TeslaVIN.requiresCommandProtocol(TeslaVIN.identity(vin: "5YJ3E1EA5NF000001")))
        #expect(TeslaVIN.requiresCommandProtocol(TeslaVIN.identity(vin: "5YJXCAE26MF000004")), "2021 Model X")
    }

    @Test func teslasRefusalsBecomeVehicleStateCodes() {
        #expect(throws: ConnectorError.vehicleState(code: "CHARGING_PLUG_NOT_CONNECTED", description: "The charging cable is not plugged in.")) {
            try TeslaSignals.refusal("disconnected", pairingURL: "u")
        }
        #expect(throws: ConnectorError.virtualKeyRequired(pairingURL: "u")) { try TeslaSignals.refusal("unsigned_cmds_hardlocked", pairingURL: "u") }
        #expect(throws: Never.self) { try TeslaSignals.refusal("already_set", pairingURL: "u") }
    }

    @Test func theRegionComesFromTeslas421Text() {
        var configuration = TeslaConfiguration(clientID: "c", clientSecret: "s", partnerDomain: "d", redirectURI: "r")
        configuration.regionBaseURLs = ["na": "http://x/na", "eu": "http://x/eu"]
        #expect(TeslaFleetClient.regionHint("user out of region, use base URL: http://x/eu, see https://developer.tesla.com", configuration) == "eu")
        #expect(TeslaFleetClient.regionHint("something else", configuration) == nil)
    }
}
