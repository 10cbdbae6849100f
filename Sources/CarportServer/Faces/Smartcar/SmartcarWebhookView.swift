import CarportCore
import Foundation

/// A webhook as `carport webhooks … --json` prints it and the management API answers.
public struct SmartcarWebhookView: Codable, Sendable {
    public var id: String
    public var name: String
    public var url: String
    public var errorUrl: String?
    public var kind: String
    public var triggers: [String]?
    public var signals: [String]?
    public var interval: Int?
    public var endpoints: [String]?
    public var events: [String]?
    public var enabled: Bool
    public var allVehicles: Bool
    public var verified: Bool
    public var verifiedAt: Date?
    public var createdAt: Date
    public var subscribedVehicles: [String]?
    public var verification: VerificationView?

    public struct VerificationView: Codable, Sendable {
        public var succeeded: Bool
        public var status: Int?
        public var reason: String?
    }

    init(_ webhook: SmartcarWebhook, subscribed: [UUID]?, verification: SmartcarWebhooks.Verification? = nil) {
        id = webhook.id.uuidString.lowercased()
        name = webhook.name
        url = webhook.url
        errorUrl = webhook.errorURL
        kind = webhook.kind.name
        switch webhook.kind {
        case .current(let triggers, let signals):
            self.triggers = triggers.map(\.rawValue)
            self.signals = signals.map(\.rawValue)
        case .scheduled(let interval, let endpoints):
            self.interval = interval
            self.endpoints = endpoints
        case .eventBased(let events):
            self.events = events.map(\.rawValue)
        }
        enabled = webhook.isEnabled
        allVehicles = webhook.subscribesAllVehicles
        verified = webhook.verifiedAt != nil
        verifiedAt = webhook.verifiedAt
        createdAt = webhook.createdAt
        subscribedVehicles = subscribed?.map { $0.uuidString.lowercased() }
        self.verification = verification.map { VerificationView(succeeded: $0.succeeded, status: $0.status, reason: $0.reason) }
    }

    /// The kind from its parts, as the CLI's options and the API's body give them: `current` needs triggers (its
    /// signals default to the triggers), `scheduled` an interval and endpoints, `eventBased` events (default: all).
    static func kind(name: String, triggers: [String], signals: [String], interval: Int?, endpoints: [String],
                     events: [String]) throws -> SmartcarWebhook.Kind {
        func codes(_ list: [String]) throws -> [SmartcarSignalCode] {
            switch SmartcarSignalCode.list(list.joined(separator: ",")) {
            case .success(let codes): return codes
            case .failure(let unknown): throw SmartcarWebhooks.Failure.invalid(unknown.description)
            }
        }
        switch name {
        case "current":
            let triggers = try codes(triggers)
            return .current(triggers: triggers, signals: signals.isEmpty ? triggers : try codes(signals))
        case "scheduled":
            guard let interval else { throw SmartcarWebhooks.Failure.invalid("a scheduled webhook needs an interval") }
            return .scheduled(interval: interval, endpoints: endpoints)
        case "eventBased":
            let chosen = events.isEmpty ? SmartcarChargingEvent.allCases : try events.map { event in
                guard let known = SmartcarChargingEvent(rawValue: event) else {
                    throw SmartcarWebhooks.Failure.invalid("unknown event \(event); known: "
                        + SmartcarChargingEvent.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return known
            }
            return .eventBased(events: chosen)
        default:
            throw SmartcarWebhooks.Failure.invalid("kind must be current, scheduled or eventBased")
        }
    }
}

/// One delivery attempt in the log.
public struct SmartcarDeliveryView: Codable, Sendable {
    public var at: Date
    public var eventId: String
    public var eventType: String
    public var deliveryId: String
    public var status: Int?
    public var milliseconds: Int
    public var succeeded: Bool
    public var reason: String?

    init(_ attempt: SmartcarDeliveryAttempt) {
        at = attempt.at
        eventId = attempt.eventID
        eventType = attempt.eventType
        deliveryId = attempt.deliveryID
        status = attempt.status
        milliseconds = attempt.milliseconds
        succeeded = attempt.succeeded
        reason = attempt.reason
    }
}
