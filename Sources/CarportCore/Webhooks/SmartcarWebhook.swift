import Crypto
import Foundation

/// A Smartcar webhook of an application (smartcar-webhooks-v3.md §2.1): where its vehicles' events go, and which
/// events. An application has any number; nothing is delivered until its callback passed the VERIFY challenge.
public struct SmartcarWebhook: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Payload 4.0: a `VEHICLE_STATE` event when a trigger signal changes, carrying every subscribed signal.
        case current(triggers: [SmartcarSignalCode], signals: [SmartcarSignalCode])
        /// Legacy payload 2.0, `scheduled`: every `interval` seconds, the chosen read endpoints in batch form.
        case scheduled(interval: Int, endpoints: [String])
        /// Legacy payload 2.0, `eventBased`: charging started, stopped, completed.
        case eventBased(events: [SmartcarChargingEvent])

        public var name: String {
            switch self {
            case .current: "current"
            case .scheduled: "scheduled"
            case .eventBased: "eventBased"
            }
        }

        /// The `version` of its payloads.
        public var payloadVersion: String {
            if case .current = self { return "4.0" }
            return "2.0"
        }
    }

    public var id: UUID
    public var applicationID: UUID
    public var name: String
    /// Where vehicle data (and VERIFY) goes.
    public var url: String
    /// Where `VEHICLE_ERROR` goes; the data URL when nil.
    public var errorURL: String?
    public var kind: Kind
    public var isEnabled: Bool
    /// Every vehicle of the application is subscribed, present and future.
    public var subscribesAllVehicles: Bool
    /// When the callback last answered the challenge correctly; nil: unverified, nothing is delivered.
    public var verifiedAt: Date?
    public var createdAt: Date

    public init(id: UUID = UUID(), applicationID: UUID, name: String, url: String, errorURL: String? = nil, kind: Kind,
                isEnabled: Bool = true, subscribesAllVehicles: Bool = false, verifiedAt: Date? = nil, createdAt: Date) {
        self.id = id
        self.applicationID = applicationID
        self.name = name
        self.url = url
        self.errorURL = errorURL
        self.kind = kind
        self.isEnabled = isEnabled
        self.subscribesAllVehicles = subscribesAllVehicles
        self.verifiedAt = verifiedAt
        self.createdAt = createdAt
    }

    /// Delivering: enabled and verified.
    public var isLive: Bool { isEnabled && verifiedAt != nil }
}

public enum SmartcarChargingEvent: String, Sendable, CaseIterable {
    case started = "CHARGING_STARTED", stopped = "CHARGING_STOPPED", completed = "CHARGING_COMPLETED"
}

/// One attempt to reach a webhook's callback, as `carport webhooks deliveries` lists it.
public struct SmartcarDeliveryAttempt: Sendable, Equatable {
    public var webhookID: UUID
    public var eventID: String
    public var eventType: String
    public var deliveryID: String
    public var at: Date
    /// The HTTP status; nil when no answer came.
    public var status: Int?
    public var milliseconds: Int
    public var succeeded: Bool
    /// Why it failed, when it did.
    public var reason: String?

    public init(webhookID: UUID, eventID: String, eventType: String, deliveryID: String, at: Date, status: Int?,
                milliseconds: Int, succeeded: Bool, reason: String?) {
        self.webhookID = webhookID
        self.eventID = eventID
        self.eventType = eventType
        self.deliveryID = deliveryID
        self.at = at
        self.status = status
        self.milliseconds = milliseconds
        self.succeeded = succeeded
        self.reason = reason
    }
}

/// Smartcar's webhook signatures (§2.3, §2.4): lower-case hex HMAC-SHA256 keyed by the application management
/// token, over the challenge string (the answer a callback must give) or over the raw body (`SC-Signature`). The
/// official SDK's `hash_challenge` and `verify_payload` compute the same.
public enum SmartcarSignature {
    public static func hex(of message: Data, key managementToken: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(managementToken.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    public static func hex(of message: String, key managementToken: String) -> String {
        hex(of: Data(message.utf8), key: managementToken)
    }
}

/// Storage of webhook definitions, the vehicles subscribed to each, and the log of delivery attempts.
public protocol SmartcarWebhookStore: Sendable {
    /// Inserts or replaces the definition.
    func save(_ webhook: SmartcarWebhook) async throws
    func webhook(id: UUID) async throws -> SmartcarWebhook?
    /// An application's webhooks, oldest first; every application's when nil.
    func webhooks(applicationID: UUID?) async throws -> [SmartcarWebhook]
    /// Removes the webhook with its subscriptions and log; false when there was none.
    func delete(id: UUID) async throws -> Bool
    /// True when the vehicle was not subscribed before.
    func subscribe(webhookID: UUID, vehicleID: UUID, at time: Date) async throws -> Bool
    /// False when the vehicle was not subscribed.
    func unsubscribe(webhookID: UUID, vehicleID: UUID) async throws -> Bool
    func subscribedVehicles(webhookID: UUID) async throws -> [UUID]
    func record(_ attempt: SmartcarDeliveryAttempt) async throws
    /// The latest attempts, newest first.
    func deliveries(webhookID: UUID, limit: Int) async throws -> [SmartcarDeliveryAttempt]
}
