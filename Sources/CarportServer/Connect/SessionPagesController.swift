import CarportConnectors
import CarportCore
import Vapor

/// The web view's side of embedded connect sessions under `/connect-sessions`: a step's start URL admits the web
/// view (binding it with the Connect cookie) and sends it to the step's page; charger and energy-supplier
/// sessions are answered here; every step ends at `/connect-sessions/done`, which the SDK intercepts.
struct SessionPagesController: RouteCollection {
    static let donePath = "/connect-sessions/done"

    func boot(routes: any RoutesBuilder) throws {
        let sessions = routes.grouped("connect-sessions")
        sessions.get("done") { _ in ConnectResponses.page { $0.sessionDone() } }
        let session = sessions.grouped(":session")
        session.get("start", use: start)
        session.get("charger", use: chargerPage)
        session.post("charger", "sign-in", use: chargerSignIn)
        session.post("charger", "choose", use: chargerChoice)
        session.post("charger", "ocpp", use: ocppCharger)
        session.get("energy-supplier", use: supplierPage)
        session.post("energy-supplier", use: supplierSave)
    }

    /// `GET /connect-sessions/{id}/start?key=…`: the step's start URL.
    @Sendable func start(request: Request) async throws -> Response {
        let key = request.query[String.self, at: "key"]
        guard var session = try await request.connectSessionService.session(id: sessionID(request), stepKey: key), let key else {
            return Self.ended
        }
        let browser = BrowserCookie.newSecret()
        let target: String
        switch session.kind {
        case .vehicle, .selectedVehicle:
            guard let flowID = session.flowID else { return Self.ended }
            do {
                _ = try await request.connectService.rebind(id: flowID, browserSecret: browser)
            } catch is ConnectService.Failure {
                return Self.ended
            }
            target = "/connect/\(flowID.uuidString.lowercased())"
        case .charger, .energySupplier:
            session.browserDigest = SecretToken.digest(browser)
            try await request.connectSessionService.update(session)
            target = Self.pagePath(session, key: key)
        }
        let response = request.redirect(to: target, redirectType: .normal)
        BrowserCookie.set(browser, on: response, secure: request.carport.configuration.publicURL.hasPrefix("https:"))
        return response
    }

    @Sendable func chargerPage(request: Request) async throws -> Response {
        try await withSession(request, key: request.query[String.self, at: "key"], kind: .charger) { session, key in
            guard let account = Self.chargerAccount(session) else {
                return ConnectResponses.page { $0.chargerSignIn(session, key: key, message: nil) }
            }
            if account.brand == OCPPChargers.brand { return try await ocppWaiting(session, key: key, chargePointID: account.email, request) }
            let chargers = SimulatedChargers.chargers(brand: account.brand, email: account.email)
            return ConnectResponses.page { $0.chargerChoice(session, key: key, chargers: chargers, message: nil) }
        }
    }

    @Sendable func chargerSignIn(request: Request) async throws -> Response {
        let form = FormParameters(request.body.string)
        return try await withSession(request, key: form["key"], kind: .charger) { session, key in
            let brand = form["brand"] ?? "", email = (form["username"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            do {
                _ = try SimulatedChargers.signIn(brand: brand, email: email, password: form["password"] ?? "")
            } catch BrandSignInError.invalidCredentials(let message) {
                return ConnectResponses.page({ $0.chargerSignIn(session, key: key, message: message) }, status: .unprocessableEntity)
            }
            var session = session
            session.chargerAccount = "\(brand):\(email)"
            try await request.connectSessionService.update(session)
            return request.redirect(to: Self.pagePath(session, key: key), redirectType: .normal)
        }
    }

    @Sendable func chargerChoice(request: Request) async throws -> Response {
        let form = FormParameters(request.body.string)
        return try await withSession(request, key: form["key"], kind: .charger) { session, key in
            guard let account = Self.chargerAccount(session), let locationID = session.chargingLocationID else {
                return request.redirect(to: Self.pagePath(session, key: key), redirectType: .normal)
            }
            let chargers = SimulatedChargers.chargers(brand: account.brand, email: account.email)
            guard let chosen = chargers.first(where: { $0.serial == form["serial"] }) else {
                return ConnectResponses.page({ $0.chargerChoice(session, key: key, chargers: chargers, message: "Choose a charger.") },
                                             status: .unprocessableEntity)
            }
            let charger = try await request.chargerStore.save(Charger(
                userID: session.userID, chargingLocationID: locationID, brand: chosen.brand, model: chosen.model,
                serial: chosen.serial, createdAt: Date()))
            _ = try await request.connectSessionService.finish(session, chargerID: charger.id)
            return request.redirect(to: Self.doneURL(request), redirectType: .normal)
        }
    }

    /// The owner's own OCPP charger: registered at the session's location, its URL and password shown once; the
    /// step finishes when the charger has connected and booted (the waiting page looks again every few seconds).
    @Sendable func ocppCharger(request: Request) async throws -> Response {
        let form = FormParameters(request.body.string)
        return try await withSession(request, key: form["key"], kind: .charger) { session, key in
            let chargePointID = (form["charge_point_id"] ?? "").trimmingCharacters(in: .whitespaces)
            guard let owner = try await request.authorizationServer.externalID(userID: session.userID) else { return Self.ended }
            let registered: (charger: OCPPCharger, password: String?)
            do {
                registered = try await OCPPChargers(request: request).add(applicationID: session.applicationID, userID: owner,
                                                                          chargePointID: chargePointID, locationID: session.chargingLocationID,
                                                                          insecure: false)
            } catch let failure as OCPPChargers.Failure {
                return ConnectResponses.page({ $0.chargerSignIn(session, key: key, message: "That charge point id cannot be used: \(failure).") },
                                             status: .unprocessableEntity)
            }
            var session = session
            session.chargerAccount = "\(OCPPChargers.brand):\(chargePointID)"
            try await request.connectSessionService.update(session)
            let url = OCPPChargers(request: request).url(chargePointID)
            return ConnectResponses.page { $0.ocppCharger(session, key: key, chargePointID: chargePointID, url: url, password: registered.password) }
        }
    }

    private func ocppWaiting(_ session: ConnectSession, key: String, chargePointID: String, _ request: Request) async throws -> Response {
        let store = FluentOCPPChargerStore(resolveDatabase: { [db = request.db] in db })
        guard let ocpp = try await store.charger(chargePointID: chargePointID), ocpp.applicationID == session.applicationID else {
            return Self.ended  // removed meanwhile
        }
        guard ocpp.connectedAt != nil, ocpp.state.bootedAt != nil,
              let row = try await request.chargerStore.chargers(userID: session.userID)
                .first(where: { $0.brand == OCPPChargers.brand && $0.serial == chargePointID })
        else {
            let url = OCPPChargers(request: request).url(chargePointID)
            return ConnectResponses.page { $0.ocppCharger(session, key: key, chargePointID: chargePointID, url: url, password: nil) }
        }
        _ = try await request.connectSessionService.finish(session, chargerID: row.id)
        return request.redirect(to: Self.doneURL(request), redirectType: .normal)
    }

    @Sendable func supplierPage(request: Request) async throws -> Response {
        try await withSession(request, key: request.query[String.self, at: "key"], kind: .energySupplier) { session, key in
            ConnectResponses.page { $0.energySupplier(session, key: key, message: nil) }
        }
    }

    @Sendable func supplierSave(request: Request) async throws -> Response {
        let form = FormParameters(request.body.string)
        return try await withSession(request, key: form["key"], kind: .energySupplier) { session, key in
            let contract = (form["contract_number"] ?? "").trimmingCharacters(in: .whitespaces)
            let meter = (form["meter_code"] ?? "").trimmingCharacters(in: .whitespaces)
            guard let supplier = SimulatedEnergySuppliers.all.first(where: { $0.id == form["supplier"] }),
                  !contract.isEmpty, contract.count <= 64, meter.count <= 64
            else {
                return ConnectResponses.page({ $0.energySupplier(session, key: key, message: "Choose a supplier and enter your contract number.") },
                                             status: .unprocessableEntity)
            }
            try await request.chargingLocationService.setEnergyContract(
                EnergyContract(supplierID: supplier.id, supplierName: supplier.name, contractNumber: contract,
                               meterCode: meter.isEmpty ? nil : meter),
                locationID: session.chargingLocationID, userID: session.userID)
            _ = try await request.connectSessionService.finish(session)
            return request.redirect(to: Self.doneURL(request), redirectType: .normal)
        }
    }

    // MARK: - Helpers

    /// Loads the session whose current step `key` opens, for the browser that entered it (and whose charging
    /// location still exists).
    private func withSession(
        _ request: Request, key: String?, kind: ConnectSession.Kind, _ body: (ConnectSession, String) async throws -> Response
    ) async throws -> Response {
        guard let key, let session = try await request.connectSessionService.session(id: sessionID(request), stepKey: key),
              session.kind == kind,
              try await request.chargingLocationService.exists(session.chargingLocationID, userID: session.userID)
        else { return Self.ended }
        guard let digest = session.browserDigest, let browser = BrowserCookie.secret(of: request),
              SecretToken.matches(browser, digest: digest)
        else {
            return ConnectResponses.errorPage(title: "Open this link in the app that started it",
                                              message: "For your security, this page works only where the session began.", status: .forbidden)
        }
        return try await body(session, key)
    }

    private func sessionID(_ request: Request) -> UUID? { request.parameters.get("session").flatMap(UUID.init(uuidString:)) }

    private static var ended: Response {
        ConnectResponses.errorPage(title: "This link has ended", message: "Go back to the application and start again.", status: .notFound)
    }

    private static func pagePath(_ session: ConnectSession, key: String) -> String {
        let page = session.kind == .charger ? "charger" : "energy-supplier"
        return "/connect-sessions/\(session.id.uuidString.lowercased())/\(page)?key=\(RedirectURL.encode(key))"
    }

    static func doneURL(_ request: Request) -> String { request.carport.configuration.publicURL + donePath }

    /// Where a hosted step of a session starts (a web view opens it).
    static func startURL(_ session: ConnectSession, key: String, _ request: Request) -> String {
        "\(request.carport.configuration.publicURL)/connect-sessions/\(session.id.uuidString.lowercased())/start?key=\(RedirectURL.encode(key))"
    }

    private static func chargerAccount(_ session: ConnectSession) -> (brand: String, email: String)? {
        guard let account = session.chargerAccount, let colon = account.firstIndex(of: ":") else { return nil }
        return (String(account[..<colon]), String(account[account.index(after: colon)...]))
    }
}
