import Crypto
import Foundation

/// The fake Tesla cloud's state and rules: owners, consents, codes, token chains, partner registrations,
/// cars, per-car rate limits and injected faults. Routes translate HTTP to these calls.
actor FakeCloud {
    struct Owner {
        var email: String
        var password: String
        var region: String
        var subject = UUID().uuidString.lowercased()
        /// Bumped when the password changes: every token issued before stops working.
        var generation = 0
        /// Scopes the owner consented to, per client.
        var consents: [String: Set<String>] = [:]
    }

    struct Code {
        var clientID: String
        var email: String
        var redirectURI: String
        var scopes: [String]
        var challenge: String?
        var expiresAt: Date
    }

    struct RefreshToken {
        enum Status { case current, lastUsed(Date), spent }
        var chain: UUID
        var email: String
        var clientID: String
        var scopes: [String]
        var generation: Int
        var status: Status
    }

    struct TokenSet {
        var accessToken: String
        var refreshToken: String?
        var idToken: String?
        var expiresIn: Int
    }

    enum Category: String, CaseIterable { case data, commands, wakes }

    let options: FakeOptions
    private let jwt = FakeJWT(key: SymmetricKey(size: .bits256))
    private var owners: [String: Owner] = [:]
    private(set) var vehicles: [String: FakeVehicle] = [:]
    private var loginSessions: [String: String] = [:]
    private var codes: [String: Code] = [:]
    private var refreshTokens: [String: RefreshToken] = [:]
    /// Registered partner domain per region and client.
    private var partners: [String: [String: String]] = [:]
    /// Each registered domain's public key (uncompressed P-256 point, hex), as fetched at registration.
    private var partnerKeys: [String: String] = [:]
    /// PEM files the `/_fake/domains/<domain>/…` hook serves as if at `https://<domain>/.well-known/…`.
    private var hostedKeys: [String: String] = [:]
    /// The application is over its billing limit: Fleet API requests answer 402.
    private(set) var billingDisabled = false
    private var windows: [String: [Date]] = [:]
    private(set) var counts: [String: Int] = [:]
    private var faultRate = 0.0
    private var faultKinds: [String] = []

    init(options: FakeOptions, owners fixtures: [FakeOwner] = FakeOwner.fixtures) {
        self.options = options
        for owner in fixtures {
            owners[owner.email.lowercased()] = Owner(email: owner.email, password: owner.password, region: owner.region)
            for car in Self.cars(of: owner) { vehicles[car.vin] = car }
        }
    }

    // MARK: Fixtures and test hooks

    func addOwner(_ owner: FakeOwner) {
        owners[owner.email.lowercased()] = Owner(email: owner.email, password: owner.password, region: owner.region)
        for car in Self.cars(of: owner) { vehicles[car.vin] = car }
    }

    private static func cars(of owner: FakeOwner) -> [FakeVehicle] {
        owner.vehicles.map {
            FakeVehicle(vin: $0.vin, model: $0.model, year: $0.year,
                        displayName: "\(owner.email.split(separator: "@")[0])'s \($0.model)", ownerEmail: owner.email.lowercased())
        }
    }

    func vehicle(vin: String) -> FakeVehicle? {
        guard var car = vehicles[vin] else { return nil }
        car.advance(to: Date(), sleepAfter: options.sleepAfterSeconds)
        vehicles[vin] = car
        return car
    }

    func update(vin: String, _ change: (inout FakeVehicle) -> Void) -> FakeVehicle? {
        guard var car = vehicle(vin: vin) else { return nil }
        change(&car)
        vehicles[vin] = car
        return car
    }

    func setFaults(rate: Double, kinds: [String]) {
        faultRate = max(0, min(1, rate))
        faultKinds = kinds.isEmpty ? ["408", "429", "500", "503", "timeout"] : kinds
    }

    /// A fault to inject into this request, drawn at the configured rate.
    func drawFault() -> String? {
        guard faultRate > 0, Double.random(in: 0..<1) < faultRate else { return nil }
        count("faults")
        return faultKinds.randomElement()
    }

    /// The owner changed their password: every token chain breaks (`login_required`).
    func changePassword(email: String) -> Bool {
        guard owners[email.lowercased()] != nil else { return false }
        owners[email.lowercased()]?.generation += 1
        return true
    }

    /// The owner removed the app's access in their Tesla account: API calls fail with missing scopes.
    func revokeConsent(email: String, clientID: String) -> Bool {
        guard owners[email.lowercased()] != nil else { return false }
        owners[email.lowercased()]?.consents[clientID] = []
        return true
    }

    func moveOwner(email: String, region: String) -> Bool {
        guard owners[email.lowercased()] != nil, options.regions.contains(region) else { return false }
        owners[email.lowercased()]?.region = region
        return true
    }

    /// Stands in for the owner approving `tesla.com/_ak/<domain>` in the Tesla app.
    func pair(domain: String, vin: String) throws(FakeFailure) {
        guard partners.values.contains(where: { $0.values.contains(domain) }) else {
            throw FakeFailure(400, "application has not registered with Tesla")
        }
        guard update(vin: vin, { if !$0.pairedDomains.contains(domain) { $0.pairedDomains.append(domain) } }) != nil else {
            throw FakeFailure(404, "not_found", "Unknown vehicle")
        }
    }

    func count(_ key: String) { counts[key, default: 0] += 1 }

    // MARK: Authorization

    func startLogin() -> (sid: String, csrf: String) {
        let sid = Self.random(), csrf = Self.random()
        loginSessions[sid] = csrf
        return (sid, csrf)
    }

    func csrf(sid: String) -> String? { loginSessions[sid] }

    func isKnownRedirect(clientID: String, redirectURI: String) -> Bool {
        redirectURI == FakeOptions.voidCallback || (clientID == options.clientID && options.redirectURIs.contains(redirectURI))
    }

    /// Checks the login form; issues a code for the granted scopes (added to what the owner granted before).
    func login(
        sid: String, csrf: String, email: String, password: String, clientID: String, redirectURI: String,
        granted: Set<String>, challenge: String?
    ) throws(FakeFailure) -> String {
        guard let expected = loginSessions[sid], expected == csrf else { throw FakeFailure(403, "invalid_session", "Session expired") }
        guard var owner = owners[email.lowercased()], owner.password == password else {
            throw FakeFailure(401, "invalid_credentials", "We could not sign you in.")
        }
        loginSessions[sid] = nil
        let scopes = owner.consents[clientID, default: []].union(granted)
        owner.consents[clientID] = scopes
        owners[email.lowercased()] = owner
        let code = "\(owner.region.uppercased())_\(Self.random())"
        codes[code] = Code(clientID: clientID, email: owner.email.lowercased(), redirectURI: redirectURI,
                           scopes: scopes.sorted(), challenge: challenge, expiresAt: Date().addingTimeInterval(600))
        return code
    }

    func exchange(code: String, clientID: String, secret: String?, redirectURI: String, verifier: String?) throws(FakeFailure) -> TokenSet {
        guard let record = codes.removeValue(forKey: code), record.expiresAt > Date(), record.clientID == clientID else {
            throw FakeFailure(400, "invalid_auth_code", "The authorization code is invalid or expired")
        }
        guard record.redirectURI == redirectURI else { throw FakeFailure(400, "invalid_redirect_url", "redirect_uri mismatch") }
        if let challenge = record.challenge {
            guard let verifier, Self.s256(verifier) == challenge else { throw FakeFailure(400, "invalid_grant", "PKCE verification failed") }
        } else if clientID == options.clientID, secret != options.clientSecret {
            throw FakeFailure(401, "unauthorized_client", "Client authentication failed")
        }
        return issue(email: record.email, clientID: clientID, scopes: record.scopes, chain: UUID())
    }

    /// Single-use rotation: the last used token stays valid (grace); anything older breaks the chain.
    func refresh(token: String, clientID: String) throws(FakeFailure) -> TokenSet {
        guard let record = refreshTokens[token], record.clientID == clientID,
              let owner = owners[record.email], owner.generation == record.generation
        else { throw FakeFailure(401, "login_required", "The refresh token is invalid; the user must sign in again") }
        switch record.status {
        case .spent:
            for (key, value) in refreshTokens where value.chain == record.chain { refreshTokens[key]?.status = .spent }
            throw FakeFailure(401, "login_required", "The refresh token was already used; the user must sign in again")
        case .lastUsed(let usedAt) where Date().timeIntervalSince(usedAt) > 24 * 3600:
            throw FakeFailure(401, "login_required", "The refresh token expired")
        case .current, .lastUsed:
            for (key, value) in refreshTokens where value.chain == record.chain {
                if case .lastUsed = value.status { refreshTokens[key]?.status = .spent }
            }
            refreshTokens[token]?.status = .lastUsed(Date())
            return issue(email: record.email, clientID: clientID, scopes: record.scopes, chain: record.chain)
        }
    }

    func partnerToken(clientID: String, secret: String?, scopes: [String]) throws(FakeFailure) -> TokenSet {
        guard clientID == options.clientID, secret == options.clientSecret else {
            throw FakeFailure(401, "unauthorized_client", "Client authentication failed")
        }
        let claims = claims(subject: "partner:\(clientID)", clientID: clientID, region: "NA", scopes: scopes, generation: 0)
        return TokenSet(accessToken: jwt.sign(claims), refreshToken: nil, idToken: nil, expiresIn: options.accessTokenSeconds)
    }

    private func issue(email: String, clientID: String, scopes: [String], chain: UUID) -> TokenSet {
        let owner = owners[email]!
        let claims = claims(subject: owner.subject, clientID: clientID, region: owner.region.uppercased(), scopes: scopes,
                            generation: owner.generation)
        var refresh: String?
        if scopes.contains("offline_access") {
            let token = "\(owner.region.uppercased())_rt_\(Self.random())"
            refreshTokens[token] = RefreshToken(chain: chain, email: email, clientID: clientID, scopes: scopes,
                                                generation: owner.generation, status: .current)
            refresh = token
        }
        return TokenSet(accessToken: jwt.sign(claims), refreshToken: refresh,
                        idToken: scopes.contains("openid") ? jwt.sign(claims) : nil, expiresIn: options.accessTokenSeconds)
    }

    private func claims(subject: String, clientID: String, region: String, scopes: [String], generation: Int) -> FakeJWT.Claims {
        let now = Int(Date().timeIntervalSince1970)
        return FakeJWT.Claims(
            iss: "\(options.authIssuer)/nts", aud: options.regions.map(options.baseURL(region:)) + ["\(options.authIssuer)/clientinfo"],
            sub: subject, azp: clientID, ou_code: region, scp: scopes, iat: now, exp: now + options.accessTokenSeconds,
            gen: generation)
    }

    // MARK: API gate

    /// Who is calling: a valid token of a known owner (or a partner token), else 401.
    func caller(bearer: String?) throws(FakeFailure) -> (claims: FakeJWT.Claims, owner: Owner?) {
        guard let bearer, let claims = jwt.verify(bearer) else { throw FakeFailure(401, "invalid bearer token") }
        guard claims.exp > Int(Date().timeIntervalSince1970) else { throw FakeFailure(401, "token expired (401)") }
        if claims.sub.hasPrefix("partner:") { return (claims, nil) }
        guard let owner = owners.values.first(where: { $0.subject == claims.sub }), owner.generation == claims.gen else {
            throw FakeFailure(401, "invalid bearer token")
        }
        return (claims, owner)
    }

    /// Region, registration and scope checks every user-scoped API request goes through.
    func admit(bearer: String?, region: String, scopes required: [String], anyRegion: Bool = false) throws(FakeFailure) -> Owner {
        let (claims, owner) = try caller(bearer: bearer)
        guard let owner else { throw FakeFailure(403, "invalid_scope", "A user token is required") }
        guard partners[region]?[claims.azp] != nil else {
            throw FakeFailure(412, "Account \(claims.azp) must be registered in the current region \(options.baseURL(region: region)), please see https://developer.tesla.com/docs/fleet-api#register")
        }
        if !anyRegion, owner.region != region {
            let base = options.baseURL(region: owner.region)
            throw FakeFailure(421, "user out of region, use base URL: \(base), see https://developer.tesla.com/docs/fleet-api#regional-requirements",
                              headers: [("Alt-Svc", "h2=\(base)")])
        }
        let consented = owner.consents[claims.azp, default: []]
        guard required.isEmpty || required.contains(where: { claims.scp.contains($0) && consented.contains($0) }) else {
            throw FakeFailure(403, "Unauthorized missing scopes", "requires one of: \(required.joined(separator: ", "))")
        }
        return owner
    }

    /// The partner's client id, when `bearer` is a partner token.
    func partner(bearer: String?) throws(FakeFailure) -> String {
        let (claims, owner) = try caller(bearer: bearer)
        guard owner == nil else { throw FakeFailure(403, "invalid_scope", "A partner token is required") }
        return claims.azp
    }

    /// Registers `domain` for the partner in `region` with the public key fetched from the domain.
    func register(clientID: String, region: String, domain: String, publicKey: String) {
        partners[region, default: [:]][clientID] = domain
        partnerKeys[domain] = publicKey
    }

    func publicKey(domain: String) -> String? { partnerKeys[domain.lowercased()] }

    func host(key pem: String, domain: String) { hostedKeys[domain.lowercased()] = pem }

    func hostedKey(domain: String) -> String? { hostedKeys[domain.lowercased()] }

    func setBilling(disabled: Bool) { billingDisabled = disabled }

    func partnerDomain(clientID: String) -> String? { partners.values.compactMap { $0[clientID] }.first }

    /// Per car and category sliding one-minute window; 429 with Tesla's headers when spent.
    func spend(_ category: Category, vin: String) throws(FakeFailure) {
        let limit = switch category {
        case .data: options.dataPerMinute
        case .commands: options.commandsPerMinute
        case .wakes: options.wakesPerMinute
        }
        let key = "\(vin)|\(category.rawValue)"
        let now = Date()
        var window = windows[key, default: []].filter { now.timeIntervalSince($0) < 60 }
        guard window.count < limit else {
            let reset = max(1, Int((60 - now.timeIntervalSince(window[0])).rounded(.up)))
            windows[key] = window
            count("rate_limited")
            throw FakeFailure(429, "Retry in \(reset) seconds", headers: [
                ("Retry-After", String(reset)), ("RateLimit-Limit", String(limit)), ("RateLimit-Remaining", "0"),
                ("RateLimit-Reset", String(reset)),
            ])
        }
        window.append(now)
        windows[key] = window
        count(category.rawValue)
    }

    /// The owner's car by VIN or API id.
    func ownedVehicle(tag: String, owner: Owner) throws(FakeFailure) -> FakeVehicle {
        let match = vehicles.values.first { ($0.vin == tag || String($0.id) == tag) && $0.ownerEmail == owner.email.lowercased() }
        guard let match, let car = vehicle(vin: match.vin) else { throw FakeFailure(404, "not_found", "Vehicle not found") }
        return car
    }

    func vehicles(of owner: Owner) -> [FakeVehicle] {
        vehicles.values.filter { $0.ownerEmail == owner.email.lowercased() }.sorted { $0.vin < $1.vin }.compactMap { vehicle(vin: $0.vin) }
    }

    /// `wake_up`: an asleep car comes online after `wakeSeconds`.
    func wake(vin: String) -> FakeVehicle? {
        update(vin: vin) { car in
            if car.state != "online", car.wakesAt == nil { car.wakesAt = Date().addingTimeInterval(self.options.wakeSeconds) }
        }
    }

    static func random() -> String {
        FakeJWT.base64URL(Data((0..<24).map { _ in UInt8.random(in: .min ... .max) }))
    }

    static func s256(_ verifier: String) -> String {
        FakeJWT.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }
}
