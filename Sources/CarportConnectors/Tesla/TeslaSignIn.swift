import CarportCore
import Foundation

/// Connect's Tesla step: the owner signs in and consents on Tesla's site; Carport exchanges the code (PKCE),
/// keeps the tokens encrypted, learns the region and lists the account's cars.
public struct TeslaSignIn: ExternalBrandSignIn {
    let fleet: TeslaFleetClient

    public init(fleet: TeslaFleetClient) { self.fleet = fleet }

    public static let make = "TESLA"
    public static let brand = Brand(make: make, displayName: "Tesla")

    public func signsInExternally(make: String, mode: ApplicationMode) -> Bool { make == Self.make && mode == .live }

    /// Tesla's authorize URL; `prompt_missing_scopes` so an owner who granted less before is asked again.
    public func authorizationURL(make: String, permissions: [Permission], state: String, codeChallenge: String) -> String? {
        guard make == Self.make, var components = URLComponents(string: fleet.configuration.authorizeURL) else { return nil }
        components.queryItems = (components.queryItems ?? []) + [
            ("response_type", "code"), ("client_id", fleet.configuration.clientID),
            ("redirect_uri", fleet.configuration.redirectURI),
            ("scope", TeslaScopes.requested(for: permissions).joined(separator: " ")), ("state", state),
            ("code_challenge", codeChallenge), ("code_challenge_method", "S256"), ("prompt_missing_scopes", "true"),
        ].map { URLQueryItem(name: $0.0, value: $0.1) }
        return components.url?.absoluteString
    }

    public func completeSignIn(
        applicationID: UUID, make: String, code: String, codeVerifier: String
    ) async throws(BrandSignInError) -> ExternalSignIn {
        do {
            return try await exchange(applicationID: applicationID, code: code, codeVerifier: codeVerifier)
        } catch {
            throw .invalidCredentials("Tesla did not complete the sign-in: \(error.canonical.description)")
        }
    }

    public func callbackURL(make: String) -> String? { make == Self.make ? fleet.configuration.redirectURI : nil }

    public func virtualKeyURL(make: String) -> String? { make == Self.make ? fleet.configuration.virtualKeyURL : nil }

    private func exchange(applicationID: UUID, code: String, codeVerifier: String) async throws(ConnectorError) -> ExternalSignIn {
        let configuration = fleet.configuration
        let reply = try await fleet.http.send(.POST, configuration.tokenURL, form: [
            ("grant_type", "authorization_code"), ("client_id", configuration.clientID),
            ("client_secret", configuration.clientSecret), ("code", code), ("code_verifier", codeVerifier),
            ("redirect_uri", configuration.redirectURI), ("audience", fleet.baseURL(configuration.defaultRegion)),
        ])
        guard (200..<300).contains(reply.status), let access = reply.object["access_token"] as? String,
              let claims = TeslaTokenClaims(token: access)
        else { throw .upstream("the code exchange failed (\(reply.status) \(reply.error ?? ""))") }
        let hinted = claims.ou_code?.lowercased()
        let region = hinted.flatMap { configuration.regionBaseURLs[$0] == nil ? nil : $0 } ?? configuration.defaultRegion
        let account = TeslaAccount(applicationID: applicationID, accountKey: "\(Self.make):\(claims.sub)")
        let credentials = try TeslaTokens.credentials(from: reply, region: region)
        try await fleet.tokens.save(credentials, for: account)

        let regionReply = try await fleet.call(account, .GET, "/api/1/users/region", kind: .account)
        if let actual = (regionReply.response as? [String: Any])?["region"] as? String, actual != region,
           configuration.regionBaseURLs[actual] != nil {
            _ = try await fleet.tokens.move(account, to: actual)
        }
        let list = try await fleet.call(account, .GET, "/api/1/vehicles", kind: .state)
        let vins = (list.response as? [[String: Any]] ?? []).compactMap { $0["vin"] as? String }
        let scopes = Set(credentials.scopes)
        let managed = Set(Permission.allCases.filter { TeslaScopes.scope(for: $0) != nil })
        return ExternalSignIn(
            account: BrandAccount(key: account.accountKey, vehicles: vins.map(TeslaVIN.identity(vin:))),
            grantedPermissions: managed.filter { TeslaScopes.covers($0, granted: scopes) },
            brandManagedPermissions: managed)
    }
}
