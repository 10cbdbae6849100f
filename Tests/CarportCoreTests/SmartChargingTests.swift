import Foundation
import Testing
@testable import CarportCore

/// The planner, the price series and the control loop's rule, on hand-made cases whose answers can be worked out.
@Suite struct SmartChargingTests {
    /// 2026-12-01 00:00 UTC.
    let midnight = Date(timeIntervalSince1970: 1_796_083_200)
    func at(_ hours: Double) -> Date { midnight.addingTimeInterval(hours * 3600) }
    let flat = Tariff(hourlyPrices: [Double](repeating: 0.30, count: 24), currency: "EUR")

    /// A flat 0.30 day with 0.10 from 01:00 to 03:00 on the night after `midnight`.
    func cheapNight() throws -> PriceSeries {
        try PriceSeries.parseCSV("start,price\n2026-12-02T01:00:00Z,0.10\n2026-12-02T02:00:00Z,0.10\n2026-12-02T03:00:00Z,0.30\n",
                                 currency: nil, daily: flat)
    }

    func need(soc: Double, target: Double = 0.6, minimum: Double = 0, now: Double = 22, deadline: Double = 31) -> ChargingNeed {
        ChargingNeed(now: at(now), stateOfCharge: soc, targetLevel: target, minimumLevel: minimum, capacityKWh: 50, powerKW: 10,
                     deadline: at(deadline))
    }

    // MARK: Prices

    @Test func aPriceFileReadsItsSlots() throws {
        let prices = try cheapNight()
        #expect(prices.slots.count == 3 && prices.slots.allSatisfy { $0.minutes == 60 })
        #expect(prices.price(at: at(25.5)) == 0.10 && prices.price(at: at(12)) == 0.30, "outside the slots, the daily tariff")
        let quarters = try PriceSeries.parseCSV("start,price\n2026-12-02T01:00:00Z,-0.02\n2026-12-02T01:15:00Z,0.05\n", currency: "sek", daily: flat)
        #expect(quarters.currency == "SEK" && quarters.slots.map(\.minutes) == [15, 15] && quarters.slots[0].price == -0.02)
        #expect(try PriceSeries.parseCSV(quarters.csv, currency: "SEK", daily: flat) == quarters, "the CSV it writes reads back")
    }

    @Test func aBadPriceFileNamesTheLine() {
        let cases: [(String, String)] = [
            ("time,cost\n2026-12-02T01:00:00Z,1\n", "line 1: the header must be start,price"),
            ("start,price\n", "line 2: no price slots after the header"),
            ("start,price\nyesterday,1\n", "line 2: yesterday is not an ISO 8601 time"),
            ("start,price\n2026-12-02T01:00:00Z,1\n2026-12-02T01:10:00Z,1\n", "line 3: a slot starts on a quarter hour"),
            ("start,price\n2026-12-02T01:00:00Z,1\n2026-12-02T00:00:00Z,1\n", "line 3: the slots must start in rising order"),
            ("start,price\n2026-12-02T01:00:00Z,1\n2026-12-02T01:30:00Z,1\n", "line 3: the slot before this one lasts 30 minutes"),
            ("start,price\n\n2026-12-02T01:00:00Z,cheap\n", "line 3: cheap is not a price per kWh"),
            ("start,price\n2026-12-02T01:00:00Z,1,2\n", "line 2: give two fields"),
        ]
        for (text, message) in cases {
            #expect(throws: PriceSeries.ParseError.self) { try PriceSeries.parseCSV(text, currency: nil, daily: flat) }
            do { _ = try PriceSeries.parseCSV(text, currency: nil, daily: flat) } catch {
                #expect(error.description.hasPrefix(message), "\(error.description)")
            }
        }
        #expect(throws: PriceSeries.ParseError.self) { try PriceSeries.parseCSV("start,price\n2026-12-02T01:00:00Z,1\n", currency: "EURO", daily: flat) }
    }

    // MARK: Planner

    @Test func theCheapestHoursBeforeTheDeadlineAreChosen() throws {
        // 5 kWh at 10 kW: 30 minutes (and two minutes to spare), all inside the cheap night.
        let plan = ChargingPlanner().plan(need(soc: 0.5), prices: try cheapNight())
        #expect(plan.kind == .smart && plan.windows.count == 1)
        let window = try #require(plan.windows.first)
        #expect(window.start >= at(25) && window.end <= at(27))
        #expect(abs(window.end.timeIntervalSince(window.start) - 32 * 60) < 1)
        #expect(abs(plan.smartCost - 0.5) < 0.01 && abs(plan.nonSmartCost - 1.5) < 0.01)
        #expect(try #require(plan.estimatedFinishAt) <= plan.deadline)
        #expect(!plan.shouldCharge(at: at(22)) && plan.shouldCharge(at: window.start))
    }

    @Test func theMinimumLevelIsChargedAtOnce() throws {
        let plan = ChargingPlanner().plan(need(soc: 0.1, minimum: 0.3), prices: try cheapNight())
        #expect(plan.windows.first?.start == at(22), "10 % → 30 % now, whatever the price")
        #expect(plan.windows.contains { $0.start >= at(25) && $0.end <= at(27) }, "the rest in the cheap night")
        #expect(plan.windows.count <= 2)
    }

    @Test func aDeadlineTooCloseChargesAtOnceAndAFullCarPlansNothing() throws {
        let tight = ChargingPlanner().plan(need(soc: 0.5, deadline: 22.4), prices: try cheapNight())
        #expect(tight.kind == .deadline && tight.windows.first?.start == at(22))
        #expect(tight.estimatedFinishAt.map { $0 > tight.deadline } ?? true, "32 minutes of charging do not fit in 24")
        let full = ChargingPlanner().plan(need(soc: 0.6), prices: try cheapNight())
        #expect(full.kind == .full && full.windows.isEmpty && full.smartCost == 0)
    }

    @Test func chargingTapersNearFull() {
        let need = self.need(soc: 0.5, target: 1)
        let belowTaper = need.seconds(from: 0.5, to: 0.6)
        let inTaper = need.seconds(from: 0.85, to: 0.95)
        #expect(abs(belowTaper - 1800) < 61 && inTaper > 1.5 * belowTaper)
    }

    @Test func windowsAreLimitedAndNegativePricesTaken() throws {
        // Alternating cheap and dear quarters: unlimited, one window per cheap quarter; limited, two.
        var lines = ["start,price"]
        for quarter in 0..<16 {
            let start = at(24 + Double(quarter) / 4)
            lines.append("\(UTCTimestamp.iso8601(start, milliseconds: false)),\(quarter % 2 == 0 ? -0.05 : 0.40)")
        }
        let prices = try PriceSeries.parseCSV(lines.joined(separator: "\n"), currency: nil, daily: flat)
        let need = self.need(soc: 0.5, target: 0.75)
        let unlimited = ChargingPlanner(maxWindows: nil).plan(need, prices: prices)
        let limited = ChargingPlanner().plan(need, prices: prices)
        #expect(unlimited.windows.count > 2 && limited.windows.count <= 2)
        #expect(unlimited.smartCost < 0, "the car is paid to charge")
        #expect(limited.smartCost >= unlimited.smartCost - 1e-9)
        let optimum = ChargingPlanner.offlineOptimum.plan(need, prices: prices)
        #expect(optimum.smartCost <= unlimited.smartCost + 1e-9)
    }

    // MARK: Policy

    @Test func departuresAreReadInTheOwnersTimeZone() {
        // Wednesday 2 December 2026; departures on Thursday (5) at 07:30 in Oslo (UTC+1).
        let policy = SmartChargingPolicy(isEnabled: true, deadlineMinutes: nil, departures: [5: 450], timeZone: "Europe/Oslo")
        #expect(policy.isActive)
        #expect(policy.nextDeadline(after: at(24 + 12)) == at(48 + 6.5))
        let daily = SmartChargingPolicy(isEnabled: true, deadlineMinutes: 420)
        #expect(daily.nextDeadline(after: at(6)) == at(7) && daily.nextDeadline(after: at(8)) == at(31))
        #expect(!SmartChargingPolicy(isEnabled: true, deadlineMinutes: nil).isActive)
    }

    // MARK: Control loop rule

    let home = UUID()
    let policy = SmartChargingPolicy(isEnabled: true, deadlineMinutes: 420)

    func reading(plugged: Bool = true, charging: Bool, soc: Double = 0.5, at location: UUID?? = nil) -> Result<ChargingObservation, CarportError> {
        .success(ChargingObservation(isPluggedIn: plugged, isCharging: charging, stateOfCharge: soc, chargeLimit: 0.6, capacityKWh: 50,
                                     powerKW: charging ? 10 : 0, ratedPowerKW: 10, locationID: location ?? home))
    }

    @Test func theLoopStopsACarThatShouldWaitAndConfirmsByReading() throws {
        let controller = SmartChargingController()
        let prices = try cheapNight()
        let first = controller.step(SmartChargingSchedule(vehicleID: UUID(), now: at(22)), reading: reading(charging: true), policy: policy,
                                    prices: prices, inputs: "a", now: at(22))
        #expect(first.command == false, "charging at 0.30 while the night costs 0.10: STOP")
        #expect(first.schedule.state == .executing(.stopping) && first.schedule.pending?.attempts == 1)
        #expect(first.schedule.dueAt == at(22).addingTimeInterval(120))
        // Still charging a minute later: no second STOP before the confirmation time.
        let early = controller.step(first.schedule, reading: reading(charging: true), policy: policy, prices: prices, inputs: "a",
                                    now: at(22).addingTimeInterval(60))
        #expect(early.command == nil)
        // Still charging after it: sent again, with back-off; after four attempts it gives up.
        var schedule = first.schedule
        var time = at(22)
        for attempt in 2...4 {
            time = time.addingTimeInterval(120 * pow(2, Double(attempt - 2)) + 1)
            let retry = controller.step(schedule, reading: reading(charging: true), policy: policy, prices: prices, inputs: "a", now: time)
            #expect(retry.command == false && retry.schedule.pending?.attempts == attempt)
            schedule = retry.schedule
        }
        let failed = controller.step(schedule, reading: reading(charging: true), policy: policy, prices: prices, inputs: "a",
                                     now: time.addingTimeInterval(120 * 8 + 1))
        #expect(failed.command == nil && failed.schedule.state == .executing(.stopFailed) && failed.schedule.plan?.failureCondition == .stopFailed)
        // Seen stopped: confirmed, and the plan's next start is when to look again.
        let confirmed = controller.step(first.schedule, reading: reading(charging: false), policy: policy, prices: prices, inputs: "a",
                                        now: at(22).addingTimeInterval(100))
        #expect(confirmed.command == nil && confirmed.schedule.state == .executing(.stopped) && confirmed.schedule.pending == nil)
        #expect(confirmed.schedule.plan?.stopConfirmedAt != nil)
        #expect(confirmed.schedule.dueAt == at(22).addingTimeInterval(100 + 900), "the next look: the poll, before the window")
        // At the window: START.
        let start = try #require(confirmed.schedule.plan?.windows.first?.start)
        let starting = controller.step(confirmed.schedule, reading: reading(charging: false), policy: policy, prices: prices, inputs: "a", now: start)
        #expect(starting.command == true && starting.schedule.plan?.id == first.schedule.plan?.id, "the same plan carries on")
        #expect(starting.schedule.commands == 2)
    }

    @Test func theLoopPlansAgainOnNewInputsAndLeavesCarsAwayFromHomeAlone() throws {
        let controller = SmartChargingController()
        let prices = try cheapNight()
        let planned = controller.step(SmartChargingSchedule(vehicleID: UUID(), now: at(22)), reading: reading(charging: false),
                                      policy: policy, prices: prices, inputs: "a", now: at(22)).schedule
        let same = controller.step(planned, reading: reading(charging: false), policy: policy, prices: prices, inputs: "a", now: at(23))
        #expect(same.schedule.plan?.id == planned.plan?.id)
        let repriced = controller.step(planned, reading: reading(charging: false), policy: policy, prices: prices, inputs: "b", now: at(23))
        #expect(repriced.schedule.plan?.id != planned.plan?.id, "new prices or a new policy: a new plan")

        let away = controller.step(planned, reading: reading(charging: true, at: .some(nil)), policy: policy, prices: prices, inputs: "a", now: at(23))
        #expect(away.command == nil && away.schedule.state == .considering)
        let unplugged = controller.step(planned, reading: reading(plugged: false, charging: false), policy: policy, prices: prices, inputs: "a",
                                        now: at(23))
        #expect(unplugged.schedule.plan?.finalState == .unplugged && unplugged.schedule.dueAt == at(23).addingTimeInterval(900))
        let unreadable = controller.step(planned, reading: .failure(CarportError(.vehicleState, "ASLEEP", "asleep")), policy: policy,
                                         prices: prices, inputs: "a", now: at(23))
        #expect(unreadable.command == nil && unreadable.schedule.state == .unknown)
        let disabled = controller.step(planned, reading: reading(charging: false), policy: SmartChargingPolicy(isEnabled: false, deadlineMinutes: 420),
                                       prices: prices, inputs: "a", now: at(23))
        #expect(disabled.schedule.state == .disabled && disabled.schedule.dueAt == nil && disabled.schedule.plan?.finalState == .disabled)
    }

    @Test func anOverrideChargesUntilFull() throws {
        let controller = SmartChargingController()
        var schedule = SmartChargingSchedule(vehicleID: UUID(), now: at(22))
        schedule.override = .charge
        let step = controller.step(schedule, reading: reading(charging: false), policy: policy, prices: try cheapNight(), inputs: "a", now: at(22))
        #expect(step.command == true && step.schedule.state == .executing(.overridden))
        let full = controller.step(step.schedule, reading: reading(charging: false, soc: 0.6), policy: policy, prices: try cheapNight(),
                                   inputs: "a", now: at(23))
        #expect(full.schedule.override == nil && full.schedule.state == .fullyCharged, "full: the override ends")
    }
}
