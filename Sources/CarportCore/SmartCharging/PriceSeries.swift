import Foundation

/// One price in force from `start` for `minutes` (15 or 60), per kWh; it may be negative.
public struct PriceSlot: Sendable, Codable, Equatable {
    public var start: Date
    public var minutes: Int
    public var price: Double

    public init(start: Date, minutes: Int, price: Double) {
        self.start = start
        self.minutes = minutes
        self.price = price
    }

    public var end: Date { start.addingTimeInterval(Double(minutes) * 60) }
}

/// The prices smart charging minimises: an application's published slots (a day-ahead market, a time-of-use
/// contract), and outside them the 24-hour daily tariff (`CARPORT_TARIFF`).
public struct PriceSeries: Sendable, Codable, Equatable {
    /// Sorted by start, not overlapping.
    public var slots: [PriceSlot]
    public var currency: String
    public var daily: Tariff

    public init(slots: [PriceSlot] = [], currency: String? = nil, daily: Tariff) {
        self.slots = slots
        self.currency = currency ?? daily.currency
        self.daily = daily
    }

    /// The price in force at a moment.
    public func price(at date: Date) -> Double {
        slot(at: date)?.price ?? daily.price(at: date)
    }

    /// The published slot that holds `date` (binary search).
    public func slot(at date: Date) -> PriceSlot? {
        var low = 0, high = slots.count
        while low < high {
            let middle = (low + high) / 2
            if slots[middle].end <= date { low = middle + 1 } else { high = middle }
        }
        guard low < slots.count, slots[low].start <= date else { return nil }
        return slots[low]
    }

    /// The next moment after `date` when the price may change: a slot's end, or the next full hour of the daily tariff.
    public func nextBoundary(after date: Date) -> Date {
        if let slot = slot(at: date) { return slot.end }
        let nextHour = Date(timeIntervalSince1970: ((date.timeIntervalSince1970 / 3600).rounded(.down) + 1) * 3600)
        let nextSlot = slots.first { $0.start > date }?.start
        return min(nextHour, nextSlot ?? nextHour)
    }

    /// When the published prices end (nil: only the daily tariff).
    public var publishedUntil: Date? { slots.last?.end }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(line: Int, _ reason: String) { description = "line \(line): \(reason)" }
        init(_ reason: String) { description = reason }
    }

    /// A `start,price` CSV file: one slot per line, ISO 8601 starts in rising order on a quarter hour, each slot
    /// lasting until the next start (15 or 60 minutes; the last lasts as long as the one before it, or an hour).
    public static func parseCSV(_ text: String, currency: String?, daily: Tariff) throws(ParseError) -> PriceSeries {
        let code = (currency ?? daily.currency).uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ParseError("the currency must be a three-letter ISO 4217 code, not \(code)")
        }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, text: $0.element.trimmingCharacters(in: .whitespaces)) }
            .filter { !$0.text.isEmpty }
        guard let header = lines.first, header.text.lowercased().replacingOccurrences(of: " ", with: "") == "start,price" else {
            throw ParseError(line: lines.first?.number ?? 1, "the header must be start,price")
        }
        lines.removeFirst()
        guard !lines.isEmpty else { throw ParseError(line: header.number + 1, "no price slots after the header") }
        var starts: [(line: Int, start: Date, price: Double)] = []
        for line in lines {
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2 else { throw ParseError(line: line.number, "give two fields, start and price") }
            guard let start = UTCTimestamp.parse(fields[0]) else {
                throw ParseError(line: line.number, "\(fields[0]) is not an ISO 8601 time such as 2026-12-01T00:00:00Z")
            }
            guard Int(start.timeIntervalSince1970) % 900 == 0, start.timeIntervalSince1970.rounded() == start.timeIntervalSince1970 else {
                throw ParseError(line: line.number, "a slot starts on a quarter hour, not at \(fields[0])")
            }
            guard let price = Double(fields[1]), price.isFinite else {
                throw ParseError(line: line.number, "\(fields[1]) is not a price per kWh")
            }
            if let previous = starts.last {
                let minutes = Int(start.timeIntervalSince(previous.start) / 60)
                guard minutes > 0 else { throw ParseError(line: line.number, "the slots must start in rising order") }
                guard minutes == 15 || minutes == 60 else {
                    throw ParseError(line: line.number, "the slot before this one lasts \(minutes) minutes; slots last 15 or 60 minutes")
                }
            }
            starts.append((line.number, start, price))
        }
        var slots: [PriceSlot] = []
        for (index, entry) in starts.enumerated() {
            let minutes = index + 1 < starts.count ? Int(starts[index + 1].start.timeIntervalSince(entry.start) / 60)
                : slots.last?.minutes ?? 60
            slots.append(PriceSlot(start: entry.start, minutes: minutes, price: entry.price))
        }
        return PriceSeries(slots: slots, currency: code, daily: daily)
    }

    /// The series as its CSV file.
    public var csv: String {
        (["start,price"] + slots.map { "\(UTCTimestamp.iso8601($0.start, milliseconds: false)),\($0.price)" }).joined(separator: "\n") + "\n"
    }
}
