import CarportCore
import Foundation

/// Turns the query of an authorization request into an `AuthorizationRequest`.
///
/// An unknown client or a redirect URI that is not registered is an `ErrorPage` (never a redirect: no open
/// redirector); every other problem is an `OAuthError` sent back to the redirect URI.
struct AuthorizationRequestParser {
    struct ErrorPage: Error, Equatable {
        let message: String
    }

    /// The client and redirect URI, checked before anything can be redirected.
    struct Client {
        let application: RegisteredApplication
        let redirectURI: String
        let redirectURIWasExplicit: Bool
        let state: String?
    }

    let query: FormParameters
    let registry: ApplicationRegistry

    func client() async throws -> Client {
        guard let clientID = query.nonEmpty("client_id") else { throw ErrorPage(message: "The link has no client_id.") }
        guard let application = try await registry.find(clientID: clientID) else {
            throw ErrorPage(message: "No application is registered with this client_id.")
        }
        if let given = query.nonEmpty("redirect_uri") {
            guard query.all("redirect_uri").count == 1, application.redirectURIs.contains(given) else {
                throw ErrorPage(message: "The redirect_uri is not registered for \(application.name).")
            }
            return Client(application: application, redirectURI: given, redirectURIWasExplicit: true, state: query["state"])
        }
        guard application.redirectURIs.count == 1 else {
            throw ErrorPage(message: "The link has no redirect_uri and \(application.name) registered several.")
        }
        return Client(application: application, redirectURI: application.redirectURIs[0], redirectURIWasExplicit: false,
                      state: query["state"])
    }

    /// Smartcar Connect parameters (`/oauth/authorize`).
    func smartcarRequest(_ client: Client) throws(OAuthError) -> AuthorizationRequest {
        try rejectRepeats()
        try expectResponseType("code")
        let permissions = try smartcarPermissions(whenMissing: "scope is required: the permissions the application asks for.")
        var request = AuthorizationRequest(
            applicationID: client.application.id, redirectURI: client.redirectURI,
            redirectURIWasExplicit: client.redirectURIWasExplicit, state: client.state, permissions: permissions,
            scope: permissions.permissions.map(\.rawValue).joined(separator: " "), mode: try mode(client))
        request.forceApproval = try approvalPrompt()
        request.make = query.nonEmpty("make")?.uppercased()
        request.singleSelectVIN = query.nonEmpty("single_select_vin")
        request.singleSelect = try bool("single_select") || request.singleSelectVIN != nil
        request.flags = flags()
        request.user = query.nonEmpty("user")
        request.codeChallenge = try codeChallenge()
        return request
    }

    /// Smartcar re-authentication (`/oauth/reauthenticate?response_type=vehicle_id&vehicle_id=…`).
    func reauthenticationRequest(_ client: Client, vehicle: ConnectedVehicle?) throws(OAuthError) -> AuthorizationRequest {
        try rejectRepeats()
        try expectResponseType("vehicle_id")
        guard let vehicle else { throw .invalidRequest("vehicle_id does not name a vehicle of this application.") }
        var request = AuthorizationRequest(
            applicationID: client.application.id, redirectURI: client.redirectURI,
            redirectURIWasExplicit: client.redirectURIWasExplicit, state: client.state,
            permissions: PermissionRequest(items: []), scope: "", mode: vehicle.mode)
        request.purpose = .reauthenticate(vehicleID: vehicle.id)
        request.make = vehicle.identity.make
        return request
    }

    /// Tesla's permission update (`/oauth/reauthenticate?response_type=vehicle_id&make=TESLA&scope=…`, no vehicle_id):
    /// the owner grants more at the brand; no new Carport credentials are issued.
    func brandPermissionUpdateRequest(_ client: Client) throws(OAuthError) -> AuthorizationRequest {
        try rejectRepeats()
        try expectResponseType("vehicle_id")
        guard let make = query.nonEmpty("make")?.uppercased() else {
            throw .invalidRequest("vehicle_id is required (or make, to update the brand's permissions).")
        }
        let permissions = try smartcarPermissions(whenMissing: "scope is required: the permissions to update at the brand.")
        var request = AuthorizationRequest(
            applicationID: client.application.id, redirectURI: client.redirectURI,
            redirectURIWasExplicit: client.redirectURIWasExplicit, state: client.state, permissions: permissions,
            scope: permissions.permissions.map(\.rawValue).joined(separator: " "), mode: client.application.mode)
        request.purpose = .updateBrandPermissions
        request.make = make
        return request
    }

    /// Enode Link parameters (`/enode/oauth2/auth`), with Enode v1 scopes; a link's user and vendor when the state
    /// is a link state.
    func enodeRequest(_ client: Client, user: String?, vendor: String?, ownerName: String?) throws(OAuthError) -> AuthorizationRequest {
        try rejectRepeats()
        try expectResponseType("code")
        let scope = query.nonEmpty("scope") ?? ""
        let mapped = try EnodeScopes.permissions(for: scope)
        var request = AuthorizationRequest(
            applicationID: client.application.id, redirectURI: client.redirectURI,
            redirectURIWasExplicit: client.redirectURIWasExplicit, state: client.state,
            permissions: PermissionRequest(items: mapped.permissions.map { .init(permission: $0, required: false) }),
            scope: scope, mode: client.application.mode)
        request.issuesRefreshTokens = mapped.offlineAccess
        request.make = vendor
        request.user = user
        request.ownerName = ownerName
        request.codeChallenge = try codeChallenge()
        return request
    }

    var vehicleID: UUID? { query.nonEmpty("vehicle_id").flatMap(UUID.init(uuidString:)) }
    var hasVehicleID: Bool { query.nonEmpty("vehicle_id") != nil }
    var responseType: String? { query["response_type"] }

    // MARK: - Parameters

    /// The Smartcar `scope` parameter as a permission request; `invalid_scope` for an unknown or missing one.
    private func smartcarPermissions(whenMissing message: String) throws(OAuthError) -> PermissionRequest {
        do {
            return try PermissionRequest.parseSmartcarScope(query.nonEmpty("scope") ?? "")
        } catch .unknownPermission(let name) {
            throw .invalidScope("Unknown permission \"\(name)\".")
        } catch {
            throw .invalidScope(message)
        }
    }

    private func rejectRepeats() throws(OAuthError) {
        let repeated = query.repeatedNames
        guard repeated.isEmpty else {
            throw .invalidRequest("Parameters must not repeat: \(repeated.joined(separator: ", ")).")
        }
    }

    private func expectResponseType(_ expected: String) throws(OAuthError) {
        guard let type = query.nonEmpty("response_type") else { throw .invalidRequest("response_type is required.") }
        guard type == expected else {
            throw OAuthError("unsupported_response_type", "response_type must be \"\(expected)\".")
        }
    }

    private func mode(_ client: Client) throws(OAuthError) -> ApplicationMode {
        if let text = query.nonEmpty("mode") {
            guard let mode = ApplicationMode(rawValue: text) else {
                throw .invalidRequest("mode must be live, test or simulated.")
            }
            return mode
        }
        if try bool("test_mode") { return .test }
        return client.application.mode
    }

    private func approvalPrompt() throws(OAuthError) -> Bool {
        switch query.nonEmpty("approval_prompt") {
        case nil, "auto": return false
        case "force": return true
        default: throw .invalidRequest("approval_prompt must be auto or force.")
        }
    }

    private func bool(_ name: String) throws(OAuthError) -> Bool {
        switch query.nonEmpty(name)?.lowercased() {
        case nil, "false": return false
        case "true": return true
        default: throw .invalidRequest("\(name) must be true or false.")
        }
    }

    /// `flags=country:DE tesla_auth:true` as a dictionary.
    private func flags() -> [String: String] {
        var flags: [String: String] = [:]
        for pair in (query["flags"] ?? "").split(separator: " ") {
            let parts = pair.split(separator: ":", maxSplits: 1)
            flags[String(parts[0])] = parts.count > 1 ? String(parts[1]) : "true"
        }
        return flags
    }

    /// PKCE: S256 only; a method without a challenge, or `plain`, is refused.
    private func codeChallenge() throws(OAuthError) -> String? {
        let challenge = query.nonEmpty("code_challenge"), method = query.nonEmpty("code_challenge_method")
        switch (challenge, method) {
        case (nil, nil): return nil
        case (nil, .some): throw .invalidRequest("code_challenge_method was sent without code_challenge.")
        case (.some, nil), (.some, .some("plain")): throw .invalidRequest("code_challenge_method must be S256.")
        case (.some(let challenge), .some(let method)):
            guard method == "S256" else { throw .invalidRequest("code_challenge_method must be S256.") }
            guard PKCE.isWellFormed(challenge) else {
                throw .invalidRequest("code_challenge must be 43-128 characters of base64url.")
            }
            return challenge
        }
    }
}
