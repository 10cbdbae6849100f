import Foundation
import Testing
@testable import CarportCore

@Suite struct FreshnessCacheTests {
    actor Counter {
        var calls = 0
        var asked: [Set<SignalKind>] = []
        func increment(_ signals: Set<SignalKind> = []) -> Int { calls += 1; asked.append(signals); return calls }
    }

    static let all: Set<SignalKind> = [.odometer, .battery, .chargeLimit]

    /// A snapshot of every asked signal, numbered by the call that took it.
    static func snapshot(_ signals: Set<SignalKind>, call: Int, at time: Date, recorded: Date? = nil) -> VehicleSnapshot {
        var snapshot = VehicleSnapshot()
        for signal in signals {
            let value: SignalValue = switch signal {
            case .battery: .battery(Battery(percentRemaining: Double(call) / 100, rangeKm: 1))
            case .chargeLimit: .chargeLimit(Double(call) / 10)
            default: .odometer(km: Double(call))
            }
            snapshot.readings[signal] = SignalReading(value: value, recordedAt: recorded ?? time, fetchedAt: time)
        }
        return snapshot
    }

    @Test func concurrentReadsOfDifferentSignalsOfOneCarShareOneCallThatWarmsEverySignal() async throws {
        let cache = FreshnessCache()
        let counter = Counter()
        let vehicle = UUID()
        let now = Date()
        let fetch: FreshnessCache.Fetch = { (signals) async throws(ConnectorError) in
            let call = await counter.increment(signals)
            try? await Task.sleep(for: .milliseconds(50))
            return Self.snapshot(signals, call: call, at: now)
        }
        try await withThrowingTaskGroup(of: SignalReading.self) { group in
            for index in 0..<100 {
                let signal: SignalKind = [.odometer, .battery, .chargeLimit][index % 3]
                group.addTask { try await cache.reading(signal, warming: Self.all, of: vehicle, maxAge: 60, now: now, fetch: fetch) }
            }
            for try await _ in group {}
        }
        #expect(await counter.calls == 1)
        #expect(await counter.asked == [Self.all], "the one call asked for every signal the car has")
        let later = try await cache.reading(.chargeLimit, warming: Self.all, of: vehicle, maxAge: 60, now: now.addingTimeInterval(30), fetch: fetch)
        #expect(later.value == .chargeLimit(0.1), "warmed by the first call")
        #expect(cache.fetches == 1)
    }

    @Test func readingsOlderThanTheMaxAgeAreFetchedAgainAndCommandsInvalidate() async throws {
        let cache = FreshnessCache()
        let counter = Counter()
        let vehicle = UUID()
        let start = Date()
        func read(at time: Date) async throws -> SignalValue {
            try await cache.reading(.odometer, of: vehicle, maxAge: 60, now: time) { (signals) async throws(ConnectorError) in
                Self.snapshot(signals, call: await counter.increment(), at: time)
            }.value
        }
        #expect(try await read(at: start) == .odometer(km: 1))
        #expect(try await read(at: start.addingTimeInterval(30)) == .odometer(km: 1))
        let later = start.addingTimeInterval(61)
        #expect(try await read(at: later) == .odometer(km: 2))
        cache.invalidate([.odometer], of: vehicle)
        #expect(try await read(at: later) == .odometer(km: 3))
    }

    @Test func eachSignalSucceedsOrFailsOnItsOwnAndFailuresAreNotCached() async throws {
        let cache = FreshnessCache()
        let counter = Counter()
        let vehicle = UUID()
        let now = Date()
        let results = await cache.readings([.battery, .location], of: vehicle, maxAge: 60, now: now) { (_) async throws(ConnectorError) in
            _ = await counter.increment()
            var snapshot = Self.snapshot([.battery], call: 1, at: now)
            snapshot.failures[.location] = .canonical(.permission)
            return snapshot
        }
        #expect(try results[.battery]?.get().value == .battery(Battery(percentRemaining: 0.01, rangeKm: 1)))
        #expect(throws: ConnectorError.canonical(.permission)) { try results[.location]?.get() }
        await #expect(throws: ConnectorError.upstream("boom")) {
            try await cache.reading(.location, of: vehicle, maxAge: 60, now: now) { (_) async throws(ConnectorError) in
                _ = await counter.increment()
                throw .upstream("boom")
            }
        }
        #expect(await counter.calls == 2, "a failed signal is asked again")
    }

    @Test func anAsleepCarAnswersItsLastReadingsWithTheirAgeAndIsNotAskedAgainInTheWindow() async throws {
        let cache = FreshnessCache()
        let counter = Counter()
        let vehicle = UUID()
        let start = Date()
        await #expect(throws: ConnectorError.asleep, "nothing read yet: ASLEEP") {
            try await cache.reading(.battery, of: vehicle, maxAge: 60, now: start) { (_) async throws(ConnectorError) in
                _ = await counter.increment()
                throw .asleep
            }
        }
        let recorded = start.addingTimeInterval(5)
        _ = try await cache.reading(.battery, warming: Self.all, of: vehicle, maxAge: 60, now: start.addingTimeInterval(61)) {
            (signals) async throws(ConnectorError) in Self.snapshot(signals, call: await counter.increment(), at: start.addingTimeInterval(61), recorded: recorded)
        }
        let asleep: FreshnessCache.Fetch = { (_) async throws(ConnectorError) in
            _ = await counter.increment()
            throw .asleep
        }
        let later = start.addingTimeInterval(200)
        let stale = try await cache.reading(.odometer, of: vehicle, maxAge: 60, now: later, fetch: asleep)
        #expect(stale.value == .odometer(km: 2) && stale.recordedAt == recorded, "the last reading, with the time the car recorded it")
        #expect(await counter.calls == 3)
        _ = try await cache.reading(.battery, of: vehicle, maxAge: 60, now: later.addingTimeInterval(30), fetch: asleep)
        #expect(await counter.calls == 3, "an asleep car is not asked again within the max age")
        _ = try await cache.reading(.battery, of: vehicle, maxAge: 60, now: later.addingTimeInterval(61), fetch: asleep)
        #expect(await counter.calls == 4)
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
