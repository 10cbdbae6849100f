import Foundation

/// Where smart charging stands for one vehicle, as Enode's v1-late smart-charging status names it.
public enum SmartChargingState: Sendable, Codable, Equatable {
    case disabled
    /// Enabled, but not plugged in at one of the owner's charging locations (or nothing to plan yet).
    case considering
    /// The vehicle cannot be read.
    case unknown
    case fullyCharged
    case executing(Executing)
    case ended(Ending)

    public enum Executing: String, Sendable, Codable {
        case stopping = "STOPPING", stopFailed = "STOP_FAILED", stopped = "STOPPED", starting = "STARTING"
        case startFailed = "START_FAILED", started = "STARTED", overridden = "OVERRIDDEN"
    }

    public enum Ending: String, Sendable, Codable {
        case finished = "FINISHED", unplugged = "UNPLUGGED", failed = "FAILED", disabled = "DISABLED"
        case deadlineChanged = "DEADLINE_CHANGED"
    }

    public enum Failure: String, Sendable, Codable {
        case stopFailed = "STOP_FAILED", startFailed = "START_FAILED", finishedLate = "FINISHED_LATE"
        case chargeInterrupted = "CHARGE_INTERRUPTED", unknown = "UNKNOWN"
    }

    /// `DISABLED`, `PLAN:EXECUTING:STARTED`, `PLAN:ENDED:FINISHED`, …
    public var name: String {
        switch self {
        case .disabled: "DISABLED"
        case .considering: "CONSIDERING"
        case .unknown: "UNKNOWN"
        case .fullyCharged: "FULLY_CHARGED"
        case .executing(let step): "PLAN:EXECUTING:\(step.rawValue)"
        case .ended(let ending): "PLAN:ENDED:\(ending.rawValue)"
        }
    }

    public init?(name: String) {
        switch name {
        case "DISABLED": self = .disabled
        case "CONSIDERING": self = .considering
        case "UNKNOWN": self = .unknown
        case "FULLY_CHARGED": self = .fullyCharged
        default:
            if name.hasPrefix("PLAN:EXECUTING:"), let step = Executing(rawValue: String(name.dropFirst(15))) { self = .executing(step) }
            else if name.hasPrefix("PLAN:ENDED:"), let ending = Ending(rawValue: String(name.dropFirst(11))) { self = .ended(ending) }
            else { return nil }
        }
    }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let state = SmartChargingState(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown state \(name)"))
        }
        self = state
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
