/// The markets Smartcar's compatibility speaks of (`region` of the matrix; a `country` falls in one of them).
public enum SmartcarRegion: String, Sendable, CaseIterable {
    case us = "US", canada = "CA", europe = "EUROPE"

    /// ISO 3166-1 alpha-2 codes of the European countries Smartcar serves (the EU, the EEA, Switzerland, the UK).
    static let europeanCountries: Set<String> = [
        "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IS", "IT",
        "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
    ]

    /// The region of a two-letter country code (any case); nil for a country outside every region.
    public init?(country: String) {
        switch country.uppercased() {
        case "US": self = .us
        case "CA": self = .canada
        case let code where Self.europeanCountries.contains(code): self = .europe
        default: return nil
        }
    }
}
