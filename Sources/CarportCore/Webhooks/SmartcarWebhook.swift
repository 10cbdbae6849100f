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

    /// Whole milliseconds from `start` until now, as the log shows an attempt's duration.
    public static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

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
    /// The vehicles subscribed, oldest first; only `among` (when it is subscribed) if given.
    func subscribedVehicles(webhookID: UUID, among vehicleID: UUID?) async throws -> [UUID]
    func record(_ attempt: SmartcarDeliveryAttempt) async throws
    /// The latest attempts, newest first.
    func deliveries(webhookID: UUID, limit: Int) async throws -> [SmartcarDeliveryAttempt]
    /// Claims up to `limit` queued events that are due and that no worker holds (or whose holder's lease ran out),
    /// leased until `leaseUntil`; concurrent claims never return the same event.
    func claimDue(at time: Date, leaseUntil: Date, limit: Int) async throws -> [SmartcarQueuedEvent]
    /// The outcomes of one round of attempts, in one transaction: each attempt logged, each event removed
    /// (delivered, dropped for good, or its webhook gone) or rescheduled with its lease released.
    func settle(_ outcomes: [SmartcarDeliveryOutcome]) async throws
}

/// What became of one claimed event: the attempt made (none when its webhook was gone), and when to try again
/// (nil: remove it from the outbox).
public struct SmartcarDeliveryOutcome: Sendable, Equatable {
    public var event: SmartcarQueuedEvent
    public var attempt: SmartcarDeliveryAttempt?
    public var retryAt: Date?

    public init(event: SmartcarQueuedEvent, attempt: SmartcarDeliveryAttempt?, retryAt: Date?) {
        self.event = event
        self.attempt = attempt
        self.retryAt = retryAt
    }
}

/// One Smartcar event in the outbox, for one webhook: its JSON as it will be sent, except that a 4.0 body's
/// `meta` still lacks the attempt's `deliveryId` and `deliveredAt` (`stamped(deliveryID:at:)` adds them).
public struct SmartcarQueuedEvent: Sendable, Equatable {
    public var rowID: UUID
    public var webhookID: UUID
    public var applicationID: UUID
    public var eventID: String
    public var eventType: String
    public var payload: Data
    public var attempts: Int

    public init(rowID: UUID = UUID(), webhookID: UUID, applicationID: UUID, eventID: String, eventType: String, payload: Data,
                attempts: Int = 0) {
        self.rowID = rowID
        self.webhookID = webhookID
        self.applicationID = applicationID
        self.eventID = eventID
        self.eventType = eventType
        self.payload = payload
        self.attempts = attempts
    }

    /// 4.0 bodies are queued ending inside `meta` (`…,"meta":{…,`): the attempt's ids close it.
    public static let openMetaSuffix = Data(",".utf8)

    public func stamped(deliveryID: String, at time: Date) -> Data {
        guard payload.last == UInt8(ascii: ",") else { return payload }
        let millis = Int((time.timeIntervalSince1970 * 1000).rounded())
        return payload + Data(#""deliveryId":"\#(deliveryID)","deliveredAt":\#(millis)}}"#.utf8)
    }
}

/// Smartcar's delivery rules (§2.6): one event per POST, 15 s to answer 2xx, then up to 3 retries 25, 50 and 100 s
/// after the failures; after the fourth failed attempt the event is dropped (and logged), the webhook stays active.
public struct SmartcarWebhookDispatcher: Sendable {
    public static let timeout: Double = 15
    public static let retryDelays: [Double] = [25, 50, 100]
    public static let userAgent = "Carport-Webhooks/1.0 (Smartcar-compatible)"

    private let store: any SmartcarWebhookStore
    private let transport: any WebhookTransport
    private let key: @Sendable (UUID) async throws -> String
    private let leaseSeconds: Double
    private let now: @Sendable () -> Date

    /// `key`: the management token of an application, the HMAC key of its signatures.
    public init(store: any SmartcarWebhookStore, transport: any WebhookTransport, key: @escaping @Sendable (UUID) async throws -> String,
                leaseSeconds: Double = 60, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.transport = transport
        self.key = key
        self.leaseSeconds = max(leaseSeconds, 2 * Self.timeout)
        self.now = now
    }

    /// Attempts every due event this worker can claim, in rounds of `batch` with up to `concurrency` POSTs in
    /// flight, each round settled in one transaction, until nothing due is left; returns how many were delivered.
    @discardableResult
    public func deliverDue(batch: Int = 256, concurrency: Int = 32) async throws -> Int {
        var delivered = 0
        while true {
            let time = now()
            let claimed = try await store.claimDue(at: time, leaseUntil: time.addingTimeInterval(leaseSeconds), limit: batch)
            guard !claimed.isEmpty else { return delivered }
            let outcomes = try await attempt(claimed, concurrency: concurrency)
            try await store.settle(outcomes)
            delivered += outcomes.filter { $0.attempt?.succeeded == true }.count
            if claimed.count < batch { return delivered }
        }
    }

    private func attempt(_ events: [SmartcarQueuedEvent], concurrency: Int) async throws -> [SmartcarDeliveryOutcome] {
        var webhooks: [UUID: SmartcarWebhook] = [:], keys: [UUID: String] = [:]
        for id in Set(events.map(\.webhookID)) {
            guard let webhook = try await store.webhook(id: id), webhook.isLive else { continue }
            webhooks[id] = webhook
            if keys[webhook.applicationID] == nil { keys[webhook.applicationID] = try? await key(webhook.applicationID) }
        }
        return await withTaskGroup(of: SmartcarDeliveryOutcome.self) { group in
            var outcomes: [SmartcarDeliveryOutcome] = [], pending = events[...]
            func start() {
                guard let event = pending.popFirst() else { return }
                // Deleted, disabled or unverified meanwhile: nothing is sent.
                guard let webhook = webhooks[event.webhookID] else {
                    group.addTask { SmartcarDeliveryOutcome(event: event, attempt: nil, retryAt: nil) }
                    return
                }
                let key = keys[webhook.applicationID]
                group.addTask { await self.deliver(event, to: webhook, key: key) }
            }
            for _ in 0..<concurrency { start() }
            for await outcome in group {
                outcomes.append(outcome)
                start()
            }
            return outcomes
        }
    }

    private func deliver(_ event: SmartcarQueuedEvent, to webhook: SmartcarWebhook, key: String?) async -> SmartcarDeliveryOutcome {
        let deliveryID = UUID().uuidString.lowercased(), sentAt = now()
        let body = event.stamped(deliveryID: deliveryID, at: sentAt)
        let url = event.eventType == "VEHICLE_ERROR" ? webhook.errorURL ?? webhook.url : webhook.url
        let started = ContinuousClock.now
        var status: Int?, reason: String?
        if let key {
            do {
                let response = try await transport.post(url: url, body: body, headers: Self.headers(body: body, key: key), timeout: Self.timeout)
                status = response.status
                if !response.isSuccess { reason = "the callback answered HTTP \(response.status)" }
            } catch {
                reason = "no answer from \(url) within \(Int(Self.timeout)) s: \(error)"
            }
        } else {
            reason = "the application's management token is not kept: rotate it (carport apps rotate-management-token)"
        }
        let attempts = event.attempts + 1
        let dropped = reason != nil && attempts > Self.retryDelays.count
        var settled = event
        settled.attempts = attempts
        let attempt = SmartcarDeliveryAttempt(
            webhookID: webhook.id, eventID: event.eventID, eventType: event.eventType, deliveryID: deliveryID, at: sentAt,
            status: status, milliseconds: SmartcarDeliveryAttempt.milliseconds(since: started),
            succeeded: reason == nil, reason: reason.map { dropped ? $0 + "; dropped after \(attempts) attempts" : $0 })
        let retryAt = reason == nil || dropped ? nil : now().addingTimeInterval(Self.retryDelays[attempts - 1])
        return SmartcarDeliveryOutcome(event: settled, attempt: attempt, retryAt: retryAt)
    }

    /// Every Smartcar delivery's headers: `SC-Signature` over the raw body (§2.4).
    public static func headers(body: Data, key: String) -> [(String, String)] {
        [("Content-Type", "application/json"), ("User-Agent", userAgent), ("SC-Signature", SmartcarSignature.hex(of: body, key: key))]
    }
}

extension SmartcarWebhookStore {
    public func subscribedVehicles(webhookID: UUID) async throws -> [UUID] { try await subscribedVehicles(webhookID: webhookID, among: nil) }
}
