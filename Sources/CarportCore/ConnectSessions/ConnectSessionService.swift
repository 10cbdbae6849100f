import Foundation

/// The state machine of embedded connect sessions (jedlix.md §4–§6, §11). Vehicle sessions run a Connect flow
/// that ends at `doneURL` instead of an application redirect; when the owner picks a brand that signs in on its
/// own site (Tesla), the session's next step is that brand's authorize URL, and the application reports the
/// brand's redirect back (`report`). Charger and energy-supplier sessions are single Carport pages.
public struct ConnectSessionService: Sendable {
    public enum Failure: Error, Equatable {
        /// The user has this vehicle connected already (one vehicle per user).
        case vehicleAlreadyConnected(UUID)
        case vehicleNotFound
        case chargingLocationNotFound
        /// Connect cannot offer a brand for this session (mode without brands, unknown make).
        case unavailable(String)
        /// The `info` report cannot be used; says why.
        case invalidReport(String)
    }

    /// Who asks: the application (its name shows in Connect) and its user.
    public struct Context: Sendable {
        public var applicationID: UUID
        public var applicationName: String
        public var mode: ApplicationMode
        public var userID: UUID
        public var externalUserID: String

        public init(applicationID: UUID, applicationName: String, mode: ApplicationMode, userID: UUID, externalUserID: String) {
            self.applicationID = applicationID
            self.applicationName = applicationName
            self.mode = mode
            self.userID = userID
            self.externalUserID = externalUserID
        }
    }

    private let sessions: any ConnectSessionStore
    private let connect: ConnectService
    private let authorizationServer: AuthorizationServer
    private let connections: any ConnectionStore
    private let locations: any ChargingLocationStore
    private let doneURL: String
    private let permissions: PermissionRequest
    private let now: @Sendable () -> Date

    public init(
        sessions: any ConnectSessionStore, connect: ConnectService, authorizationServer: AuthorizationServer,
        connections: any ConnectionStore, locations: any ChargingLocationStore, doneURL: String,
        permissions: PermissionRequest, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.sessions = sessions
        self.connect = connect
        self.authorizationServer = authorizationServer
        self.connections = connections
        self.locations = locations
        self.doneURL = doneURL
        self.permissions = permissions
        self.now = now
    }

    // MARK: Starting

    /// A session to connect a vehicle: a new one (`vehicleID` nil; refused while the user holds one) or the user's
    /// own vehicle again (sign in anew).
    public func startVehicleSession(_ context: Context, vehicleID: UUID?) async throws -> ConnectSession {
        let held = try await heldVehicleIDs(context)
        var selected: ConnectedVehicle?
        if let vehicleID {
            guard held.contains(vehicleID),
                  let vehicle = try await connections.vehicle(id: vehicleID, applicationID: context.applicationID)
            else { throw Failure.vehicleNotFound }
            selected = vehicle
        } else if let connected = held.first {
            throw Failure.vehicleAlreadyConnected(connected)
        }
        var session = ConnectSession(
            applicationID: context.applicationID, userID: context.userID,
            kind: selected == nil ? .vehicle : .selectedVehicle, step: .finished, now: now())
        session.vehicleID = selected?.id
        try await startFlow(&session, context, vehicle: selected)
        try await sessions.insert(session)
        return session
    }

    /// A session to connect a charger (or an energy contract) at one of the user's charging locations.
    public func startLocationSession(_ context: Context, kind: ConnectSession.Kind, chargingLocationID: UUID?) async throws -> ConnectSession {
        guard let chargingLocationID, try await locations.location(id: chargingLocationID, userID: context.userID) != nil
        else { throw Failure.chargingLocationNotFound }
        var session = ConnectSession(
            applicationID: context.applicationID, userID: context.userID, kind: kind, step: .hosted(key: Self.newKey()),
            now: now())
        session.chargingLocationID = chargingLocationID
        try await sessions.insert(session)
        return session
    }

    // MARK: Progress

    /// The session as it stands now: a vehicle session whose flow ended is finished (or starts over when the owner
    /// declined or failed), and one whose owner chose a brand with its own sign-in moves to that brand's page.
    public func current(_ session: ConnectSession, _ context: Context) async throws -> ConnectSession {
        guard !session.isFinished, let flowID = session.flowID else { return session }
        var session = session
        guard let flow = try await connect.flow(id: flowID), flow.expiresAt > now() || flow.finished else {
            return try await restart(session, context)
        }
        if flow.finished {
            guard let vehicleID = flow.connectedVehicleIDs?.first else { return try await restart(session, context) }
            session.vehicleID = vehicleID
            return try await save(session, step: .finished)
        }
        if case .hosted = session.step, flow.step == .signIn, let callback = connect.externalCallbackURL(flow),
           let url = try await connect.externalSignInURL(flow) {
            return try await save(session, step: .external(url: url, callback: callback))
        }
        return session
    }

    /// The application reports where the web view was sent at the end of the brand's sign-in (`redirectURL`, the
    /// brand's callback with `code` and `state`); the brand sign-in completes and the session moves on.
    public func report(_ session: ConnectSession, redirectURL: String?, _ context: Context) async throws -> ConnectSession {
        guard case .external(_, let callback) = session.step, let flowID = session.flowID else {
            throw Failure.invalidReport("This session is not waiting for a brand's sign-in; read it again.")
        }
        guard let redirectURL, redirectURL.hasPrefix(callback), let components = URLComponents(string: redirectURL) else {
            throw Failure.invalidReport("\"redirectUrl\" must be the brand's redirect, starting with \(callback).")
        }
        let query = components.queryItems ?? []
        func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
        guard let state = value("state"), !state.isEmpty else {
            throw Failure.invalidReport("\"redirectUrl\" carries no state.")
        }
        let next: ConnectService.Next
        do {
            next = try await connect.completeExternalSignIn(flowID: flowID, state: state, code: value("code"), error: value("error"))
        } catch ConnectService.Failure.csrfMismatch {
            throw Failure.invalidReport("The state in \"redirectUrl\" does not belong to this session's current step.")
        } catch is ConnectService.Failure {
            return try await restart(session, context)
        }
        switch next {
        case .redirect:
            return try await current(session, context)
        case .page:
            // The owner goes on in Carport's pages (vehicle choice, consent), or back to the brand's sign-in.
            return try await current(try await save(session, step: .hosted(key: Self.newKey())), context)
        }
    }

    /// A charger or energy-supplier page finished the session.
    public func finish(_ session: ConnectSession, chargerID: UUID? = nil) async throws -> ConnectSession {
        var session = session
        session.chargerID = chargerID ?? session.chargerID
        return try await save(session, step: .finished)
    }

    /// Records what the web view of the current step did (its cookie digest, the account it signed in to).
    public func update(_ session: ConnectSession) async throws {
        var session = session
        session.updatedAt = now()
        try await sessions.update(session)
    }

    // MARK: Lookups

    public func session(id: UUID?, _ context: Context) async throws -> ConnectSession? {
        guard let id else { return nil }
        return try await sessions.session(id: id, userID: context.userID)
    }

    /// The session whose current step this key opens.
    public func session(id: UUID?, stepKey: String?) async throws -> ConnectSession? {
        guard let id, let stepKey, let session = try await sessions.session(id: id), let key = session.stepKey,
              SecretToken.matches(stepKey, digest: SecretToken.digest(key))
        else { return nil }
        return session
    }

    public func unfinished(_ context: Context, kinds: [ConnectSession.Kind]) async throws -> [ConnectSession] {
        var result: [ConnectSession] = []
        for session in try await sessions.unfinished(userID: context.userID, kinds: kinds) {
            let latest = try await current(session, context)
            if !latest.isFinished { result.append(latest) }
        }
        return result
    }

    // MARK: Internals

    private func heldVehicleIDs(_ context: Context) async throws -> [UUID] {
        var ids: [UUID] = []
        for id in try await authorizationServer.store.grants(userID: context.userID).flatMap(\.vehicleIDs) where !ids.contains(id) {
            ids.append(id)
        }
        return ids
    }

    /// A fresh Connect flow for the session (the first, or after the owner declined); its first page is the
    /// session's new hosted step.
    private func startFlow(_ session: inout ConnectSession, _ context: Context, vehicle: ConnectedVehicle?) async throws {
        var request = AuthorizationRequest(
            applicationID: context.applicationID, redirectURI: doneURL, redirectURIWasExplicit: true,
            state: session.id.uuidString.lowercased(), permissions: permissions,
            scope: permissions.permissions.map(\.rawValue).joined(separator: " "), mode: vehicle?.mode ?? context.mode)
        request.purpose = .embeddedSession
        request.issuesRefreshTokens = false
        request.singleSelect = true
        request.user = context.externalUserID
        request.make = vehicle?.identity.make
        request.singleSelectVIN = vehicle?.identity.vin
        switch try await connect.start(request, applicationName: context.applicationName, browserSecret: Self.newKey()) {
        case .redirect(let url):
            let description = URLComponents(string: url)?.queryItems?.first { $0.name == "error_description" }?.value
            throw Failure.unavailable(description ?? "Connect cannot start for this application.")
        case .page(let flow, _):
            session.flowID = flow.id
            session.step = .hosted(key: Self.newKey())
        }
    }

    private func restart(_ session: ConnectSession, _ context: Context) async throws -> ConnectSession {
        var session = session
        var vehicle: ConnectedVehicle?
        if session.kind == .selectedVehicle, let id = session.vehicleID {
            vehicle = try await connections.vehicle(id: id, applicationID: context.applicationID)
        }
        try await startFlow(&session, context, vehicle: vehicle)
        return try await save(session, step: session.step)
    }

    private func save(_ session: ConnectSession, step: ConnectSession.Step) async throws -> ConnectSession {
        var session = session
        session.step = step
        session.browserDigest = nil
        session.updatedAt = now()
        try await sessions.update(session)
        return session
    }

    private static func newKey() -> String { SecretToken.generate(prefix: "") }
}
