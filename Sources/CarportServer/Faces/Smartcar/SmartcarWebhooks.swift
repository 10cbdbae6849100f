import CarportCore
import Crypto
import Foundation
import Vapor

/// An application's Smartcar webhooks (smartcar-webhooks-v3.md §2): defining them — one set of rules for
/// `carport webhooks` and the management API —, the VERIFY challenge, and the vehicles subscribed to each.
struct SmartcarWebhooks: Sendable {
    static let timeout = SmartcarWebhookDispatcher.timeout

    let store: any SmartcarWebhookStore
    let registry: ApplicationRegistry
    let transport: any WebhookTransport
    let allowPrivateNetworks: Bool
    var now: @Sendable () -> Date = Date.init

    enum Failure: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        case unknownWebhook(String)

        var description: String {
            switch self {
            case .invalid(let reason): reason
            case .unknownWebhook(let id): "no webhook with id \(id)"
            }
        }
    }

    /// What is chosen when a webhook is created or changed.
    struct Definition: Sendable {
        var name: String
        var url: String
        var errorURL: String?
        var kind: SmartcarWebhook.Kind
        var subscribesAllVehicles: Bool
    }

    /// How the last VERIFY challenge went.
    struct Verification: Sendable, Equatable {
        var succeeded: Bool
        var status: Int?
        var reason: String?
    }

    /// Saves a new webhook and sends it the challenge; it delivers only once that succeeded.
    func create(applicationID: UUID, _ definition: Definition) async throws -> (SmartcarWebhook, Verification) {
        try await validate(definition)
        _ = try await registry.managementTokenKey(applicationID: applicationID)  // the signing key must exist first
        var webhook = SmartcarWebhook(applicationID: applicationID, name: definition.name, url: definition.url,
                                      errorURL: definition.errorURL, kind: definition.kind,
                                      subscribesAllVehicles: definition.subscribesAllVehicles, createdAt: now())
        try await store.save(webhook)
        let verification = try await verify(&webhook)
        return (webhook, verification)
    }

    /// The webhook, if it is the application's (every application's for the operator, `applicationID` nil).
    func webhook(_ id: String, applicationID: UUID?) async throws -> SmartcarWebhook {
        guard let uuid = UUID(uuidString: id), let webhook = try await store.webhook(id: uuid),
              applicationID == nil || webhook.applicationID == applicationID
        else { throw Failure.unknownWebhook(id) }
        return webhook
    }

    /// The application's webhooks (every application's when nil) as shown, with their subscribed vehicles.
    func views(applicationID: UUID?) async throws -> [SmartcarWebhookView] {
        var views: [SmartcarWebhookView] = []
        for webhook in try await store.webhooks(applicationID: applicationID) { views.append(try await view(webhook)) }
        return views
    }

    func view(_ webhook: SmartcarWebhook) async throws -> SmartcarWebhookView {
        SmartcarWebhookView(webhook, subscribed: try await store.subscribedVehicles(webhookID: webhook.id))
    }

    /// The webhook's latest delivery attempts, newest first.
    func deliveries(_ webhook: SmartcarWebhook, limit: Int) async throws -> [SmartcarDeliveryView] {
        try await store.deliveries(webhookID: webhook.id, limit: limit).map(SmartcarDeliveryView.init)
    }

    func setEnabled(_ enabled: Bool, _ id: String, applicationID: UUID?) async throws -> SmartcarWebhook {
        var webhook = try await webhook(id, applicationID: applicationID)
        webhook.isEnabled = enabled
        try await store.save(webhook)
        return webhook
    }

    func delete(_ id: String, applicationID: UUID?) async throws {
        let webhook = try await webhook(id, applicationID: applicationID)
        _ = try await store.delete(id: webhook.id)
    }

    /// Sends the VERIFY challenge (4.0 or legacy 2.0 body by kind, signed like every delivery) and records the
    /// outcome: verified when the callback answered 2xx within 15 s with `{"challenge": <lower-case hex
    /// HMAC-SHA256(management token, challenge)>}`, unverified otherwise.
    func verify(_ webhook: inout SmartcarWebhook) async throws -> Verification {
        let key = try await registry.managementTokenKey(applicationID: webhook.applicationID)
        let challenge = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
        let eventID = UUID().uuidString.lowercased(), deliveryID = UUID().uuidString.lowercased()
        let sentAt = now()
        let body = try Self.challengeBody(webhook, challenge: challenge, eventID: eventID, deliveryID: deliveryID, at: sentAt).data()
        let expected = SmartcarSignature.hex(of: challenge, key: key)
        let started = ContinuousClock.now
        var verification = Verification(succeeded: false, status: nil, reason: nil)
        do {
            let response = try await transport.post(url: webhook.url, body: body, headers: SmartcarWebhookDispatcher.headers(body: body, key: key),
                                                    timeout: Self.timeout)
            verification.status = response.status
            if !response.isSuccess {
                verification.reason = "the callback answered HTTP \(response.status)"
            } else if Self.answeredChallenge(response.body) != expected {
                verification.reason = "the callback did not answer {\"challenge\": <lower-case hex HMAC-SHA256 of the challenge, keyed by the management token>}"
            } else {
                verification.succeeded = true
            }
        } catch {
            verification.reason = "no answer from \(webhook.url) within \(Int(Self.timeout)) s: \(error)"
        }
        try await store.record(SmartcarDeliveryAttempt(
            webhookID: webhook.id, eventID: eventID, eventType: "VERIFY", deliveryID: deliveryID, at: sentAt,
            status: verification.status, milliseconds: SmartcarDeliveryAttempt.milliseconds(since: started),
            succeeded: verification.succeeded, reason: verification.reason))
        webhook.verifiedAt = verification.succeeded ? now() : nil
        try await store.save(webhook)
        return verification
    }

    /// Subscribes a vehicle of the application; an unknown webhook (or another application's) is VALIDATION, as
    /// Smartcar answers.
    func subscribe(vehicleID: UUID, webhookID: String, applicationID: UUID) async throws -> SmartcarWebhook {
        let webhook = try await subscribable(webhookID, applicationID: applicationID)
        _ = try await store.subscribe(webhookID: webhook.id, vehicleID: vehicleID, at: now())
        return webhook
    }

    func unsubscribe(vehicleID: UUID, webhookID: String, applicationID: UUID) async throws {
        let webhook = try await subscribable(webhookID, applicationID: applicationID)
        _ = try await store.unsubscribe(webhookID: webhook.id, vehicleID: vehicleID)
    }

    private func subscribable(_ webhookID: String, applicationID: UUID) async throws -> SmartcarWebhook {
        do {
            return try await webhook(webhookID, applicationID: applicationID)
        } catch Failure.unknownWebhook {
            throw CarportError.validation("Invalid webhook id.", field: "webhook_id")
        }
    }

    private func validate(_ definition: Definition) async throws {
        guard (1...100).contains(definition.name.unicodeScalars.count) else { throw Failure.invalid("name must be 1 to 100 characters") }
        for (label, url) in [("url", definition.url), ("error URL", definition.errorURL)] {
            guard let url else { continue }
            do {
                try await WebhookTarget.validate(url, allowPrivateNetworks: allowPrivateNetworks)
            } catch {
                throw Failure.invalid("\(label) \(url): \(error)")
            }
        }
        switch definition.kind {
        case .current(let triggers, let signals):
            guard !triggers.isEmpty, !signals.isEmpty else { throw Failure.invalid("a webhook needs at least one trigger and one signal") }
        case .scheduled(let interval, let endpoints):
            guard (60...31 * 86_400).contains(interval) else { throw Failure.invalid("the interval must be 1 minute to 31 days") }
            let unknown = endpoints.filter { SmartcarReadEndpoint(rawValue: $0) == nil }
            guard !endpoints.isEmpty, unknown.isEmpty else {
                throw Failure.invalid("a scheduled webhook reads one or more of the endpoints "
                    + SmartcarReadEndpoint.allCases.map(\.rawValue).joined(separator: ", ")
                    + (unknown.isEmpty ? "" : "; unknown: \(unknown.joined(separator: ", "))"))
            }
        case .eventBased(let events):
            guard !events.isEmpty else { throw Failure.invalid("an event-based webhook needs at least one event") }
        }
    }

    /// The 4.0 VERIFY event of a current webhook, or the legacy 2.0 one (§2.3).
    static func challengeBody(_ webhook: SmartcarWebhook, challenge: String, eventID: String, deliveryID: String, at time: Date) -> JSONValue {
        let id = JSONValue.string(webhook.id.uuidString.lowercased())
        guard case .current = webhook.kind else {
            return .object([("version", "2.0"), ("webhookId", id), ("eventName", "verify"),
                            ("payload", .object([("challenge", .string(challenge))]))])
        }
        return .object([
            ("eventId", .string(eventID)), ("eventType", "VERIFY"), ("data", .object([("challenge", .string(challenge))])),
            ("meta", .object([("version", "4.0"), ("webhookId", id), ("webhookName", .string(webhook.name)),
                              ("deliveryId", .string(deliveryID)), ("deliveredAt", .int(Int(time.timeIntervalSince1970 * 1000)))])),
        ])
    }

    static func answeredChallenge(_ body: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["challenge"] as? String
    }
}

extension Request {
    var smartcarWebhooks: SmartcarWebhooks { application.smartcarWebhooks(registry: applicationRegistry) }
}

extension Application {
    func smartcarWebhooks(registry: ApplicationRegistry) -> SmartcarWebhooks {
        SmartcarWebhooks(store: FluentSmartcarWebhookStore(resolveDatabase: { [unowned self] in self.db }), registry: registry,
                         transport: HTTPWebhookTransport(allowPrivateNetworks: carport.configuration.webhookPrivateNetworks),
                         allowPrivateNetworks: carport.configuration.webhookPrivateNetworks)
    }
}
