import Foundation

/// What the control loop read from a vehicle (one snapshot) and knows of where it is.
public struct ChargingObservation: Sendable, Equatable {
    public var isPluggedIn: Bool
    public var isCharging: Bool
    public var stateOfCharge: Double
    public var chargeLimit: Double
    public var capacityKWh: Double
    /// Power flowing now (0 unless charging).
    public var powerKW: Double
    /// The power the car is rated for, when nothing was observed yet.
    public var ratedPowerKW: Double
    /// The owner's charging location the car is at (nil: elsewhere).
    public var locationID: UUID?

    public init(isPluggedIn: Bool, isCharging: Bool, stateOfCharge: Double, chargeLimit: Double, capacityKWh: Double,
                powerKW: Double, ratedPowerKW: Double, locationID: UUID?) {
        self.isPluggedIn = isPluggedIn
        self.isCharging = isCharging
        self.stateOfCharge = stateOfCharge
        self.chargeLimit = chargeLimit
        self.capacityKWh = capacityKWh
        self.powerKW = powerKW
        self.ratedPowerKW = ratedPowerKW
        self.locationID = locationID
    }
}

/// One vehicle's smart charging as the control loop keeps it, durably: the plan, the command under way, the
/// owner's override and when to look again.
public struct SmartChargingSchedule: Sendable, Codable, Equatable {
    public enum Override: String, Sendable, Codable { case charge, stop }

    /// A START (`charge`) or STOP sent and not yet seen on the car. It is written before the command is sent, so a
    /// node that takes over after a crash confirms it by reading instead of sending it again.
    public struct Pending: Sendable, Codable, Equatable {
        public var charge: Bool
        public var sentAt: Date
        public var attempts: Int
    }

    public var vehicleID: UUID
    public var state: SmartChargingState
    public var stateChangedAt: Date
    public var plan: ChargingPlan?
    public var override: Override?
    public var overrideSince: Date?
    public var pending: Pending?
    /// The car's full power as last observed (power over the curve's fraction).
    public var observedPowerKW: Double?
    /// What the plan was made from (policy and prices); when it changes the loop plans again.
    public var inputs: String
    /// When the loop looks at the car next (nil: not until something changes).
    public var dueAt: Date?
    /// START and STOP commands sent, in all.
    public var commands: Int

    public init(vehicleID: UUID, now: Date) {
        self.vehicleID = vehicleID
        state = .considering
        stateChangedAt = now
        inputs = ""
        dueAt = now
        commands = 0
    }

    mutating func set(_ state: SmartChargingState, at now: Date) {
        if state != self.state { self.state = state; stateChangedAt = now }
    }

    mutating func endPlan(_ ending: SmartChargingState.Ending, failure: SmartChargingState.Failure? = nil, at now: Date) {
        guard var plan, plan.isActive else { return }
        plan.endedAt = now
        plan.finalState = ending
        plan.failureCondition = failure ?? plan.failureCondition
        self.plan = plan
        set(.ended(ending), at: now)
    }
}

/// The control loop's rule for one look at one vehicle: from the schedule, the reading, the policy and the prices
/// to the next schedule and the command to send, if any. It plans again on plug-in, when the car falls behind the
/// plan, on new prices or a new policy, and when an override ends; it confirms every command by reading, retries
/// with back-off and gives up after `maxAttempts`, trying afresh at the next look.
public struct SmartChargingController: Sendable {
    public var planner: ChargingPlanner
    /// How often a car with nothing planned is looked at.
    public var pollSeconds: Double
    /// How long a command has to show on the car.
    public var confirmSeconds: Double
    public var maxAttempts: Int

    public init(planner: ChargingPlanner = ChargingPlanner(), pollSeconds: Double = 900, confirmSeconds: Double = 120,
                maxAttempts: Int = 4) {
        self.planner = planner
        self.pollSeconds = pollSeconds
        self.confirmSeconds = confirmSeconds
        self.maxAttempts = maxAttempts
    }

    public struct Step: Sendable, Equatable {
        public var schedule: SmartChargingSchedule
        /// true: send START; false: STOP; nil: nothing to send.
        public var command: Bool?
    }

    public func step(_ schedule: SmartChargingSchedule, reading: Result<ChargingObservation, CarportError>,
                     policy: SmartChargingPolicy, prices: PriceSeries, inputs: String, now: Date) -> Step {
        var schedule = schedule
        let poll = now.addingTimeInterval(pollSeconds)
        guard policy.isActive else {
            schedule.endPlan(.disabled, at: now)
            schedule.set(.disabled, at: now)
            schedule.pending = nil
            schedule.override = nil
            schedule.dueAt = nil
            return Step(schedule: schedule, command: nil)
        }
        let car: ChargingObservation
        switch reading {
        case .success(let observed): car = observed
        case .failure:
            schedule.set(.unknown, at: now)
            schedule.dueAt = poll
            return Step(schedule: schedule, command: nil)
        }
        if car.isCharging, car.powerKW > 0 { schedule.observedPowerKW = car.powerKW / ChargeCurve.fraction(at: car.stateOfCharge) }
        guard car.isPluggedIn, car.locationID != nil else {
            // Unplugged, or away from the owner's locations: the car is left alone.
            schedule.endPlan(car.isPluggedIn ? .failed : .unplugged, at: now)
            schedule.override = nil
            schedule.pending = nil
            schedule.set(.considering, at: now)
            schedule.dueAt = poll
            return Step(schedule: schedule, command: nil)
        }
        let target = min(policy.targetLevel ?? car.chargeLimit, car.chargeLimit)
        let need = ChargingNeed(now: now, stateOfCharge: car.stateOfCharge, targetLevel: target,
                                minimumLevel: policy.minimumChargeLevel ?? 0, capacityKWh: car.capacityKWh,
                                powerKW: schedule.observedPowerKW ?? car.ratedPowerKW,
                                deadline: policy.nextDeadline(after: now) ?? poll)
        if need.isFull {
            let late = schedule.plan.map { now > $0.deadline } ?? false
            schedule.endPlan(.finished, failure: late ? .finishedLate : nil, at: now)
            schedule.override = nil
            schedule.set(.fullyCharged, at: now)
            // A target below the car's own limit is kept by stopping it.
            return drive(&schedule, want: false, observed: car.isCharging, executing: nil, next: poll, now: now)
        }
        if schedule.override == nil, needsPlan(schedule, need: need, inputs: inputs) {
            if schedule.plan?.isActive == true, schedule.plan?.deadline != need.deadline {
                schedule.endPlan(.deadlineChanged, at: now)
            }
            var plan = planner.plan(need, prices: prices)
            plan.locationID = car.locationID
            schedule.plan = plan
            schedule.inputs = inputs
        }
        let want: Bool
        let next: Date
        switch schedule.override {
        case .charge: want = true; next = poll
        case .stop: want = false; next = poll
        case nil:
            let plan = schedule.plan
            want = plan?.shouldCharge(at: now) ?? true
            next = min(poll, plan?.nextTransition(after: now) ?? poll)
        }
        return drive(&schedule, want: want, observed: car.isCharging, executing: schedule.override == nil ? nil : .overridden,
                     next: next, now: now)
    }

    /// A new plan is needed: none yet, the last one ended, new prices or policy, or the car is behind it.
    func needsPlan(_ schedule: SmartChargingSchedule, need: ChargingNeed, inputs: String) -> Bool {
        guard let plan = schedule.plan, plan.isActive, schedule.inputs == inputs, plan.deadline == need.deadline else { return true }
        guard plan.kind == .smart else { return false }
        return need.seconds(from: need.stateOfCharge, to: need.targetLevel) > plan.chargingSeconds(after: need.now)
    }

    /// Brings the car to `want` (charging or not): nothing when it already is, a command, or waiting for one.
    func drive(_ schedule: inout SmartChargingSchedule, want: Bool, observed: Bool, executing: SmartChargingState.Executing?,
               next: Date, now: Date) -> Step {
        let keepState = schedule.state == .fullyCharged
        func show(_ step: SmartChargingState.Executing) { if !keepState { schedule.set(.executing(executing ?? step), at: now) } }
        if observed == want {
            if schedule.pending != nil, var plan = schedule.plan {
                if want { plan.startConfirmedAt = plan.startConfirmedAt ?? now } else { plan.stopConfirmedAt = plan.stopConfirmedAt ?? now }
                schedule.plan = plan
            }
            schedule.pending = nil
            show(want ? .started : .stopped)
            schedule.dueAt = next
            return Step(schedule: schedule, command: nil)
        }
        if let pending = schedule.pending, pending.charge == want {
            let retryAt = pending.sentAt.addingTimeInterval(confirmSeconds * pow(2, Double(pending.attempts - 1)))
            if now < retryAt {
                show(want ? .starting : .stopping)
                schedule.dueAt = min(retryAt, next)
                return Step(schedule: schedule, command: nil)
            }
            if pending.attempts >= maxAttempts {
                schedule.pending = nil
                if var plan = schedule.plan { plan.failureCondition = want ? .startFailed : .stopFailed; schedule.plan = plan }
                show(want ? .startFailed : .stopFailed)
                schedule.dueAt = now.addingTimeInterval(pollSeconds)
                return Step(schedule: schedule, command: nil)
            }
        }
        let attempts = schedule.pending?.charge == want ? (schedule.pending?.attempts ?? 0) + 1 : 1
        schedule.pending = SmartChargingSchedule.Pending(charge: want, sentAt: now, attempts: attempts)
        schedule.commands += 1
        show(want ? .starting : .stopping)
        schedule.dueAt = now.addingTimeInterval(confirmSeconds)
        return Step(schedule: schedule, command: want)
    }

    /// After a command failed to send: a rate limit is waited out, anything else retried with the usual back-off.
    public func sendFailed(_ schedule: SmartChargingSchedule, retryAfter: Double?, now: Date) -> SmartChargingSchedule {
        var schedule = schedule
        if let retryAfter { schedule.dueAt = now.addingTimeInterval(max(1, retryAfter)) }
        return schedule
    }
}
