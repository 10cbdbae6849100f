import Foundation

/// An application's firehose webhook (Enode §4): where its events go, the secret that signs them, and how
/// delivery is going. One per application.
public struct WebhookEndpoint: Sendable, Equatable {
    public var applicationID: UUID
    public var url: String
    /// Sealed at rest by the store; the HMAC key of every delivery.
    public var secret: String
    /// False once deliveries kept failing; a successful test call or a new configuration re-activates it.
    public var isActive: Bool
    /// Failed deliveries since the last success (the back-off exponent).
    public var consecutiveFailures: Int
    /// No delivery is tried before this time.
    public var nextAttemptAt: Date
    public var lastSuccessAt: Date?

    public init(applicationID: UUID, url: String, secret: String, isActive: Bool = true, consecutiveFailures: Int = 0,
                nextAttemptAt: Date, lastSuccessAt: Date? = nil) {
        self.applicationID = applicationID
        self.url = url
        self.secret = secret
        self.isActive = isActive
        self.consecutiveFailures = consecutiveFailures
        self.nextAttemptAt = nextAttemptAt
        self.lastSuccessAt = lastSuccessAt
    }
}

/// One event waiting in the outbox: its JSON object exactly as it will be sent.
public struct QueuedEvent: Sendable, Equatable {
    public var id: UUID
    public var applicationID: UUID
    public var json: Data
    public var createdAt: Date

    public init(id: UUID = UUID(), applicationID: UUID, json: Data, createdAt: Date) {
        self.id = id
        self.applicationID = applicationID
        self.json = json
        self.createdAt = createdAt
    }
}

/// Durable storage of endpoints and the outbox: an event stays until a delivery containing it succeeded.
public protocol WebhookStore: Sendable {
    func endpoint(applicationID: UUID) async throws -> WebhookEndpoint?
    func save(_ endpoint: WebhookEndpoint) async throws
    /// Removes the endpoint and its queued events; false when there was none.
    func deleteEndpoint(applicationID: UUID) async throws -> Bool
    /// Every configured endpoint, active or not.
    func endpoints() async throws -> [WebhookEndpoint]
    /// Claims up to `limit` active endpoints with queued events whose next attempt is due and that no worker holds
    /// (or whose holder's lease ran out), leasing them until `leaseUntil`; concurrent claims never return the same
    /// endpoint. Saving an endpoint, or recording a delivery, releases its lease.
    func claimDue(at time: Date, leaseUntil: Date, limit: Int) async throws -> [WebhookEndpoint]
    /// Records how a delivery went (activity, failures, next attempt, last success) and releases the lease, leaving
    /// the URL and secret as they are now (a new configuration saved meanwhile stands).
    func recordDelivery(_ endpoint: WebhookEndpoint) async throws
    /// Gives a claimed endpoint back without a delivery.
    func release(applicationID: UUID) async throws
    func enqueue(_ events: [QueuedEvent]) async throws
    /// The oldest queued events of an application, oldest first.
    func queued(applicationID: UUID, limit: Int) async throws -> [QueuedEvent]
    func remove(eventIDs: [UUID]) async throws
}

/// When to try again: exponential back-off from `base` seconds, capped at `cap`; inactive after `maxFailures`.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var base: Double
    public var cap: Double
    public var maxFailures: Int

    public init(base: Double = 10, cap: Double = 3600, maxFailures: Int = 16) {
        self.base = base
        self.cap = cap
        self.maxFailures = maxFailures
    }

    /// The wait after the `failures`-th failure in a row (1, 2, …).
    public func delay(afterFailures failures: Int) -> Double {
        min(cap, base * Foundation.pow(2, Double(max(0, failures - 1))))
    }
}

/// Sends one POST and reports what came back; throws when no answer arrived in time.
public protocol WebhookTransport: Sendable {
    func post(url: String, body: Data, headers: [(String, String)], timeout: Double) async throws -> WebhookResponse
}

public struct WebhookResponse: Sendable, Equatable {
    public var status: Int
    public var body: String
    public var headers: [String: String]

    public init(status: Int, body: String, headers: [String: String]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}
