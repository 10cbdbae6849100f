import Foundation

/// How charging power falls near full: the full power below 80 %, tapering to 15 % of it at 100 % (a generic
/// lithium-ion curve; the simulated cars follow it too).
public enum ChargeCurve {
    public static func fraction(at stateOfCharge: Double) -> Double {
        stateOfCharge <= 0.8 ? 1 : max(0.15, 1 - (stateOfCharge - 0.8) / 0.2 * 0.85)
    }
}

/// What the planner knows of a plugged-in car.
public struct ChargingNeed: Sendable, Equatable {
    public var now: Date
    public var stateOfCharge: Double
    /// Where to stop, 0–1 (the policy's target, never above the car's own limit).
    public var targetLevel: Double
    /// Charged at once, whatever the price (0: none).
    public var minimumLevel: Double
    public var capacityKWh: Double
    /// Power into the battery below the taper: the car's observed draw, else its rated power.
    public var powerKW: Double
    /// Battery kWh per kWh from the grid (1 when the power reading is the battery's).
    public var efficiency: Double
    public var deadline: Date

    public init(now: Date, stateOfCharge: Double, targetLevel: Double, minimumLevel: Double = 0, capacityKWh: Double,
                powerKW: Double, efficiency: Double = 1, deadline: Date) {
        self.now = now
        self.stateOfCharge = stateOfCharge
        self.targetLevel = targetLevel
        self.minimumLevel = minimumLevel
        self.capacityKWh = capacityKWh
        self.powerKW = powerKW
        self.efficiency = efficiency
        self.deadline = deadline
    }

    public var isFull: Bool { stateOfCharge >= targetLevel - Self.fullTolerance }
    public static let fullTolerance = 0.0005

    /// The state of charge after charging `seconds` from `level`, in the one-minute steps the cars take, and the
    /// grid energy it took.
    public func charge(from level: Double, seconds: Double) -> (level: Double, gridKWh: Double) {
        var level = level, remaining = seconds, energy = 0.0
        while remaining > 0, level < targetLevel {
            let step = min(60, remaining)
            let gained = min(targetLevel - level, powerKW * ChargeCurve.fraction(at: level) * step / 3600 / capacityKWh)
            level += gained
            energy += gained * capacityKWh / efficiency
            remaining -= step
        }
        return (level, energy)
    }

    /// Seconds of charging from `from` to `to` along the curve.
    public func seconds(from: Double, to: Double) -> Double {
        guard powerKW > 0 else { return .infinity }
        var level = from, seconds = 0.0
        while level < to {
            let next = min(to, level + 0.005)
            seconds += (next - level) * capacityKWh / (powerKW * ChargeCurve.fraction(at: level)) * 3600
            level = next
        }
        return seconds
    }
}

/// A plan: when to charge before the deadline, and what that costs against charging at once.
public struct ChargingPlan: Sendable, Codable, Equatable {
    public struct Window: Sendable, Codable, Equatable {
        public var start: Date
        public var end: Date
        public init(start: Date, end: Date) { self.start = start; self.end = end }
    }

    public enum Kind: String, Sendable, Codable {
        /// Charging in the cheapest slots.
        case smart
        /// The deadline is too close for choice: charge at once until full.
        case deadline
        /// Nothing to charge.
        case full
    }

    public var id: UUID
    public var createdAt: Date
    public var kind: Kind
    /// Sorted, apart.
    public var windows: [Window]
    public var deadline: Date
    public var targetLevel: Double
    /// When the target is expected (nil: not before the deadline).
    public var estimatedFinishAt: Date?
    public var energyKWh: Double
    public var smartCost: Double
    public var nonSmartCost: Double
    public var currency: String
    /// The owner's charging location it was made for.
    public var locationID: UUID?
    /// Carrying it out: when the car first showed it stopped and started as planned, and how the plan ended.
    public var stopConfirmedAt: Date?
    public var startConfirmedAt: Date?
    public var endedAt: Date?
    public var finalState: SmartChargingState.Ending?
    public var failureCondition: SmartChargingState.Failure?

    public var isActive: Bool { endedAt == nil }

    public func shouldCharge(at time: Date) -> Bool {
        windows.contains { $0.start <= time && time < $0.end }
    }

    /// The next start or end of a window after `time`.
    public func nextTransition(after time: Date) -> Date? {
        windows.flatMap { [$0.start, $0.end] }.filter { $0 > time }.min()
    }

    /// Seconds of charging the plan still holds from `time` on.
    public func chargingSeconds(after time: Date) -> Double {
        windows.map { max(0, $0.end.timeIntervalSince(max($0.start, time))) }.reduce(0, +)
    }
}

/// Chooses the slots a car charges in. The time a charge takes along the curve does not depend on when it
/// happens, so the planner needs that time (with a margin) and picks the cheapest quanta of the horizon that add up
/// to it, earlier first on a tie; then it joins windows until at most `maxWindows` remain (each window costs a
/// START and a STOP), moving the time it adds out of the dearest window edges.
public struct ChargingPlanner: Sendable {
    /// Quantum length in seconds (a quarter hour: every tariff slot is made of them).
    public var quantum: Double
    /// Planned time = needed time × `margin` + `extraSeconds`, for the one-minute steps of a car; a car that draws
    /// less than planned falls behind and is planned again (`SmartChargingController`).
    public var margin: Double
    public var extraSeconds: Double
    /// nil: as many windows as the prices ask for.
    public var maxWindows: Int?

    public init(quantum: Double = 900, margin: Double = 1, extraSeconds: Double = 120, maxWindows: Int? = 2) {
        self.quantum = quantum
        self.margin = margin
        self.extraSeconds = extraSeconds
        self.maxWindows = maxWindows
    }

    /// The cheapest schedule with perfect knowledge: minute quanta, no margin, no limit on windows.
    public static let offlineOptimum = ChargingPlanner(quantum: 60, margin: 1, extraSeconds: 0, maxWindows: nil)

    public func plan(_ need: ChargingNeed, prices: PriceSeries, id: UUID = UUID()) -> ChargingPlan {
        let nonSmart = Self.costAtOnce(need, prices: prices)
        var plan = ChargingPlan(id: id, createdAt: need.now, kind: .full, windows: [], deadline: need.deadline,
                                targetLevel: need.targetLevel, estimatedFinishAt: need.now, energyKWh: 0, smartCost: 0,
                                nonSmartCost: nonSmart, currency: prices.currency)
        guard !need.isFull else { return plan }
        let quanta = self.quanta(from: need.now, to: need.deadline, prices: prices)
        var chosen = [Bool](repeating: false, count: quanta.count)
        var locked = chosen
        // The minimum level comes first, from now.
        var mustSeconds = need.stateOfCharge < need.minimumLevel
            ? need.seconds(from: need.stateOfCharge, to: min(need.minimumLevel, need.targetLevel)) : 0
        var index = 0
        while mustSeconds > 0, index < quanta.count {
            chosen[index] = true
            locked[index] = true
            mustSeconds -= quanta[index].seconds
            index += 1
        }
        let from = max(need.stateOfCharge, min(need.minimumLevel, need.targetLevel))
        var needed = need.seconds(from: from, to: need.targetLevel) * margin + extraSeconds + min(0, mustSeconds)
        let free = quanta.indices.filter { !locked[$0] }
        if needed >= free.map({ quanta[$0].seconds }).reduce(0, +) {
            plan.kind = .deadline
            plan.windows = [ChargingPlan.Window(start: need.now, end: max(need.deadline, need.now.addingTimeInterval(quantum)))]
        } else {
            plan.kind = .smart
            let wanted = needed
            for candidate in free.sorted(by: { (quanta[$0].price, $0) < (quanta[$1].price, $1) }) where needed > 0 {
                chosen[candidate] = true
                needed -= quanta[candidate].seconds
            }
            if let maxWindows { limitWindows(&chosen, locked: locked, quanta: quanta, to: maxWindows) }
            let spare = quanta.indices.filter { chosen[$0] && !locked[$0] }.map { quanta[$0].seconds }.reduce(0, +) - wanted
            plan.windows = windows(chosen, quanta: quanta, trimming: spare, locked: locked)
        }
        let outcome = Self.simulate(need, windows: plan.windows, prices: prices)
        plan.estimatedFinishAt = outcome.finishAt
        plan.energyKWh = outcome.gridKWh
        plan.smartCost = outcome.cost
        return plan
    }

    struct Quantum {
        var start: Date
        var end: Date
        var price: Double
        var seconds: Double { end.timeIntervalSince(start) }
    }

    /// The horizon cut at every quantum boundary and price change.
    func quanta(from start: Date, to end: Date, prices: PriceSeries) -> [Quantum] {
        var quanta: [Quantum] = []
        var time = start
        while time < end {
            let boundary = Date(timeIntervalSince1970: ((time.timeIntervalSince1970 / quantum).rounded(.down) + 1) * quantum)
            let next = min(end, boundary, prices.nextBoundary(after: time))
            quanta.append(Quantum(start: time, end: next, price: prices.price(at: time)))
            time = next
        }
        return quanta
    }

    /// Fills the shortest gap between windows and takes as much time back from the dearest window edges (never a
    /// locked quantum, never one just filled), until at most `limit` windows remain.
    func limitWindows(_ chosen: inout [Bool], locked: [Bool], quanta: [Quantum], to limit: Int) {
        while true {
            let runs = runs(of: chosen)
            guard runs.count > max(1, limit) else { return }
            var gap = (start: 0, end: 0)
            var shortest = Double.infinity
            for pair in zip(runs, runs.dropFirst()) {
                let length = quanta[pair.0.upperBound].start.distance(to: quanta[pair.1.lowerBound].start)
                if length < shortest { shortest = length; gap = (pair.0.upperBound, pair.1.lowerBound) }
            }
            var added = 0.0
            for index in gap.start..<gap.end { chosen[index] = true; added += quanta[index].seconds }
            let filled = gap.start..<gap.end
            while added > 0 {
                let edges = self.runs(of: chosen).flatMap { [$0.lowerBound, $0.upperBound - 1] }
                    .filter { !locked[$0] && !filled.contains($0) }
                guard let dearest = edges.max(by: { (quanta[$0].price, $0) < (quanta[$1].price, $1) }),
                      added >= quanta[dearest].seconds
                else { break }
                chosen[dearest] = false
                added -= quanta[dearest].seconds
            }
        }
    }

    /// Runs of chosen quanta, as index ranges.
    func runs(of chosen: [Bool]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start: Int?
        for (index, isChosen) in chosen.enumerated() {
            if isChosen, start == nil { start = index }
            if !isChosen, let begun = start { runs.append(begun..<index); start = nil }
        }
        if let start { runs.append(start..<chosen.count) }
        return runs
    }

    /// The chosen quanta as windows, with `spare` seconds taken off the dearest window edges (whole quanta first, then
    /// part of one), so that the car is not left charging in a dear quantum while a cheaper one later goes unused.
    func windows(_ chosen: [Bool], quanta: [Quantum], trimming spare: Double, locked: [Bool]) -> [ChargingPlan.Window] {
        var chosen = chosen, spare = spare
        var cut: (index: Int, seconds: Double)?
        while spare > 0 {
            let edges = runs(of: chosen).flatMap { [$0.lowerBound, $0.upperBound - 1] }.filter { !locked[$0] }
            guard let dearest = edges.max(by: { (quanta[$0].price, $0) < (quanta[$1].price, $1) }) else { break }
            if quanta[dearest].seconds <= spare {
                chosen[dearest] = false
                spare -= quanta[dearest].seconds
            } else {
                cut = (dearest, spare)
                spare = 0
            }
        }
        return runs(of: chosen).map { run in
            var window = ChargingPlan.Window(start: quanta[run.lowerBound].start, end: quanta[run.upperBound - 1].end)
            if let cut, run.contains(cut.index) {
                if cut.index == run.upperBound - 1 { window.end.addTimeInterval(-cut.seconds) } else { window.start.addTimeInterval(cut.seconds) }
            }
            return window
        }
    }

    /// Charging through `windows` in time order until the target: when it is reached, the grid energy, its cost.
    public static func simulate(_ need: ChargingNeed, windows: [ChargingPlan.Window], prices: PriceSeries)
        -> (finishAt: Date?, gridKWh: Double, cost: Double) {
        var level = need.stateOfCharge, energy = 0.0, cost = 0.0
        for window in windows {
            var time = window.start
            while time < window.end, level < need.targetLevel - ChargingNeed.fullTolerance {
                let step = min(60, window.end.timeIntervalSince(time))
                let (next, kWh) = need.charge(from: level, seconds: step)
                level = next
                energy += kWh
                cost += kWh * prices.price(at: time)
                time.addTimeInterval(step)
            }
            if level >= need.targetLevel - ChargingNeed.fullTolerance { return (time, energy, cost) }
        }
        return (nil, energy, cost)
    }

    /// Charging from now until the target, whatever the deadline: what the plan is measured against.
    public static func costAtOnce(_ need: ChargingNeed, prices: PriceSeries) -> Double {
        let hours = need.seconds(from: need.stateOfCharge, to: need.targetLevel) + 3600
        guard hours.isFinite else { return 0 }
        return simulate(need, windows: [ChargingPlan.Window(start: need.now, end: need.now.addingTimeInterval(hours))],
                        prices: prices).cost
    }
}
