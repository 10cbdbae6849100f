import Crypto
import Foundation

/// Delivers queued events: batches of at most 100, oldest first, each POST signed
/// `X-Enode-Signature: sha1=<hex HMAC-SHA1 of the raw body>` and numbered by `X-Enode-Delivery`; a 2xx within the
/// timeout removes the batch, anything else backs the endpoint off (and after too many failures deactivates it).
public struct WebhookDispatcher: Sendable {
    public static let batchSize = 100
    public static let timeout: Double = 5

    private let store: any WebhookStore
    private let transport: any WebhookTransport
    private let policy: WebhookRetryPolicy
    /// How long a claimed endpoint stays with this worker: more than one delivery's timeout, so a live worker
    /// always records its outcome first; after it, another node takes over a dead node's endpoints.
    private let leaseSeconds: Double
    private let now: @Sendable () -> Date

    public init(store: any WebhookStore, transport: any WebhookTransport, policy: WebhookRetryPolicy,
                leaseSeconds: Double = 60, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.transport = transport
        self.policy = policy
        self.leaseSeconds = max(leaseSeconds, 2 * Self.timeout)
        self.now = now
    }

    /// Sets (or replaces) the application's endpoint: active, with no back-off.
    public func configure(applicationID: UUID, url: String, secret: String) async throws {
        try await store.save(WebhookEndpoint(applicationID: applicationID, url: url, secret: secret, nextAttemptAt: now()))
    }

    /// Queues events for the application, if it has an endpoint (events of applications without one are not kept).
    public func enqueue(_ events: [Data], applicationID: UUID) async throws {
        guard !events.isEmpty, try await store.endpoint(applicationID: applicationID) != nil else { return }
        let time = now()
        try await store.enqueue(events.map { QueuedEvent(applicationID: applicationID, json: $0, createdAt: time) })
    }

    /// One delivery attempt for every due endpoint this worker can claim; returns how many events were delivered.
    @discardableResult
    public func deliverDue() async throws -> Int {
        var delivered = 0
        let time = now()
        for endpoint in try await store.claimDue(at: time, leaseUntil: time.addingTimeInterval(leaseSeconds), limit: 100) {
            delivered += try await deliver(to: endpoint)
        }
        return delivered
    }

    /// Sends the oldest batch of one endpoint and records the outcome.
    private func deliver(to endpoint: WebhookEndpoint) async throws -> Int {
        let events = try await store.queued(applicationID: endpoint.applicationID, limit: Self.batchSize)
        guard !events.isEmpty else {
            try await store.release(applicationID: endpoint.applicationID)
            return 0
        }
        let succeeded = (try? await post(Self.batch(events.map(\.json)), to: endpoint))?.isSuccess ?? false
        var updated = endpoint
        if succeeded {
            try await store.remove(eventIDs: events.map(\.id))
            updated.consecutiveFailures = 0
            updated.lastSuccessAt = now()
            updated.nextAttemptAt = now()
        } else {
            updated.consecutiveFailures += 1
            updated.nextAttemptAt = now().addingTimeInterval(policy.delay(afterFailures: updated.consecutiveFailures))
            updated.isActive = updated.consecutiveFailures < policy.maxFailures
        }
        try await store.recordDelivery(updated)
        return succeeded ? events.count : 0
    }

    /// The outcome of a test call.
    public enum TestOutcome: Sendable, Equatable {
        case noEndpoint
        case delivered(WebhookResponse)
        case failed(WebhookResponse?, reason: String)
    }

    /// Sends one test event now, outside the outbox; success re-activates the endpoint and clears its back-off.
    public func test(applicationID: UUID, event: Data) async throws -> TestOutcome {
        guard var endpoint = try await store.endpoint(applicationID: applicationID) else { return .noEndpoint }
        let response: WebhookResponse
        do {
            response = try await post(Self.batch([event]), to: endpoint)
        } catch {
            return .failed(nil, reason: "No answer from \(endpoint.url) within \(Int(Self.timeout)) s: \(error)")
        }
        guard response.isSuccess else { return .failed(response, reason: "The endpoint answered HTTP \(response.status).") }
        endpoint.isActive = true
        endpoint.consecutiveFailures = 0
        endpoint.nextAttemptAt = now()
        endpoint.lastSuccessAt = now()
        try await store.recordDelivery(endpoint)
        return .delivered(response)
    }

    private func post(_ body: Data, to endpoint: WebhookEndpoint) async throws -> WebhookResponse {
        let headers = [("Content-Type", "application/json"), ("X-Enode-Delivery", UUID().uuidString.lowercased()),
                       ("X-Enode-Signature", Self.signature(of: body, secret: endpoint.secret))]
        return try await transport.post(url: endpoint.url, body: body, headers: headers, timeout: Self.timeout)
    }

    /// `sha1=` + lowercase hex HMAC-SHA1 of the body.
    public static func signature(of body: Data, secret: String) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// A JSON array of the events' objects, bytes as queued.
    static func batch(_ events: [Data]) -> Data {
        var body = Data("[".utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(event)
        }
        body.append(UInt8(ascii: "]"))
        return body
    }
}
