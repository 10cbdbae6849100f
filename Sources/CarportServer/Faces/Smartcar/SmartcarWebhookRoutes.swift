import CarportCore
import Foundation
import Vapor

/// Smartcar webhooks over HTTP: a vehicle's subscription (`/vehicles/{id}/webhooks/{webhookId}`, §2.2) and the
/// application's webhook definitions under the management API (`Basic base64("default:" + AMT)`).
struct SmartcarWebhookRoutes {
    func register(vehicle: any RoutesBuilder, api: any RoutesBuilder) {
        vehicle.post("webhooks", ":webhookID", use: subscribe)
        vehicle.delete("webhooks", ":webhookID", use: unsubscribe)
        let webhooks = api.grouped("management", "webhooks")
        webhooks.get(use: list)
        webhooks.post(use: create)
        webhooks.get(":webhookID", use: show)
        webhooks.delete(":webhookID", use: delete)
        webhooks.post(":webhookID", "verify", use: verify)
        webhooks.post(":webhookID", "enable", use: enable(true))
        webhooks.post(":webhookID", "disable", use: enable(false))
        webhooks.get(":webhookID", "deliveries", use: deliveries)
    }

    /// `POST /vehicles/{id}/webhooks/{webhookId}` with the user's token → `{"webhookId","vehicleId"}`.
    @Sendable func subscribe(request: Request) async throws -> Response {
        let grant = try await request.smartcarGrant()
        let vehicle = try await request.smartcarVehicle(grant: grant, service: request.vehicleService)
        let webhook = try await request.smartcarWebhooks.subscribe(
            vehicleID: vehicle.id, webhookID: request.parameters.get("webhookID") ?? "", applicationID: grant.applicationID)
        await request.smartcarEvents.firstDelivery(webhook, vehicleID: vehicle.id)
        return try SmartcarResponse.json(.object([("webhookId", .string(webhook.id.uuidString.lowercased())),
                                                  ("vehicleId", .string(vehicle.id.uuidString.lowercased()))]))
    }

    /// `DELETE /vehicles/{id}/webhooks/{webhookId}` with `Authorization: Bearer <management token>` → `{"status":"success"}`.
    @Sendable func unsubscribe(request: Request) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token,
              let application = try await request.applicationRegistry.authenticate(managementToken: token)
        else { throw CarportError.authentication }
        guard let id = request.parameters.get("vehicleID").flatMap(UUID.init(uuidString:)),
              try await request.connectionStore.vehicle(id: id, applicationID: application.id) != nil
        else { throw CarportError.validation("Invalid vehicle id.", field: "vehicle_id") }
        try await request.smartcarWebhooks.unsubscribe(vehicleID: id, webhookID: request.parameters.get("webhookID") ?? "",
                                                       applicationID: application.id)
        return try SmartcarResponse.json(.object([("status", "success")]))
    }

    @Sendable func list(request: Request) async throws -> Response {
        let application = try await SmartcarManagement.authenticate(request)
        return try Self.json(["webhooks": try await request.smartcarWebhooks.views(applicationID: application.id)])
    }

    /// `POST /management/webhooks` → 201 with the webhook and how its VERIFY challenge went.
    @Sendable func create(request: Request) async throws -> Response {
        let application = try await SmartcarManagement.authenticate(request)
        let definition = try Self.definition(try request.smartcarJSONObject())
        let (webhook, verification) = try await Self.answering { try await request.smartcarWebhooks.create(applicationID: application.id, definition) }
        return try Self.json(SmartcarWebhookView(webhook, subscribed: [], verification: verification), status: .created)
    }

    @Sendable func show(request: Request) async throws -> Response {
        return try Self.json(try await request.smartcarWebhooks.view(try await Self.webhook(request)))
    }

    @Sendable func delete(request: Request) async throws -> Response {
        let webhook = try await Self.webhook(request)
        try await request.smartcarWebhooks.delete(webhook.id.uuidString, applicationID: webhook.applicationID)
        return try SmartcarResponse.json(.object([("status", "success")]))
    }

    @Sendable func verify(request: Request) async throws -> Response {
        let before = try await Self.webhook(request)
        var webhook = before
        let verification = try await Self.answering { try await request.smartcarWebhooks.verify(&webhook) }
        await request.smartcarEvents.wentLive(from: before, to: webhook)
        return try Self.json(SmartcarWebhookView(webhook, subscribed: nil, verification: verification))
    }

    func enable(_ enabled: Bool) -> @Sendable (Request) async throws -> Response {
        { request in
            let webhook = try await Self.webhook(request)
            let changed = try await request.smartcarWebhooks.setEnabled(enabled, webhook.id.uuidString, applicationID: webhook.applicationID)
            await request.smartcarEvents.wentLive(from: webhook, to: changed)
            return try Self.json(SmartcarWebhookView(changed, subscribed: nil))
        }
    }

    /// The latest delivery attempts, newest first (`limit` 1-100, default 20).
    @Sendable func deliveries(request: Request) async throws -> Response {
        let webhook = try await Self.webhook(request)
        let limit = try SmartcarResponse.integer(request, "limit", default: 20, range: 1...100)
        return try Self.json(["deliveries": try await request.smartcarWebhooks.deliveries(webhook, limit: limit)])
    }

    /// The application's webhook named in the path; another application's is answered as a missing one.
    private static func webhook(_ request: Request) async throws -> SmartcarWebhook {
        let application = try await SmartcarManagement.authenticate(request)
        let id = request.parameters.get("webhookID") ?? ""
        return try await answering { try await request.smartcarWebhooks.webhook(id, applicationID: application.id) }
    }

    /// The service's failures as the face's errors: an unknown webhook is RESOURCE_NOT_FOUND, a bad definition
    /// VALIDATION, an application whose management token is not kept a clear VALIDATION too.
    private static func answering<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch SmartcarWebhooks.Failure.unknownWebhook {
            throw CarportError(.resourceNotFound, "PATH", "No webhook with this id.")
        } catch SmartcarWebhooks.Failure.invalid(let reason) {
            throw CarportError.validation(reason + ".", field: "body")
        } catch let failure as ApplicationRegistry.Failure {
            throw CarportError.validation(failure.description + ".", field: "management_token")
        }
    }

    /// A definition from a JSON body: `{name, url, errorUrl?, kind: current|scheduled|eventBased, triggers?,
    /// signals?, interval? (seconds), endpoints?, events?, allVehicles?}`.
    static func definition(_ body: [String: Any]) throws -> SmartcarWebhooks.Definition {
        func text(_ key: String) throws -> String? {
            guard let value = body[key], !(value is NSNull) else { return nil }
            guard let text = value as? String else { throw CarportError.validation("\(key) must be a string.", field: key) }
            return text
        }
        func list(_ key: String) throws -> [String] {
            guard let value = body[key], !(value is NSNull) else { return [] }
            guard let items = value as? [Any], let strings = items as? [String] else {
                throw CarportError.validation("\(key) must be a list of strings.", field: key)
            }
            return strings
        }
        guard let name = try text("name") else { throw CarportError.validation("name is required.", field: "name") }
        guard let url = try text("url") else { throw CarportError.validation("url is required.", field: "url") }
        let allVehicles = body["allVehicles"].flatMap { $0 is NSNull ? nil : $0 }
        guard allVehicles == nil || jsonBool(allVehicles) != nil else {
            throw CarportError.validation("allVehicles must be true or false.", field: "allVehicles")
        }
        let kind: SmartcarWebhook.Kind
        do {
            kind = try SmartcarWebhookView.kind(
                name: try text("kind") ?? "current", triggers: try list("triggers"), signals: try list("signals"),
                interval: body["interval"].flatMap { $0 is NSNull ? nil : $0 }.map { value in
                    guard let number = jsonNumber(value), number == number.rounded(), abs(number) < 1e9 else {
                        throw CarportError.validation("interval must be a whole number of seconds.", field: "interval")
                    }
                    return Int(number)
                }, endpoints: try list("endpoints"), events: try list("events"))
        } catch SmartcarWebhooks.Failure.invalid(let reason) {
            throw CarportError.validation(reason + ".", field: "body")
        }
        return SmartcarWebhooks.Definition(name: name, url: url, errorURL: try text("errorUrl"), kind: kind,
                                           subscribesAllVehicles: jsonBool(allVehicles) ?? false)
    }

    private static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let response = Response(status: status, body: .init(data: try encoder.encode(value)))
        response.headers.contentType = .json
        return response
    }
}
