import CarportCore
import Foundation
import Testing

@Suite struct UTCTimestampTests {
    @Test func matchesFoundationsISO8601Text() {
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_763_769_600.999_9),
                     Date(timeIntervalSince1970: 951_782_400.5)]  // 2000-02-29T00:00:00.500Z
        dates += (0..<2_000).map { _ in Date(timeIntervalSince1970: Double.random(in: 0...4_102_444_800)) }
        for date in dates {
            #expect(UTCTimestamp.iso8601(date, milliseconds: true)
                == date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)), "\(date.timeIntervalSince1970)")
            #expect(UTCTimestamp.iso8601(date, milliseconds: false) == date.formatted(Date.ISO8601FormatStyle()))
        }
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: 951_782_400.5), milliseconds: true) == "2000-02-29T00:00:00.500Z")
    }
}
