/// `application/x-www-form-urlencoded` parameters (query strings and form bodies), keeping repeats so callers can
/// reject them (RFC 6749 §3.1). `+` decodes to a space.
struct FormParameters: Sendable {
    private(set) var values: [String: [String]] = [:]

    init(_ encoded: String?) {
        for pair in (encoded ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            values[name, default: []].append(parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    subscript(name: String) -> String? { values[name]?.first }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// Names that appear more than once.
    var repeatedNames: [String] { values.filter { $0.value.count > 1 }.map(\.key).sorted() }

    /// A non-empty value, or nil.
    func nonEmpty(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }

    /// Malformed escapes are kept as they came (with `+` still read as a space).
    private static func decode(_ text: Substring) -> String {
        PercentDecoding.decode(text, plusAsSpace: true) ?? text.replacingOccurrences(of: "+", with: " ")
    }
}
