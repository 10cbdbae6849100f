import AsyncHTTPClient
import CarportCore
import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1

/// Calls to Tesla's Fleet API for one account, with Tesla's recoveries built in: refresh on 401, partner
/// registration on 412, region switch on 421, bounded wake-up on 408, `Retry-After` on 429, one retry on 5xx.
public final class TeslaFleetClient: Sendable {
    let configuration: TeslaConfiguration
    let http: TeslaHTTP
    let tokens: TeslaTokens
    let windows = TeslaRateWindows()
    let meter: UpstreamMeter
    private let registeredRegions = NIOLockedValueBox(Set<String>())
    private let keyStatus = NIOLockedValueBox([String: (paired: Bool, checkedAt: Date)]())

    public init(configuration: TeslaConfiguration, store: any TeslaCredentialStore, client: HTTPClient = .shared,
                meter: UpstreamMeter = UpstreamMeter()) {
        self.configuration = configuration
        self.meter = meter
        http = TeslaHTTP(client: client, timeout: configuration.requestTimeout)
        tokens = TeslaTokens(store: store, http: http, configuration: configuration)
    }

    /// One Fleet API call, counted by `kind`; data, command and wake requests about `vin` spend Carport's per-car
    /// window. `viaProxy` sends it to the signing proxy; `wakes` lets an asleep car be woken and asked again.
    func call(
        _ account: TeslaAccount, _ method: HTTPMethod, _ path: String, json: Data? = nil, vin: String? = nil,
        kind: UpstreamCategory, viaProxy: Bool = false, wakes: Bool = false
    ) async throws(ConnectorError) -> TeslaReply {
        var credentials = try await tokens.current(account)
        var refreshed = false, registered = false, relocated = false, woke = false, retried = false
        let window = TeslaCategory(kind)
        while true {
            if let window, let vin { try windows.take(window, vin: vin) }
            let base = viaProxy ? (configuration.commandProxyURL ?? "") : baseURL(credentials.region)
            let reply: TeslaReply
            do {
                reply = try await http.send(method, base + path, bearer: credentials.accessToken, json: json)
                meter.record(brand: "tesla", kind, status: reply.status)
            } catch {
                meter.record(brand: "tesla", kind, status: 0)
                if retried { throw error }
                retried = true
                continue
            }
            let message = reply.error ?? ""
            switch reply.status {
            case 200..<300:
                return reply
            case _ where message.contains("offline or asleep"):
                guard wakes, !woke, let vin else { throw .asleep }
                woke = true
                try await wake(account, vin: vin)
            case 401:
                guard !refreshed else { throw .loginRequired }
                refreshed = true
                credentials = try await tokens.refresh(account, rejected: credentials.accessToken)
            case 403 where message.contains("missing scopes"):
                throw .accessRevoked
            case 403 where message.contains("Vehicle Command Protocol"):
                throw .virtualKeyRequired(pairingURL: pairingURL(vin: vin))
            case 402:
                throw .upstream("Tesla refuses Carport's application until its billing is settled (402 \(message)); the operator must check the Tesla developer account")
            case 412:
                guard !registered else { throw .upstream("Tesla: \(message)") }
                registered = true
                try await registerPartner(region: credentials.region)
            case 421:
                guard !relocated, let region = Self.regionHint(message, configuration) else { throw .upstream("Tesla: \(message)") }
                relocated = true
                credentials = try await tokens.move(account, to: region)
            case 429:
                let seconds = Int(reply.header("Retry-After") ?? "") ?? 60
                if let window, let vin { windows.block(window, vin: vin, seconds: seconds) }
                throw .rateLimited(retryAfter: seconds)
            case 500 where message.contains("not been paired"):
                forgetKeyStatus(vin: vin)
                throw .virtualKeyRequired(pairingURL: pairingURL(vin: vin))
            case 500...:
                guard !retried else { throw .upstream("Tesla answered \(reply.status) \(message)") }
                retried = true
                try? await Task.sleep(for: .milliseconds(200))
            default:
                throw .upstream("Tesla answered \(reply.status) \(message)")
            }
        }
    }

    /// Wakes the car (within Tesla's 3 wakes a minute) and waits, bounded, until it reports `online`.
    private func wake(_ account: TeslaAccount, vin: String) async throws(ConnectorError) {
        let credentials = try await tokens.current(account)
        guard credentials.scopes.contains("vehicle_cmds") else { throw .asleep }
        do {
            _ = try await call(account, .POST, "/api/1/vehicles/\(vin)/wake_up", json: Data("{}".utf8), vin: vin, kind: .wake)
        } catch .rateLimited {
            throw .asleep
        }
        let deadline = Date().addingTimeInterval(configuration.wakeTimeout)
        while Date() < deadline {
            try? await Task.sleep(for: .milliseconds(Int(configuration.wakePollInterval * 1000)))
            if try await state(account, vin: vin) == "online" { return }
        }
        throw .asleep
    }

    /// The car's state from the vehicle list entry (`online`, `asleep`, `offline`), which never wakes it.
    func state(_ account: TeslaAccount, vin: String) async throws(ConnectorError) -> String {
        let reply = try await call(account, .GET, "/api/1/vehicles/\(vin)", kind: .state)
        return (reply.response as? [String: Any])?["state"] as? String ?? "unknown"
    }

    /// Whether the car holds Carport's virtual key (`fleet_status`); a paired key is remembered for a minute,
    /// a missing one is asked again next time (the owner may be pairing right now).
    func isKeyPaired(_ account: TeslaAccount, vin: String) async throws(ConnectorError) -> Bool {
        if let known = keyStatus.withLockedValue({ $0[vin] }), Date().timeIntervalSince(known.checkedAt) < 60 { return known.paired }
        let body = try? JSONSerialization.data(withJSONObject: ["vins": [vin]])
        let reply = try await call(account, .POST, "/api/1/vehicles/fleet_status", json: body, kind: .state)
        let paired = ((reply.response as? [String: Any])?["key_paired_vins"] as? [String])?.contains(vin) ?? false
        if paired { keyStatus.withLockedValue { $0[vin] = (paired, Date()) } }
        return paired
    }

    private func forgetKeyStatus(vin: String?) {
        guard let vin else { return }
        _ = keyStatus.withLockedValue { $0.removeValue(forKey: vin) }
    }

    /// Registers the partner domain in a region (once per process), with a partner token.
    private func registerPartner(region: String) async throws(ConnectorError) {
        if registeredRegions.withLockedValue({ $0.contains(region) }) { return }
        let base = baseURL(region)
        let token = try await http.send(.POST, configuration.tokenURL, form: [
            ("grant_type", "client_credentials"), ("client_id", configuration.clientID),
            ("client_secret", configuration.clientSecret), ("scope", "openid vehicle_device_data vehicle_cmds vehicle_charging_cmds"),
            ("audience", base),
        ])
        guard let access = token.object["access_token"] as? String else {
            throw .upstream("Tesla refused Carport's partner token (\(token.status) \(token.error ?? ""))")
        }
        let body = try? JSONSerialization.data(withJSONObject: ["domain": configuration.partnerDomain])
        let reply = try await http.send(.POST, base + "/api/1/partner_accounts", bearer: access, json: body)
        meter.record(brand: "tesla", .account, status: reply.status)
        guard (200..<300).contains(reply.status) else {
            throw .upstream("Tesla refused to register \(configuration.partnerDomain) in region \(region) (\(reply.status) \(reply.error ?? ""))")
        }
        registeredRegions.withLockedValue { _ = $0.insert(region) }
    }

    func baseURL(_ region: String) -> String {
        configuration.regionBaseURLs[region] ?? configuration.regionBaseURLs[configuration.defaultRegion] ?? ""
    }

    func pairingURL(vin: String?) -> String {
        configuration.virtualKeyURL + (vin.map { "?vin=\($0)" } ?? "")
    }

    /// The region in Tesla's 421 text `use base URL: https://…`.
    static func regionHint(_ message: String, _ configuration: TeslaConfiguration) -> String? {
        guard let range = message.range(of: "use base URL: ") else { return nil }
        let url = message[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," }
        return configuration.region(ofBaseURL: String(url))
    }
}
