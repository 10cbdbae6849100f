import CarportCore
import Foundation
import Vapor

/// The firehose webhook (client token, enode.md §4.3): set it, remove it, and send it a test event.
struct EnodeWebhookRoutes {
    func register(on enode: any RoutesBuilder) {
        let firehose = enode.grouped("webhooks", "firehose")
        firehose.put(use: configure)
        firehose.delete(use: remove)
        firehose.post("test", use: test)
    }

    /// `PUT /webhooks/firehose {url, secret}` → 204; the webhook is (again) active.
    @Sendable func configure(request: Request) async throws -> Response {
        let applicationID = try await EnodeCaller.client(request)
        let body = try EnodeRoutes.jsonObject(request)
        guard let url = body["url"] as? String else { throw EnodeProblem.validation("\"url\" is required") }
        do {
            try await WebhookTarget.validate(url, allowPrivateNetworks: request.carport.configuration.webhookPrivateNetworks)
        } catch {
            throw EnodeProblem.validation("\"url\": \(error)")
        }
        guard let secret = body["secret"] as? String, (16...256).contains(secret.unicodeScalars.count) else {
            throw EnodeProblem.validation("\"secret\" must be a string of 16 to 256 characters (at least 128 bits of randomness)")
        }
        try await request.webhookDispatcher.configure(applicationID: applicationID, url: url, secret: secret)
        await request.vehicleChanges.note(applicationID: applicationID)
        return Response(status: .noContent)
    }

    /// `DELETE /webhooks/firehose` → 204, and its queued events are dropped; 404 when none is set.
    @Sendable func remove(request: Request) async throws -> Response {
        let applicationID = try await EnodeCaller.client(request)
        guard try await request.webhookStore.deleteEndpoint(applicationID: applicationID) else {
            throw EnodeProblem.notFound("Webhook not found", "No firehose webhook is configured.")
        }
        return Response(status: .noContent)
    }

    /// `POST /webhooks/firehose/test`: sends `enode:webhook:test` now and reports what the endpoint answered; a
    /// success re-activates a webhook that had been marked inactive.
    @Sendable func test(request: Request) async throws -> Response {
        let applicationID = try await EnodeCaller.client(request)
        let event: JSONValue = .object([("event", "enode:webhook:test"), ("createdAt", .string(EnodeTime.format(Date()))),
                                        ("version", "1.3.10")])
        switch try await request.webhookDispatcher.test(applicationID: applicationID, event: try event.data()) {
        case .noEndpoint:
            throw EnodeProblem.notFound("Webhook not found", "No firehose webhook is configured.")
        case .delivered(let response):
            return try Response.json(Self.outcome("SUCCESS", "The webhook answered HTTP \(response.status).", response))
        case .failed(let response, let reason):
            return try Response.json(Self.outcome("FAILURE", reason, response))
        }
    }

    static func outcome(_ status: String, _ description: String, _ response: WebhookResponse?) -> JSONValue {
        .object([("status", .string(status)), ("description", .string(description)),
                 ("response", response.map { response in
                     .object([("code", .int(response.status)), ("body", .string(response.body)),
                              ("headers", .object(response.headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])
                 } ?? .null)])
    }
}
