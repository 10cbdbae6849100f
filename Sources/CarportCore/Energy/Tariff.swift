import Foundation

/// Energy prices per kWh for each hour of the day (UTC), in one currency: what smart charging minimises and what
/// charging statistics are priced with.
public struct Tariff: Sendable, Equatable, Codable {
    /// 24 prices, hour 0 (00:00–01:00 UTC) first.
    public var hourlyPrices: [Double]
    public var currency: String

    public init(hourlyPrices: [Double], currency: String) {
        self.hourlyPrices = hourlyPrices
        self.currency = currency
    }

    /// A day-ahead-like day: cheap at night, peaks in the morning and the evening.
    public static let standard = Tariff(hourlyPrices: [
        0.21, 0.19, 0.18, 0.17, 0.17, 0.19, 0.24, 0.31, 0.34, 0.30, 0.27, 0.25,
        0.24, 0.24, 0.25, 0.27, 0.31, 0.37, 0.41, 0.39, 0.33, 0.28, 0.25, 0.23,
    ], currency: "EUR")

    /// The price in force at a moment.
    public func price(at date: Date) -> Double {
        hourlyPrices[Self.hour(of: date)]
    }

    /// The UTC hour of day, 0–23.
    public static func hour(of date: Date) -> Int {
        Int((date.timeIntervalSince1970 / 3600).rounded(.down)) % 24 + (date.timeIntervalSince1970 < 0 ? 24 : 0)
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// `CARPORT_TARIFF`: 24 comma-separated non-negative prices (nil: the standard day);
    /// `CARPORT_TARIFF_CURRENCY`: an ISO 4217 code (default EUR).
    public static func parse(_ text: String?, currency: String?) throws(ParseError) -> Tariff {
        let code = (currency ?? standard.currency).uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ParseError(description: "the currency must be a three-letter ISO 4217 code, not \(code)")
        }
        guard let text else { return Tariff(hourlyPrices: standard.hourlyPrices, currency: code) }
        let prices = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard prices.count == 24, prices.allSatisfy({ ($0 ?? -1) >= 0 }) else {
            throw ParseError(description: "give 24 comma-separated prices per kWh (hours 0-23 UTC), each a number of at least 0")
        }
        return Tariff(hourlyPrices: prices.compactMap { $0 }, currency: code)
    }
}
