import CarportConnectors
import Foundation

/// The operator's Tesla Fleet API application, from `CARPORT_TESLA_*` variables; nil when none is set.
enum TeslaEnvironment {
    static func load(_ environment: [String: String], publicURL: String) throws(StartupError) -> TeslaConfiguration? {
        let id = environment["CARPORT_TESLA_CLIENT_ID"], secret = environment["CARPORT_TESLA_CLIENT_SECRET"]
        let domain = environment["CARPORT_TESLA_DOMAIN"]
        guard id != nil || secret != nil || domain != nil else { return nil }
        guard let id, let secret, let domain, !id.isEmpty, !secret.isEmpty, !domain.isEmpty else {
            throw StartupError("Tesla needs CARPORT_TESLA_CLIENT_ID, CARPORT_TESLA_CLIENT_SECRET and CARPORT_TESLA_DOMAIN together")
        }
        var tesla = TeslaConfiguration(clientID: id, clientSecret: secret, partnerDomain: domain,
                                       redirectURI: "\(publicURL)/connect/oem/callback")
        if let url = environment["CARPORT_TESLA_AUTHORIZE_URL"] { tesla.authorizeURL = try httpURL(url, "CARPORT_TESLA_AUTHORIZE_URL") }
        if let url = environment["CARPORT_TESLA_TOKEN_URL"] { tesla.tokenURL = try httpURL(url, "CARPORT_TESLA_TOKEN_URL") }
        if let url = environment["CARPORT_TESLA_PROXY_URL"] { tesla.commandProxyURL = try httpURL(url, "CARPORT_TESLA_PROXY_URL") }
        if let url = environment["CARPORT_TESLA_PAIRING_URL"] { tesla.pairingBaseURL = try httpURL(url, "CARPORT_TESLA_PAIRING_URL") }
        if let text = environment["CARPORT_TESLA_REGIONS"] {
            var regions: [String: String] = [:]
            for entry in text.split(separator: ",") {
                let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw StartupError("CARPORT_TESLA_REGIONS must look like na=https://…,eu=https://…: \(text)")
                }
                regions[parts[0].lowercased()] = try httpURL(parts[1], "CARPORT_TESLA_REGIONS")
            }
            tesla.regionBaseURLs = regions
        }
        if let text = environment["CARPORT_TESLA_TIMEOUT"] { tesla.requestTimeout = try seconds(text, "CARPORT_TESLA_TIMEOUT") }
        if let text = environment["CARPORT_TESLA_WAKE_TIMEOUT"] { tesla.wakeTimeout = try seconds(text, "CARPORT_TESLA_WAKE_TIMEOUT") }
        if let text = environment["CARPORT_TESLA_WAKE_POLL"] { tesla.wakePollInterval = try seconds(text, "CARPORT_TESLA_WAKE_POLL") }
        if let text = environment["CARPORT_TESLA_WAKE_ON_READ"] {
            guard ["0", "1"].contains(text) else { throw StartupError("CARPORT_TESLA_WAKE_ON_READ must be 0 or 1: \(text)") }
            tesla.wakeOnRead = text == "1"
        }
        return tesla
    }

    private static func httpURL(_ text: String, _ name: String) throws(StartupError) -> String {
        var url = text
        while url.hasSuffix("/") { url.removeLast() }
        guard let scheme = URLComponents(string: url)?.scheme, ["http", "https"].contains(scheme) else {
            throw StartupError("\(name) must be an http:// or https:// URL: \(text)")
        }
        return url
    }

    private static func seconds(_ text: String, _ name: String) throws(StartupError) -> Double {
        guard let value = Double(text), value > 0 else { throw StartupError("\(name) must be a positive number of seconds: \(text)") }
        return value
    }
}
