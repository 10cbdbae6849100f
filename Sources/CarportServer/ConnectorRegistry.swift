import CarportConnectors
import CarportCore
import Foundation

/// Which connector serves which vehicle, and which brands Connect offers, per mode:
/// test → deterministic simulated brands; simulated → the developer's stateful simulator; live → Tesla's Fleet
/// API when the operator configured it.
struct ConnectorRegistry: ConnectorDirectory, BrandSignIn, ExternalBrandSignIn {
    let simulator: SimulatorService
    let tesla: TeslaFleetClient?

    func connector(for vehicle: ConnectedVehicle) -> (any BrandConnector)? {
        switch vehicle.mode {
        case .test: TestModeConnector()
        case .simulated: SimulatorConnector(simulator: simulator)
        case .live: vehicle.identity.make == TeslaSignIn.make ? tesla.map(TeslaConnector.init(fleet:)) : nil
        }
    }

    /// Simulated cars of the application, and test-mode VINs (`0SC…`, battery-electric).
    func capabilities(ofUnconnectedVIN vin: String, applicationID: UUID) async throws -> VehicleCapabilities? {
        if let car = try await simulator.car(applicationID: applicationID, vin: vin) {
            return SimulatedCatalog.capabilities(of: car.model.powertrain)
        }
        return vin.hasPrefix("0SC") ? SimulatedCatalog.capabilities(of: .bev) : nil
    }

    /// Every brand some mode offers (vendor lists of the faces).
    var allBrands: [Brand] { ApplicationMode.allCases.flatMap(brands(mode:)).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

    func brands(mode: ApplicationMode) -> [Brand] {
        mode == .live ? (tesla == nil ? [] : [TeslaSignIn.brand]) : SimulatedCatalog.brands
    }

    func signIn(
        applicationID: UUID, make: String, email: String, password: String, mode: ApplicationMode
    ) async throws(BrandSignInError) -> BrandAccount {
        switch mode {
        case .test:
            try await SimulatedBrandSignIn().signIn(
                applicationID: applicationID, make: make, email: email, password: password, mode: mode)
        case .simulated:
            try await simulator.signIn(applicationID: applicationID, make: make, email: email, password: password)
        case .live:
            throw .invalidCredentials("Owners of this brand sign in on the brand's own site.")
        }
    }

    // MARK: Sign-in at the brand (Tesla)

    private var teslaSignIn: TeslaSignIn? { tesla.map(TeslaSignIn.init(fleet:)) }

    func signsInExternally(make: String, mode: ApplicationMode) -> Bool {
        teslaSignIn?.signsInExternally(make: make, mode: mode) ?? false
    }

    func authorizationURL(make: String, permissions: [Permission], state: String, codeChallenge: String) -> String? {
        teslaSignIn?.authorizationURL(make: make, permissions: permissions, state: state, codeChallenge: codeChallenge)
    }

    func completeSignIn(
        applicationID: UUID, make: String, code: String, codeVerifier: String
    ) async throws(BrandSignInError) -> ExternalSignIn {
        guard let teslaSignIn else { throw .invalidCredentials("This brand is not available here.") }
        return try await teslaSignIn.completeSignIn(applicationID: applicationID, make: make, code: code, codeVerifier: codeVerifier)
    }

    func callbackURL(make: String) -> String? { teslaSignIn?.callbackURL(make: make) }

    func virtualKeyURL(make: String) -> String? { teslaSignIn?.virtualKeyURL(make: make) }
}
