import Foundation
import Testing
@testable import CarportCore

@Suite struct FreshnessCacheTests {
    actor Counter {
        var calls = 0
        func increment() -> Int { calls += 1; return calls }
    }

    func reading(_ km: Double, at time: Date) -> SignalReading {
        SignalReading(value: .odometer(km: km), recordedAt: time, fetchedAt: time)
    }

    @Test func concurrentReadsOfOneSignalShareOneFetch() async throws {
        let cache = FreshnessCache()
        let counter = Counter()
        let vehicle = UUID()
        let now = Date()
        try await withThrowingTaskGroup(of: SignalReading.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await cache.reading(.odometer, of: vehicle, maxAge: 60, now: now) { () async throws(ConnectorError) in
                        let call = await counter.increment()
                        try? await Task.sleep(for: .milliseconds(50))
                        return self.reading(Double(call), at: now)
                    }
                }
            }
            for try await reading in group { #expect(reading.value == .odometer(km: 1)) }
        }
        #expect(await counter.calls == 1)
        #expect(cache.fetches == 1)
    }

    @Test func readingsOlderThanTheMaxAgeAreFetchedAgainAndCommandsInvalidate() async throws {
        let cache = FreshnessCache()
        let vehicle = UUID()
        let start = Date()
        _ = try await cache.reading(.odometer, of: vehicle, maxAge: 60, now: start) { () async throws(ConnectorError) in self.reading(1, at: start) }
        let cached = try await cache.reading(.odometer, of: vehicle, maxAge: 60, now: start.addingTimeInterval(30)) { () async throws(ConnectorError) in
            self.reading(2, at: start)
        }
        #expect(cached.value == .odometer(km: 1))
        let later = start.addingTimeInterval(61)
        let fresh = try await cache.reading(.odometer, of: vehicle, maxAge: 60, now: later) { () async throws(ConnectorError) in self.reading(3, at: later) }
        #expect(fresh.value == .odometer(km: 3))
        cache.invalidate([.odometer], of: vehicle)
        let invalidated = try await cache.reading(.odometer, of: vehicle, maxAge: 60, now: later) { () async throws(ConnectorError) in self.reading(4, at: later) }
        #expect(invalidated.value == .odometer(km: 4))
    }

    @Test func failuresAreNotCached() async throws {
        let cache = FreshnessCache()
        let vehicle = UUID()
        await #expect(throws: ConnectorError.asleep) {
            try await cache.reading(.battery, of: vehicle, maxAge: 60, now: Date()) { () async throws(ConnectorError) in throw .asleep }
        }
        let now = Date()
        let reading = try await cache.reading(.battery, of: vehicle, maxAge: 60, now: now) { () async throws(ConnectorError) in
            SignalReading(value: .batteryCapacity(kWh: 1), recordedAt: now, fetchedAt: now)
        }
        #expect(reading.value == .batteryCapacity(kWh: 1))
    }
}

@Suite struct RateBudgetsTests {
    @Test func applicationAndVehicleBucketsRefuseWithRetryAfterAndRefill() throws {
        let budgets = RateBudgets(perApplication: RateLimit(capacity: 100, perSecond: 100), perVehicle: RateLimit(capacity: 2, perSecond: 0.5))
        let app = UUID(), vehicle = UUID(), start = Date()
        try budgets.spend(applicationID: app, vehicleID: vehicle, now: start)
        try budgets.spend(applicationID: app, vehicleID: vehicle, now: start)
        #expect(throws: CarportError(.rateLimit, "VEHICLE", "Too many requests to this vehicle. Try again later.", retryAfter: 2)) {
            try budgets.spend(applicationID: app, vehicleID: vehicle, now: start)
        }
        try budgets.spend(applicationID: app, vehicleID: UUID(), now: start)
        try budgets.spend(applicationID: app, vehicleID: vehicle, now: start.addingTimeInterval(2))
    }

    @Test func parsesRateSettings() {
        #expect(RateLimit("10/s,30") == RateLimit(capacity: 30, perSecond: 10))
        #expect(RateLimit("5/s") == RateLimit(capacity: 5, perSecond: 5))
        for bad in ["10", "x/s", "0/s", "10/s,0", "10/s,1,2"] { #expect(RateLimit(bad) == nil) }
    }
}
