import CarportCore
import Foundation
import NIOHTTP1

/// Which application's grant to which Tesla account a call is made for.
struct TeslaAccount: Hashable, Sendable {
    var applicationID: UUID
    var accountKey: String
    var cacheKey: String { "\(applicationID.uuidString)|\(accountKey)" }
}

/// Tesla tokens per account: loaded from the encrypted store, refreshed (single-flight, rotated refresh token
/// saved before use) when close to expiry or rejected, and marked for sign-in when Tesla ends the chain.
actor TeslaTokens {
    private let store: any TeslaCredentialStore
    private let http: TeslaHTTP
    private let configuration: TeslaConfiguration
    private var cache: [String: TeslaCredentials] = [:]
    private var refreshes: [String: Task<TeslaCredentials, any Error>] = [:]

    init(store: any TeslaCredentialStore, http: TeslaHTTP, configuration: TeslaConfiguration) {
        self.store = store
        self.http = http
        self.configuration = configuration
    }

    /// Usable credentials: refreshed first when they expire within a minute.
    func current(_ account: TeslaAccount) async throws(ConnectorError) -> TeslaCredentials {
        let credentials = try await load(account)
        if credentials.needsSignIn { throw .loginRequired }
        if credentials.expiresAt < Date().addingTimeInterval(60) {
            return try await refresh(account, rejected: credentials.accessToken)
        }
        return credentials
    }

    /// New credentials after Tesla rejected `rejected`; concurrent callers share one refresh.
    func refresh(_ account: TeslaAccount, rejected: String) async throws(ConnectorError) -> TeslaCredentials {
        let credentials = try await load(account)
        if credentials.needsSignIn { throw .loginRequired }
        if credentials.accessToken != rejected, credentials.expiresAt > Date().addingTimeInterval(60) { return credentials }
        let task = refreshes[account.cacheKey] ?? Task { try await self.performRefresh(account, credentials) }
        refreshes[account.cacheKey] = task
        defer { refreshes[account.cacheKey] = nil }
        do {
            return try await task.value
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw .upstream("Refreshing Tesla tokens failed: \(error)")
        }
    }

    func save(_ credentials: TeslaCredentials, for account: TeslaAccount) async throws(ConnectorError) {
        do {
            try await store.save(credentials, applicationID: account.applicationID, accountKey: account.accountKey)
        } catch {
            throw .upstream("Tesla credentials could not be saved: \(error)")
        }
        cache[account.cacheKey] = credentials
    }

    /// Remembers the account's region (after Tesla's 421 or `users/region`).
    func move(_ account: TeslaAccount, to region: String) async throws(ConnectorError) -> TeslaCredentials {
        var credentials = try await load(account)
        credentials.region = region
        try await save(credentials, for: account)
        return credentials
    }

    private func performRefresh(_ account: TeslaAccount, _ old: TeslaCredentials) async throws -> TeslaCredentials {
        guard let refreshToken = old.refreshToken else {
            try await markSignInNeeded(account, old)
            throw ConnectorError.loginRequired
        }
        let reply = try await http.send(.POST, configuration.tokenURL, form: [
            ("grant_type", "refresh_token"), ("client_id", configuration.clientID), ("refresh_token", refreshToken),
        ])
        guard (200..<300).contains(reply.status) else {
            if reply.status == 401 || reply.status == 400 || reply.error == "login_required" {
                try await markSignInNeeded(account, old)
                throw ConnectorError.loginRequired
            }
            throw ConnectorError.upstream("Tesla's token endpoint answered \(reply.status) \(reply.error ?? "")")
        }
        var fresh = try Self.credentials(from: reply, region: old.region)
        fresh.refreshToken = fresh.refreshToken ?? refreshToken
        try await save(fresh, for: account)
        return fresh
    }

    private func markSignInNeeded(_ account: TeslaAccount, _ credentials: TeslaCredentials) async throws(ConnectorError) {
        var credentials = credentials
        credentials.needsSignIn = true
        try await save(credentials, for: account)
    }

    private func load(_ account: TeslaAccount) async throws(ConnectorError) -> TeslaCredentials {
        if let cached = cache[account.cacheKey] { return cached }
        let stored: TeslaCredentials?
        do {
            stored = try await store.credentials(applicationID: account.applicationID, accountKey: account.accountKey)
        } catch {
            throw .upstream("Tesla credentials could not be read: \(error)")
        }
        guard let stored else { throw .loginRequired }
        cache[account.cacheKey] = stored
        return stored
    }

    /// Credentials from a token-endpoint answer (`access_token`, `refresh_token`, `expires_in`; scopes from the JWT).
    static func credentials(from reply: TeslaReply, region: String) throws(ConnectorError) -> TeslaCredentials {
        let body = reply.object
        guard let access = body["access_token"] as? String else { throw .upstream("Tesla's token answer had no access_token") }
        let expiresIn = (body["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        let claims = TeslaTokenClaims(token: access)
        return TeslaCredentials(accessToken: access, refreshToken: body["refresh_token"] as? String,
                                expiresAt: Date().addingTimeInterval(expiresIn), scopes: claims?.scp ?? [], region: region)
    }
}
