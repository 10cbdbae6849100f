/// Builds the URL Connect sends the owner back to: the registered redirect URI plus query parameters.
public enum RedirectURL {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// Percent-encodes everything but RFC 3986 unreserved characters, so `+`, `&` and `=` survive any decoder.
    public static func encode(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            if unreserved.contains(byte) {
                result.append(Character(UnicodeScalar(byte)))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// `base` with `parameters` appended to its query, keeping any query it already has; nil values are left out.
    public static func build(_ base: String, _ parameters: [(String, String?)]) -> String {
        let query = parameters.compactMap { name, value in value.map { "\(encode(name))=\(encode($0))" } }
            .joined(separator: "&")
        guard !query.isEmpty else { return base }
        if base.hasSuffix("?") || base.hasSuffix("&") { return base + query }
        return base + (base.contains("?") ? "&" : "?") + query
    }
}

private extension String {
    func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
