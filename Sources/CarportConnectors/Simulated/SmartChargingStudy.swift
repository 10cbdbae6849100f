import CarportCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fleet study of smart charging: simulated cars on a virtual clock come home in the evening, plug in and leave
/// in the morning; the real planner and control loop (`SmartChargingController`) read each car's signals and send it
/// START and STOP as commands, which the car obeys or refuses as it would through the API. Each session is measured
/// against charging at once and against the offline optimum (the cheapest schedule with perfect knowledge of the
/// whole session: the car's exact power, the departure, every price).
public struct SmartChargingStudy: Sendable {
    public struct Options: Sendable {
        public var vehicles = 100
        public var days = 7
        public var seed: UInt64 = 1
        /// Cars in the timed planning pass.
        public var passVehicles = 10_000
        public init() {}
    }

    public struct Result: Sendable, Codable {
        public var vehicles: Int
        public var days: Int
        public var sessions: Int
        public var deadlinesFeasible: Int
        public var deadlinesMet: Int
        public var energyKWh: Double
        public var smartCost: Double
        public var immediateCost: Double
        public var optimalCost: Double
        public var currency: String
        public var commandsPerCarDay: Double
        /// CPU of every control-loop step of the study (planning included).
        public var plannerCPUSeconds: Double
        /// CPU of one planning pass over `passVehicles` plugged-in cars.
        public var planningPassCPUSeconds: Double
        public var passVehicles: Int
        public var wallSeconds: Double
        public var commandFailures: Int
    }

    /// One car's first session, for the picture: prices, the plan's windows, the state of charge per minute.
    public struct Trace: Sendable {
        public var start: Date
        public var end: Date
        public var plan: ChargingPlan?
        public var levels: [(Date, Double)]
        public var charging: [(Date, Bool)]
    }

    let options: Options
    let prices: PriceSeries
    let controller: SmartChargingController

    public init(options: Options, prices: PriceSeries, controller: SmartChargingController = SmartChargingController()) {
        self.options = options
        self.prices = prices
        self.controller = controller
    }

    /// A car's day at home: when it arrives with what charge, when it must leave.
    struct Session {
        var arrival: Date
        var departure: Date
        var arrivalLevel: Double
        var outcome: Outcome?
    }

    struct Outcome {
        var feasible: Bool
        var met: Bool
        var energy: Double
        var smart: Double
        var immediate: Double
        var optimal: Double
    }

    struct Fleet {
        var cars: [SimulatedCar]
        var policies: [SmartChargingPolicy]
        var sessions: [[Session]]
        var home: [UUID]
    }

    public func run(trace: Bool = false) -> (Result, Trace?) {
        let wallStart = Date()
        let start = prices.slots.first?.start ?? Date(timeIntervalSince1970: (wallStart.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        var random = SeededRandom(seed: options.seed)
        var fleet = makeFleet(start: start, random: &random)
        var schedules = fleet.cars.indices.map { SmartChargingSchedule(vehicleID: fleet.home[$0], now: start) }
        var next = [Int](repeating: 0, count: fleet.cars.count)   // the session each car is in or waits for
        var atHome = [Bool](repeating: false, count: fleet.cars.count)
        var cost = [Double](repeating: 0, count: fleet.cars.count)
        var energy = [Double](repeating: 0, count: fleet.cars.count)
        var failures = 0
        var cpu = 0.0
        var traced: Trace?
        if trace, let first = fleet.sessions.first?.first {
            traced = Trace(start: first.arrival.addingTimeInterval(-3600), end: first.departure.addingTimeInterval(3600), levels: [], charging: [])
        }
        let end = start.addingTimeInterval(Double(options.days + 1) * 86_400)
        var now = start
        while now < end {
            for index in fleet.cars.indices {
                // The owner comes and goes.
                if next[index] < fleet.sessions[index].count {
                    let session = fleet.sessions[index][next[index]]
                    if !atHome[index], now >= session.arrival {
                        try? fleet.cars[index].apply(.setStateOfCharge(session.arrivalLevel))
                        try? fleet.cars[index].apply(.plug)
                        atHome[index] = true
                        cost[index] = 0
                        energy[index] = 0
                        schedules[index].dueAt = now  // the change feed sees the plug-in
                    } else if atHome[index], now >= session.departure {
                        fleet.sessions[index][next[index]].outcome = outcome(of: session, car: fleet.cars[index], cost: cost[index],
                                                                             energy: energy[index], policy: fleet.policies[index])
                        try? fleet.cars[index].apply(.unplug)
                        atHome[index] = false
                        next[index] += 1
                        schedules[index].dueAt = now
                    }
                }
                // The control loop's look, when due.
                if let due = schedules[index].dueAt, due <= now {
                    let reading = observe(fleet.cars[index], at: atHome[index] ? fleet.home[index] : nil)
                    let began = Self.threadCPU()
                    let step = controller.step(schedules[index], reading: reading, policy: fleet.policies[index], prices: prices,
                                               inputs: "study", now: now)
                    cpu += Self.threadCPU() - began
                    schedules[index] = step.schedule
                    if let charge = step.command {
                        do throws(ConnectorError) {
                            try fleet.cars[index].perform(charge ? .startCharge : .stopCharge)
                        } catch {
                            failures += 1
                            schedules[index] = controller.sendFailed(schedules[index], retryAfter: nil, now: now)
                        }
                    }
                    if index == 0, traced != nil, traced!.plan == nil, let plan = schedules[index].plan, plan.kind != .full {
                        traced!.plan = plan
                    }
                }
                // A minute passes.
                let before = fleet.cars[index].stateOfCharge
                fleet.cars[index].advance(simulatedSeconds: 60)
                let gained = (fleet.cars[index].stateOfCharge - before) * fleet.cars[index].model.batteryCapacityKWh
                if gained > 0 {
                    energy[index] += gained
                    cost[index] += gained * prices.price(at: now)
                }
                if index == 0, let window = traced, now >= window.start, now < window.end {
                    traced!.levels.append((now, fleet.cars[0].stateOfCharge))
                    traced!.charging.append((now, fleet.cars[0].isCharging))
                }
            }
            now.addTimeInterval(60)
        }
        let outcomes = fleet.sessions.flatMap { $0 }.compactMap(\.outcome)
        let result = Result(
            vehicles: options.vehicles, days: options.days, sessions: outcomes.count,
            deadlinesFeasible: outcomes.filter(\.feasible).count, deadlinesMet: outcomes.filter { $0.feasible && $0.met }.count,
            energyKWh: Self.round(outcomes.map(\.energy).reduce(0, +)), smartCost: Self.round(outcomes.map(\.smart).reduce(0, +)),
            immediateCost: Self.round(outcomes.map(\.immediate).reduce(0, +)), optimalCost: Self.round(outcomes.map(\.optimal).reduce(0, +)),
            currency: prices.currency,
            commandsPerCarDay: Self.round(Double(schedules.map(\.commands).reduce(0, +)) / Double(max(1, options.vehicles * options.days))),
            plannerCPUSeconds: Self.round(cpu), planningPassCPUSeconds: Self.round(planningPass(start: start, random: &random)),
            passVehicles: options.passVehicles, wallSeconds: Self.round(Date().timeIntervalSince(wallStart)), commandFailures: failures)
        return (result, traced)
    }

    /// The car as the control loop reads it: its signals, and whether it is at the owner's charging location.
    func observe(_ car: SimulatedCar, at location: UUID?) -> Swift.Result<ChargingObservation, CarportError> {
        guard case .battery(let battery)? = car.value(of: .battery), case .charge(let charge)? = car.value(of: .charge),
              case .chargeLimit(let limit)? = car.value(of: .chargeLimit) else {
            return .failure(CarportError.notCapable("reporting charge"))
        }
        return .success(ChargingObservation(
            isPluggedIn: charge.isPluggedIn, isCharging: charge.state == .charging, stateOfCharge: battery.percentRemaining,
            chargeLimit: limit, capacityKWh: car.model.batteryCapacityKWh, powerKW: charge.powerKW,
            ratedPowerKW: car.model.maxChargePowerKW, locationID: location))
    }

    func outcome(of session: Session, car: SimulatedCar, cost: Double, energy: Double, policy: SmartChargingPolicy) -> Outcome {
        let need = ChargingNeed(now: session.arrival, stateOfCharge: session.arrivalLevel, targetLevel: car.chargeLimit,
                                minimumLevel: policy.minimumChargeLevel ?? 0, capacityKWh: car.model.batteryCapacityKWh,
                                powerKW: car.model.maxChargePowerKW, deadline: session.departure)
        let atOnce = ChargingPlanner.simulate(need, windows: [.init(start: session.arrival, end: session.departure)], prices: prices)
        let feasible = atOnce.finishAt.map { $0 <= session.departure } ?? false
        let optimal = ChargingPlanner.offlineOptimum.plan(need, prices: prices)
        return Outcome(feasible: feasible, met: car.stateOfCharge >= car.chargeLimit - 0.001, energy: energy, smart: cost,
                       immediate: atOnce.cost, optimal: optimal.smartCost)
    }

    func makeFleet(start: Date, random: inout SeededRandom) -> Fleet {
        let models = SimulatedCatalog.models.filter { $0.powertrain != .ice }
        var fleet = Fleet(cars: [], policies: [], sessions: [], home: [])
        for index in 0..<options.vehicles {
            let model = models[random.int(below: models.count)]
            var car = SimulatedCar(vin: String(format: "STUDY%012d", index), model: model, stateOfCharge: 0.5, now: start)
            car.chargeLimit = random.unit() < 0.5 ? 0.8 : 0.9
            car.simulatedTime = start
            // Leaves between 06:00 and 09:00 UTC, comes home between 16:00 and 01:00.
            let departureMinutes = 360 + random.int(below: 12) * 15
            var sessions: [Session] = []
            for day in 0..<options.days {
                let dayStart = start.addingTimeInterval(Double(day) * 86_400)
                let arrival = dayStart.addingTimeInterval(Double(960 + random.int(below: 540)) * 60)
                let departure = dayStart.addingTimeInterval(86_400 + Double(departureMinutes) * 60)
                let level = 0.05 + random.unit() * 0.5
                sessions.append(Session(arrival: arrival, departure: departure, arrivalLevel: (level * 1000).rounded() / 1000))
            }
            fleet.cars.append(car)
            fleet.policies.append(SmartChargingPolicy(isEnabled: true, deadlineMinutes: departureMinutes,
                                                      minimumChargeLevel: random.unit() < 0.2 ? 0.3 : nil))
            fleet.sessions.append(sessions)
            fleet.home.append(UUID())
        }
        return fleet
    }

    /// CPU of planning `passVehicles` cars plugged in at once, each with its own need.
    func planningPass(start: Date, random: inout SeededRandom) -> Double {
        let planner = controller.planner
        let now = start.addingTimeInterval(19 * 3600)
        let needs = (0..<options.passVehicles).map { _ in
            ChargingNeed(now: now.addingTimeInterval(Double(random.int(below: 60)) * 60), stateOfCharge: 0.1 + random.unit() * 0.5,
                         targetLevel: 0.8, capacityKWh: 50 + random.unit() * 50, powerKW: [7.4, 11, 22][random.int(below: 3)],
                         deadline: now.addingTimeInterval(Double(10 + random.int(below: 4)) * 3600))
        }
        let began = Self.threadCPU()
        var windows = 0
        for need in needs { windows += planner.plan(need, prices: prices).windows.count }
        let spent = Self.threadCPU() - began
        return windows >= 0 ? spent : 0
    }

    static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// SplitMix64: the same draws for the same seed on every machine.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
