import Foundation

/// Validation of redirect URIs at registration (RFC 6749 §3.1.2): absolute, no fragment, no script schemes.
/// Custom schemes are allowed for native apps (RFC 8252 §7.1).
public enum RedirectURI {
    private static let forbiddenSchemes: Set<String> = ["javascript", "data", "vbscript", "file"]

    /// Returns a reason the URI is not acceptable, or nil when it is.
    public static func problem(with uri: String) -> String? {
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased() else {
            return "redirect URI \"\(uri)\" is not an absolute URI"
        }
        if forbiddenSchemes.contains(scheme) { return "redirect URI scheme \"\(scheme)\" is not allowed" }
        if components.fragment != nil { return "redirect URI \"\(uri)\" must not contain a fragment" }
        if ["http", "https"].contains(scheme), (components.host ?? "").isEmpty {
            return "redirect URI \"\(uri)\" has no host"
        }
        return nil
    }
}
