import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Where webhooks may go: an application must not make Carport call into the operator's private network (cloud
/// metadata at 169.254.169.254, internal services). A host that resolves to a private, link-local, shared (CGNAT) or
/// unique-local address is refused unless the operator allows private networks; loopback stays allowed (the
/// operator's own machine, and development).
enum WebhookTarget {
    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// Throws unless the URL is one a webhook may be configured with: absolute https (http only for a loopback
    /// host), and not into a private network (`check`).
    static func validate(_ url: String, allowPrivateNetworks: Bool) async throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, scheme == "https" || (scheme == "http" && isLoopback(host))
        else { throw Refused(description: "must be an absolute https URL (http only for a loopback host)") }
        try await check(url, allowPrivateNetworks: allowPrivateNetworks)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// Throws when the URL's host resolves to an address webhooks may not reach. The lookup blocks, so it runs on
    /// NIO's thread pool, not on the event loop that runs the caller.
    static func check(_ url: String, allowPrivateNetworks: Bool) async throws {
        guard !allowPrivateNetworks else { return }
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { throw Refused(description: "the URL has no host") }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let resolved = try await NIOThreadPool.singleton.runIfActive { addresses(of: bare) }
        for address in resolved where isPrivate(address) {
            throw Refused(description: "\(host) resolves to \(address), a private-network address")
        }
    }

    /// The host's IPv4 and IPv6 addresses as text; none when it does not resolve (then the delivery fails on its own).
    static func addresses(of host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var found: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                found.append(String(cString: text))
            }
        }
        return found
    }

    /// Private (RFC 1918), link-local, shared address space (RFC 6598), unspecified, IPv6 unique-local and
    /// link-local, and IPv4-mapped forms of those. Loopback is not private here.
    static func isPrivate(_ address: String) -> Bool {
        let lower = address.lowercased()
        if lower.hasPrefix("::ffff:"), lower.contains(".") { return isPrivate(String(lower.dropFirst(7))) }
        if lower.contains(":") {
            return lower == "::" || lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("fe8")
                || lower.hasPrefix("fe9") || lower.hasPrefix("fea") || lower.hasPrefix("feb")
        }
        let octets = lower.split(separator: ".").compactMap { Int($0) }
        guard octets.count == 4 else { return true }  // not an address we understand: refuse
        switch (octets[0], octets[1]) {
        case (0, _), (10, _), (169, 254), (192, 168): return true
        case (172, 16...31), (100, 64...127): return true
        default: return false
        }
    }
}
