import CarportCore
import Foundation
import Vapor

/// The Jedlix face under `/api/v1` (jedlix.md §3): users, connect sessions, vehicles, charging locations and
/// chargers, for apps that embed the Jedlix SDK with Carport as their base URL.
struct JedlixRoutes: RouteCollection {
    /// What a connect session asks the owner to allow: what smart charging needs.
    static let sessionPermissions = PermissionRequest(items: [
        Permission.readVehicleInfo, .readBattery, .readCharge, .readLocation, .readOdometer, .controlCharge,
    ].map { PermissionRequest.Item(permission: $0, required: true) })

    /// Cookies the SDK should bring back from a brand's sign-in (Tesla's SSO session).
    static let brandCookies = ["tesla-auth.sid"]

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("api", "v1").grouped(JedlixProblemMiddleware())
        api.post("users", use: createUser)
        let user = api.grouped("users", ":userId")
        user.post("vehicles", "connect-sessions", use: startVehicleSession)
        user.post("vehicles", ":vehicleId", "connect-sessions", use: startVehicleSession)
        user.post("charging-locations", ":locationId", "chargers", "connect-sessions", use: startLocationSession(.charger))
        user.post("charging-locations", ":locationId", "energy-supplier", "connect-sessions", use: startLocationSession(.energySupplier))
        user.get("connect-sessions", use: unfinishedSessions)
        user.get("connect-sessions", ":sessionId", use: session)
        user.post("connect-sessions", ":sessionId", "info", use: info)
        JedlixVehicles().register(on: user)
        JedlixChargingLocations().register(on: user)
        JedlixChargeSettings().register(on: user)
    }

    /// `POST /users` (ApiKey + the application's client-credentials token): `{"defaultCountry","locale"}` → 201.
    @Sendable func createUser(request: Request) async throws -> Response {
        let application = try await JedlixCaller.application(request)
        guard let token = request.headers.bearerAuthorization?.token,
              try await request.authorizationServer.application(forApplicationToken: token) == application.id
        else { throw JedlixProblem.unauthorized("An application access token (client credentials) is required.") }
        let body = try request.jedlixBody()
        guard let country = body["defaultCountry"] as? String, country.wholeMatch(of: /[A-Za-z]{2}/) != nil else {
            throw JedlixProblem.badRequest("\"defaultCountry\" is required: an ISO 3166-1 alpha-2 country code such as \"NL\".")
        }
        var locale = "EN"
        if let value = body["locale"], !(value is NSNull) {
            guard let text = value as? String, (2...5).contains(text.unicodeScalars.count) else {
                throw JedlixProblem.badRequest("\"locale\" must be a language code such as \"EN\" or \"nl-NL\".")
            }
            locale = text
        }
        let user = ApplicationUserModel(applicationID: application.id, externalID: UUID().uuidString.lowercased())
        user.defaultCountry = country.uppercased()
        user.locale = locale
        try await user.create(on: request.db)
        return try Response.json(.object([
            ("id", .string(user.externalID)), ("defaultCountry", .string(country.uppercased())), ("locale", .string(locale)),
            ("createdAt", .string(JedlixTime.format(user.createdAt ?? Date()))),
        ]), status: .created)
    }

    // MARK: - Connect sessions

    /// `POST /users/{u}/vehicles[/{vehicleId}]/connect-sessions` → 201 with the first step.
    @Sendable func startVehicleSession(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        _ = try request.jedlixBody()
        var vehicleID: UUID?
        if let id = request.parameters.get("vehicleId") {
            vehicleID = try await caller.vehicle(id, service: request.vehicleService).id
        }
        let session = try await sessionCall { try await request.connectSessionService.startVehicleSession(caller.context, vehicleID: vehicleID) }
        return try Response.json(Self.body(session, request: request), status: .created)
    }

    func startLocationSession(_ kind: ConnectSession.Kind) -> @Sendable (Request) async throws -> Response {
        { request in
            let caller = try await JedlixCaller.user(request)
            _ = try request.jedlixBody()
            let location = try await caller.chargingLocation(request.parameters.get("locationId"), request: request)
            let session = try await sessionCall {
                try await request.connectSessionService.startLocationSession(caller.context, kind: kind, chargingLocationID: location.id)
            }
            return try Response.json(Self.body(session, request: request), status: .created)
        }
    }

    /// `GET /users/{u}/connect-sessions/{id}`: the session as it stands (a finished step moves it on).
    @Sendable func session(request: Request) async throws -> Response {
        let (caller, session) = try await Self.callerAndSession(request)
        let current = try await sessionCall { try await request.connectSessionService.current(session, caller.context) }
        return try Response.json(Self.body(current, request: request))
    }

    /// `POST /users/{u}/connect-sessions/{id}/info`: what the web view saw at the brand's redirect (jedlix.md §5).
    @Sendable func info(request: Request) async throws -> Response {
        let (caller, session) = try await Self.callerAndSession(request)
        let report = try JedlixInfo(request.jedlixBody())
        if let error = report.bodyError { request.logger.info("Jedlix info: the web view could not read the page: \(error)") }
        request.logger.debug("Jedlix info: cookies \(report.cookies.keys.sorted())")
        let next = try await sessionCall {
            try await request.connectSessionService.report(session, redirectURL: report.redirectURL, caller.context)
        }
        return try Response.json(Self.body(next, request: request))
    }

    /// `GET /users/{u}/connect-sessions?type=vehicle|charger`: the user's unfinished sessions of that type.
    @Sendable func unfinishedSessions(request: Request) async throws -> Response {
        let caller = try await JedlixCaller.user(request)
        let kinds: [ConnectSession.Kind]
        switch request.query[String.self, at: "type"] {
        case "vehicle": kinds = [.vehicle, .selectedVehicle]
        case "charger": kinds = [.charger]
        case "energySupplier": kinds = [.energySupplier]
        default: throw JedlixProblem.badRequest("\"type\" must be one of vehicle, charger, energySupplier.")
        }
        let sessions = try await request.connectSessionService.unfinished(caller.context, kinds: kinds)
        return try Response.json(.array(sessions.map { Self.body($0, request: request) }))
    }

    // MARK: - Helpers

    private static func callerAndSession(_ request: Request) async throws -> (JedlixCaller, ConnectSession) {
        let caller = try await JedlixCaller.user(request)
        let id = request.parameters.get("sessionId")
        guard let session = try await request.connectSessionService.session(id: id.flatMap(UUID.init(uuidString:)), caller.context)
        else { throw JedlixProblem.notFound("Connect session not found", "The user has no connect session with id \(id ?? "").") }
        return (caller, session)
    }

    /// Runs a session call, rendering its failures as Jedlix problems.
    private func sessionCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as ConnectSessionService.Failure {
            switch failure {
            case .vehicleAlreadyConnected(let id):
                throw JedlixProblem.conflict("A vehicle is already connected",
                                             "This user has vehicle \(id.uuidString.lowercased()) connected; a user can connect one vehicle. Remove it first.")
            case .vehicleNotFound: throw JedlixProblem.notFound("Vehicle not found", "The user has no such vehicle.")
            case .chargingLocationNotFound: throw JedlixProblem.notFound("Charging location not found", "The user has no such charging location.")
            case .unavailable(let reason): throw JedlixProblem.badRequest(reason)
            case .invalidReport(let reason): throw JedlixProblem.badRequest(reason)
            }
        }
    }

    /// A session as the SDKs decode it (jedlix.md §4): the common fields plus the variant's ids.
    static func body(_ session: ConnectSession, request: Request) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("id", .string(session.id.uuidString.lowercased()))]
        switch session.kind {
        case .vehicle, .selectedVehicle:
            pairs.append(("vehicleId", session.vehicleID.map { .string($0.uuidString.lowercased()) } ?? .null))
        case .charger:
            pairs.append(("chargerId", session.chargerID.map { .string($0.uuidString.lowercased()) } ?? .null))
            pairs.append(("chargingLocationId", .string(session.chargingLocationID?.uuidString.lowercased() ?? "")))
        case .energySupplier:
            pairs.append(("chargingLocationId", .string(session.chargingLocationID?.uuidString.lowercased() ?? "")))
        }
        pairs.append(("isFinished", .bool(session.isFinished)))
        switch session.step {
        case .hosted(let key):
            pairs += [("startUrl", .string(SessionPagesController.startURL(session, key: key, request))),
                      ("redirectUrl", .string(SessionPagesController.doneURL(request))), ("redirectInfo", .null)]
        case .external(let url, let callback):
            pairs += [("startUrl", .string(url)), ("redirectUrl", .string(callback)),
                      ("redirectInfo", .object([("includeRedirectUrl", true),
                                                ("includeCookies", .array(brandCookies.map(JSONValue.string))),
                                                ("includeBody", false)]))]
        case .finished:
            pairs += [("startUrl", .null), ("redirectUrl", .null), ("redirectInfo", .null)]
        }
        return .object(pairs)
    }
}

/// The body of `POST …/info` (jedlix.md §5): `body` (Android JSON-encodes it a second time) must be a string or
/// null; iOS may add `bodyError`; `cookies` and `redirectUrl` are left out when empty. Missing keys count as empty.
struct JedlixInfo {
    let bodyError: String?
    let cookies: [String: String]
    let redirectURL: String?

    init(_ object: [String: Any]) throws {
        func optionalString(_ key: String) throws -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw JedlixProblem.badRequest("\"\(key)\" must be a string or null.") }
            return text
        }
        _ = try optionalString("body")  // the page's HTML (possibly JSON-encoded again): not needed for any brand yet
        bodyError = try optionalString("bodyError")
        redirectURL = try optionalString("redirectUrl")
        var cookies: [String: String] = [:]
        if let value = object["cookies"], !(value is NSNull) {
            guard let map = value as? [String: Any] else { throw JedlixProblem.badRequest("\"cookies\" must be an object of names to values.") }
            for (name, raw) in map {
                guard let text = raw as? String else { throw JedlixProblem.badRequest("\"cookies.\(name)\" must be a string.") }
                // A value copied from browser tools ("name<TAB>value<TAB>domain…") keeps only the value.
                let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
                cookies[name] = fields.count > 1 && fields[0] == name ? String(fields[1]) : text
            }
        }
        self.cookies = cookies
    }
}
