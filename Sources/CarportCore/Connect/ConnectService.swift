import Foundation

/// The Connect flow: brand → sign-in → vehicles → consent → redirect with a code (or an error), and re-authentication.
/// Faces parse their parameters into an `AuthorizationRequest`; pages render the `ConnectFlow` this returns.
public struct ConnectService: Sendable {
    /// Why a page request cannot go on; shown as an error page, never redirected.
    public enum Failure: Error, Equatable {
        case flowNotFound
        case flowExpired
        case otherBrowser
        case csrfMismatch
        case tooManySignInAttempts
    }

    /// What the owner sees next.
    public enum Next: Equatable, Sendable {
        case page(ConnectFlow, message: String?)
        case redirect(String)
    }

    public static let flowLifetime: Double = 30 * 60
    public static let maxFailedSignIns = 5

    private let flows: any ConnectFlowStore
    private let connections: any ConnectionStore
    private let authorizationServer: AuthorizationServer
    private let brands: any BrandSignIn & ExternalBrandSignIn
    private let issuer: String
    private let now: @Sendable () -> Date

    public init(
        flows: any ConnectFlowStore, connections: any ConnectionStore, authorizationServer: AuthorizationServer,
        brands: any BrandSignIn & ExternalBrandSignIn, issuer: String, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.flows = flows
        self.connections = connections
        self.authorizationServer = authorizationServer
        self.brands = brands
        self.issuer = issuer
        self.now = now
    }

    public func availableBrands(_ flow: ConnectFlow) -> [Brand] { brands.brands(mode: flow.request.mode) }

    /// Starts a flow bound to the browser holding `browserSecret`. Fails with an OAuth error to redirect when the
    /// request cannot be served in its mode.
    public func start(
        _ request: AuthorizationRequest, applicationName: String, browserSecret: String
    ) async throws -> Next {
        let offered = brands.brands(mode: request.mode)
        if offered.isEmpty {
            return .redirect(errorRedirect(request, .configurationError(
                "No brand is available in \(request.mode.rawValue) mode on this Carport.")))
        }
        if let make = request.make, !offered.contains(where: { $0.make == make }) {
            return .redirect(errorRedirect(request, .invalidRequest("Unknown make \"\(make)\".")))
        }
        let flow = ConnectFlow(
            id: UUID(), browserDigest: SecretToken.digest(browserSecret),
            csrfToken: SecretToken.generate(prefix: ""), request: request, applicationName: applicationName,
            expiresAt: now().addingTimeInterval(Self.flowLifetime))
        try await flows.insert(flow)
        return .page(flow, message: nil)
    }

    /// The flow, if it exists, is live, and belongs to this browser.
    public func load(id: UUID, browserSecret: String?) async throws -> ConnectFlow {
        let flow = try await liveFlow(id: id)
        guard let browserSecret, SecretToken.matches(browserSecret, digest: flow.browserDigest) else {
            throw Failure.otherBrowser
        }
        return flow
    }

    /// The flow if it exists and is live, whichever browser asks.
    private func liveFlow(id: UUID) async throws -> ConnectFlow {
        guard let flow = try await flows.flow(id: id), !flow.finished else { throw Failure.flowNotFound }
        guard flow.expiresAt > now() else { throw Failure.flowExpired }
        return flow
    }

    /// The flow in any state (embedded sessions read their flow's outcome).
    public func flow(id: UUID) async throws -> ConnectFlow? { try await flows.flow(id: id) }

    /// Binds a live flow to the browser holding `browserSecret` (an embedded session's web view entering a step).
    public func rebind(id: UUID, browserSecret: String) async throws -> ConnectFlow {
        var flow = try await liveFlow(id: id)
        flow.browserDigest = SecretToken.digest(browserSecret)
        try await flows.update(flow)
        return flow
    }

    /// Where the flow's brand sends owners back after its own sign-in.
    public func externalCallbackURL(_ flow: ConnectFlow) -> String? {
        guard signsInExternally(flow), let make = flow.make else { return nil }
        return brands.callbackURL(make: make)
    }

    /// `load` plus the CSRF check every form submission needs.
    public func loadForSubmission(id: UUID, browserSecret: String?, csrfToken: String?) async throws -> ConnectFlow {
        let flow = try await load(id: id, browserSecret: browserSecret)
        guard let csrfToken, SecretToken.matches(csrfToken, digest: SecretToken.digest(flow.csrfToken)) else {
            throw Failure.csrfMismatch
        }
        return flow
    }

    /// Leaves the preamble; with a preselected make, goes straight to sign-in.
    public func continueFromPreamble(_ flow: ConnectFlow) async throws -> ConnectFlow {
        var flow = flow
        flow.seenPreamble = true
        flow.make = flow.make ?? flow.request.make
        try await flows.update(flow)
        return flow
    }

    public func chooseBrand(_ flow: ConnectFlow, make: String) async throws -> Next {
        var flow = flow
        let make = flow.request.make ?? make
        guard availableBrands(flow).contains(where: { $0.make == make }) else {
            return .page(flow, message: "Choose one of the brands listed.")
        }
        flow.make = make
        flow.account = nil
        flow.selectedVINs = []
        try await flows.update(flow)
        return .page(flow, message: nil)
    }

    public func signIn(_ flow: ConnectFlow, email: String, password: String) async throws -> Next {
        var flow = flow
        guard flow.failedSignIns < Self.maxFailedSignIns else { throw Failure.tooManySignInAttempts }
        guard let make = flow.make else { return .page(flow, message: nil) }
        let account: BrandAccount
        do {
            account = try await brands.signIn(
                applicationID: flow.request.applicationID, make: make, email: email, password: password,
                mode: flow.request.mode)
        } catch .invalidCredentials(let message) {
            flow.failedSignIns += 1
            try await flows.update(flow)
            if flow.failedSignIns >= Self.maxFailedSignIns { throw Failure.tooManySignInAttempts }
            return .page(flow, message: message)
        } catch {
            return try await signInFailed(flow, error)
        }
        return try await signedIn(flow, account: account)
    }

    /// Whether the flow's brand signs owners in on its own site (Tesla in live mode).
    public func signsInExternally(_ flow: ConnectFlow) -> Bool {
        flow.make.map { brands.signsInExternally(make: $0, mode: flow.request.mode) } ?? false
    }

    /// Sends the owner to the brand's own sign-in with a fresh state (flow id + one-time secret) and PKCE pair.
    public func externalSignInURL(_ flow: ConnectFlow) async throws -> String? {
        guard let make = flow.make, signsInExternally(flow) else { return nil }
        var flow = flow
        let secret = SecretToken.generate(prefix: ""), verifier = SecretToken.generate(prefix: "")
        flow.externalStateDigest = SecretToken.digest(secret)
        flow.externalVerifier = verifier
        try await flows.update(flow)
        return brands.authorizationURL(
            make: make, permissions: flow.request.permissions.permissions,
            state: "\(flow.id.uuidString.lowercased()).\(secret)", codeChallenge: PKCE.challenge(for: verifier))
    }

    /// The brand sent the owner back (`code` or `error`, and our `state`): checks the state against this browser's
    /// flow, finishes the brand sign-in, and insists on the `required:` permissions the brand decides.
    public func completeExternalSignIn(state: String, code: String?, error: String?, browserSecret: String?) async throws -> Next {
        let (id, secret) = try Self.externalState(state)
        return try await completeExternalSignIn(
            try await load(id: id, browserSecret: browserSecret), secret: secret, code: code, error: error)
    }

    /// The same for an embedded session, whose application reports the brand's redirect: the state must name the
    /// session's flow (the application's user token stands in for the browser cookie).
    public func completeExternalSignIn(flowID: UUID, state: String, code: String?, error: String?) async throws -> Next {
        let (id, secret) = try Self.externalState(state)
        guard id == flowID else { throw Failure.csrfMismatch }
        return try await completeExternalSignIn(try await liveFlow(id: id), secret: secret, code: code, error: error)
    }

    private static func externalState(_ state: String) throws -> (UUID, String) {
        let parts = state.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let id = UUID(uuidString: parts[0]) else { throw Failure.csrfMismatch }
        return (id, parts[1])
    }

    private func completeExternalSignIn(_ flow: ConnectFlow, secret: String, code: String?, error: String?) async throws -> Next {
        var flow = flow
        guard let digest = flow.externalStateDigest, let verifier = flow.externalVerifier, let make = flow.make,
              SecretToken.matches(secret, digest: digest)
        else { throw Failure.csrfMismatch }
        flow.externalStateDigest = nil
        flow.externalVerifier = nil
        guard let code, error == nil else {
            return try await finish(flow, .redirect(errorRedirect(flow.request, .accessDenied("The owner did not allow access at the brand."))))
        }
        let result: ExternalSignIn
        do {
            result = try await brands.completeSignIn(
                applicationID: flow.request.applicationID, make: make, code: code, codeVerifier: verifier)
        } catch .invalidCredentials(let message) {
            try await flows.update(flow)
            return .page(flow, message: message)
        } catch {
            return try await signInFailed(flow, error)
        }
        let missing = flow.request.permissions.requiredPermissions.filter {
            result.brandManagedPermissions.contains($0) && !result.grantedPermissions.contains($0)
        }
        flow.missingAtBrand = missing.isEmpty ? nil : missing.sorted()
        guard missing.isEmpty else {
            try await flows.update(flow)
            return .page(flow, message: "This application needs you to allow more at the brand: "
                + missing.sorted().map(\.plainDescription).joined(separator: "; ") + ". Go back and allow them to continue.")
        }
        return try await signedIn(flow, account: result.account)
    }

    /// After a sign-in: re-authentication and permission updates end here; new connections go on to the vehicles.
    private func signedIn(_ flow: ConnectFlow, account: BrandAccount) async throws -> Next {
        var flow = flow
        flow.account = account
        switch flow.request.purpose {
        case .reauthenticate(let vehicleID):
            return try await finishReauthentication(flow, vehicleID: vehicleID, account: account)
        case .updateBrandPermissions:
            return try await finishPermissionUpdate(flow, account: account)
        case .authorize, .embeddedSession:
            break
        }
        guard !flow.selectableVehicles.isEmpty else {
            return try await finish(flow, .redirect(errorRedirect(flow.request, .noVehicles)))
        }
        try await flows.update(flow)
        return try await skippingConsentIfGranted(flow)
    }

    private func signInFailed(_ flow: ConnectFlow, _ error: BrandSignInError) async throws -> Next {
        switch error {
        case .invalidCredentials(let message):
            return .page(flow, message: message)
        case .noVehicles:
            return try await finish(flow, .redirect(errorRedirect(flow.request, .noVehicles)))
        case .invalidSubscription:
            return try await finish(flow, .redirect(errorRedirect(flow.request, .invalidSubscription)))
        case .vehicleIncompatible(let vehicle):
            return try await finish(flow, .redirect(errorRedirect(
                flow.request, .vehicleIncompatible("The vehicle is not compatible."),
                extra: [("vin", vehicle.vin), ("make", vehicle.make), ("model", vehicle.model),
                        ("year", String(vehicle.year))])))
        }
    }

    public func selectVehicles(_ flow: ConnectFlow, vins: [String]) async throws -> Next {
        var flow = flow
        let selectable = Set(flow.selectableVehicles.map(\.vin))
        let chosen = vins.filter(selectable.contains)
        guard !chosen.isEmpty else { return .page(flow, message: "Choose at least one vehicle.") }
        guard !(flow.request.singleSelect && chosen.count > 1) else { return .page(flow, message: "Choose one vehicle.") }
        flow.selectedVINs = chosen
        try await flows.update(flow)
        return try await skippingConsentIfGranted(flow)
    }

    /// The owner's decision on the consent page. Required permissions are always part of an approval.
    public func decide(_ flow: ConnectFlow, approve: Bool, permissions checked: Set<Permission>) async throws -> Next {
        guard approve else { return try await finish(flow, .redirect(errorRedirect(flow.request, .accessDenied()))) }
        guard let account = flow.account else { return .page(flow, message: nil) }
        let request = flow.request
        let granted = request.permissions.permissions.filter {
            checked.contains($0) || request.permissions.requiredPermissions.contains($0)
        }
        guard !granted.isEmpty else {
            return try await finish(flow, .redirect(errorRedirect(request, .accessDenied("No permission was granted."))))
        }
        let chosenVINs = flow.selectedVINs.isEmpty ? flow.selectableVehicles.map(\.vin) : flow.selectedVINs
        let identities = account.vehicles.filter { chosenVINs.contains($0.vin) }
        let vehicles = try await connections.vehicles(
            applicationID: request.applicationID, mode: request.mode, accountKey: account.key, identities: identities)
        let userID = try await connections.userID(
            applicationID: request.applicationID, externalID: request.user ?? account.key)
        let grantedScope = granted.count == request.permissions.permissions.count
            ? request.scope : granted.map(\.rawValue).joined(separator: " ")
        let grant = Grant(
            applicationID: request.applicationID, userID: userID, vehicleIDs: vehicles.map(\.id),
            permissions: granted, mode: request.mode, scope: grantedScope,
            issuesRefreshTokens: request.issuesRefreshTokens, createdAt: now())
        if request.purpose == .embeddedSession {
            return try await finishEmbedded(flow, grant: grant)
        }
        let code = try await authorizationServer.issueCode(
            for: grant, redirectURI: request.redirectURI, redirectURIWasExplicit: request.redirectURIWasExplicit,
            codeChallenge: request.codeChallenge)
        var parameters: [(String, String?)] = [("code", code), ("state", request.state), ("iss", issuer)]
        if signsInExternally(flow), let make = flow.make, let keyURL = brands.virtualKeyURL(make: make) {
            parameters.append(("virtual_key_url", keyURL))
        }
        return try await finish(flow, .redirect(RedirectURL.build(request.redirectURI, parameters)))
    }

    /// With `approval_prompt=auto`, an owner who already granted this application every requested permission over
    /// the chosen vehicles is not asked again; `force` always shows the consent page.
    private func skippingConsentIfGranted(_ flow: ConnectFlow) async throws -> Next {
        guard flow.step == .consent, !flow.request.forceApproval, let account = flow.account,
              try await hasCoveringGrant(flow, account: account)
        else { return .page(flow, message: nil) }
        return try await decide(flow, approve: true, permissions: Set(flow.request.permissions.permissions))
    }

    private func hasCoveringGrant(_ flow: ConnectFlow, account: BrandAccount) async throws -> Bool {
        let request = flow.request
        let store = authorizationServer.store
        guard let userID = try await store.user(applicationID: request.applicationID, externalID: request.user ?? account.key)
        else { return false }
        let wanted = Set(request.permissions.permissions)
        let vins = Set(flow.selectedVINs.isEmpty ? flow.selectableVehicles.map(\.vin) : flow.selectedVINs)
        for grant in try await store.grants(userID: userID)
        where grant.mode == request.mode && wanted.isSubset(of: Set(grant.permissions)) {
            var granted = Set<String>()
            for id in grant.vehicleIDs {
                if let vehicle = try await connections.vehicle(id: id, applicationID: request.applicationID) {
                    granted.insert(vehicle.identity.vin)
                }
            }
            if vins.isSubset(of: granted) { return true }
        }
        return false
    }

    /// An error redirect (RFC 6749 §4.1.2.1) with `state` and `iss` (RFC 9207).
    public func errorRedirect(
        _ request: AuthorizationRequest, _ error: OAuthError, extra: [(String, String?)] = []
    ) -> String {
        RedirectURL.build(request.redirectURI, [
            ("error", error.code), ("error_description", error.description), ("state", request.state), ("iss", issuer),
        ] + extra)
    }

    private func finishReauthentication(_ flow: ConnectFlow, vehicleID: UUID, account: BrandAccount) async throws -> Next {
        guard let vehicle = try await connections.vehicle(id: vehicleID, applicationID: flow.request.applicationID),
              account.vehicles.contains(where: { $0.vin == vehicle.identity.vin })
        else {
            return try await finish(flow, .redirect(errorRedirect(
                flow.request, .init("no_vehicles", "The account you signed in to does not hold this vehicle."))))
        }
        return try await finish(flow, .redirect(RedirectURL.build(flow.request.redirectURI, [
            ("vehicle_id", vehicleID.uuidString.lowercased()), ("state", flow.request.state), ("iss", issuer),
        ])))
    }

    /// The brand's consent now covers more: the application's vehicles of this account keep working with it.
    private func finishPermissionUpdate(_ flow: ConnectFlow, account: BrandAccount) async throws -> Next {
        var parameters: [(String, String?)] = []
        for identity in account.vehicles {
            if let vehicle = try await connections.vehicle(
                vin: identity.vin, mode: flow.request.mode, applicationID: flow.request.applicationID) {
                parameters.append(("vehicle_id", vehicle.id.uuidString.lowercased()))
            }
        }
        guard !parameters.isEmpty else {
            return try await finish(flow, .redirect(errorRedirect(
                flow.request, .init("no_vehicles", "None of this account's vehicles is connected to the application."))))
        }
        return try await finish(flow, .redirect(RedirectURL.build(
            flow.request.redirectURI, parameters + [("state", flow.request.state), ("iss", issuer)])))
    }

    /// An embedded session connects one vehicle per user: the grant is stored (no code) and the flow ends at the
    /// session's done URL; a user who holds another vehicle already ends with `vehicle_limit`.
    private func finishEmbedded(_ flow: ConnectFlow, grant: Grant) async throws -> Next {
        let held = try await authorizationServer.store.grants(userID: grant.userID).flatMap(\.vehicleIDs)
        guard grant.vehicleIDs.count == 1, held.allSatisfy(grant.vehicleIDs.contains) else {
            return try await finish(flow, .redirect(errorRedirect(
                flow.request, .init("vehicle_limit", "Only one vehicle can be connected to this account."))))
        }
        try await authorizationServer.store.insertGrant(grant)
        var flow = flow
        flow.connectedVehicleIDs = grant.vehicleIDs
        return try await finish(flow, .redirect(RedirectURL.build(flow.request.redirectURI, [("state", flow.request.state)])))
    }

    private func finish(_ flow: ConnectFlow, _ next: Next) async throws -> Next {
        var flow = flow
        flow.finished = true
        try await flows.update(flow)
        return next
    }
}
