import Foundation

/// One owner's way through Connect, stored server-side between pages.
public struct ConnectFlow: Sendable, Codable, Equatable {
    public enum Step: String, Sendable, Codable {
        case preamble, brands, signIn, vehicles, consent, finished
    }

    public var id: UUID
    /// Digest of the browser cookie the flow is bound to.
    public var browserDigest: String
    /// Token every form of this flow must echo (CSRF protection).
    public var csrfToken: String
    public var request: AuthorizationRequest
    public var applicationName: String
    public var seenPreamble = false
    public var make: String?
    public var account: BrandAccount?
    public var selectedVINs: [String] = []
    public var failedSignIns: Int = 0
    public var expiresAt: Date
    public var finished = false
    /// A trip to the brand's own sign-in in progress: digest of the state's secret half, and the PKCE verifier.
    public var externalStateDigest: String?
    public var externalVerifier: String?
    /// Required permissions the brand's own consent left out; the owner is asked to return to the brand.
    public var missingAtBrand: [Permission]?
    /// What the flow of an embedded session connected (its outcome, read by the session).
    public var connectedVehicleIDs: [UUID]?

    /// The page the owner should see now.
    public var step: Step {
        if finished { return .finished }
        guard seenPreamble else { return .preamble }
        guard make != nil else { return .brands }
        guard let account else { return .signIn }
        if selectedVINs.isEmpty && offersVehicleChoice(account) { return .vehicles }
        return .consent
    }

    /// Vehicles of the account the owner may pick from (`single_select_vin` narrows to one).
    public var selectableVehicles: [VehicleIdentity] {
        guard let account else { return [] }
        guard let vin = request.singleSelectVIN else { return account.vehicles }
        return account.vehicles.filter { $0.vin.caseInsensitiveCompare(vin) == .orderedSame }
    }

    private func offersVehicleChoice(_ account: BrandAccount) -> Bool {
        selectableVehicles.count > 1 || request.singleSelect
    }
}

/// Storage for Connect flows.
public protocol ConnectFlowStore: Sendable {
    func insert(_ flow: ConnectFlow) async throws
    func flow(id: UUID) async throws -> ConnectFlow?
    func update(_ flow: ConnectFlow) async throws
}
