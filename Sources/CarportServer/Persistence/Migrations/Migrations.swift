import Fluent

/// Every migration, in order. Append new ones; never edit a released one.
enum CarportMigrations {
    static let all: [any Migration] = [
        M001CreateApplications(),
        M002CreateApplicationUsers(),
        M003CreateVehicles(),
        M004CreateGrants(),
        M005CreateCodesAndTokens(),
        M006CreateConnectFlows(),
        M007CreateSimulatedVehicles(),
        M008CreateChargingLocations(),
        M009CreateBrandCredentials(),
        M010CreateConnectSessionsAndChargers(),
        M011CreateWebhooks(),
        M012AddWebhookLeases(),
        M013CreateLeases(),
        M014KeepManagementTokensSealed(),
        M015CreateSmartcarWebhooks(),
        M016IndexVehicleLookups(),
        M017CreateOCPPChargers(),
        M018CreateOCPPCalls(),
        M019CreateOCPPEnergyHours(),
        M020CreateSmartChargingSchedules(),
    ]
}
