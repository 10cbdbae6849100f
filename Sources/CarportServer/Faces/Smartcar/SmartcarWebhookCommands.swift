import CarportCore
import Foundation
import Vapor

/// What `carport webhooks …` does, over one application's database: the same service as the management API.
public struct SmartcarWebhookCommands: Sendable {
    /// A problem to print as one line.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let app: Application

    private var service: SmartcarWebhooks { app.smartcarWebhooks(registry: app.applicationRegistry) }
    private var events: SmartcarEvents { SmartcarEvents(request: Request(application: app, logger: app.logger, on: app.eventLoopGroup.next())) }

    /// Creates a webhook of the application and sends it the VERIFY challenge. `interval`: seconds, or a number
    /// followed by m, h or d.
    public func create(clientID: String, name: String, url: String, errorURL: String?, kind: String, triggers: [String],
                       signals: [String], interval: String?, endpoints: [String], events: [String],
                       allVehicles: Bool) async throws -> SmartcarWebhookView {
        try await failing {
            guard let application = try await app.applicationRegistry.find(clientID: clientID) else {
                throw ApplicationRegistry.Failure.unknownApplication(clientID)
            }
            let seconds = try interval.map { text in
                guard let seconds = Self.seconds(text) else {
                    throw SmartcarWebhooks.Failure.invalid("interval \(text) is not a duration such as 3600, 15m, 6h or 1d")
                }
                return seconds
            }
            let split = { (list: [String]) in list.flatMap { $0.split(separator: ",").map(String.init) } }
            let kind = try SmartcarWebhookView.kind(name: kind, triggers: split(triggers), signals: split(signals), interval: seconds,
                                                    endpoints: split(endpoints), events: split(events))
            let (webhook, verification) = try await service.create(applicationID: application.id, SmartcarWebhooks.Definition(
                name: name, url: url, errorURL: errorURL, kind: kind, subscribesAllVehicles: allVehicles))
            return SmartcarWebhookView(webhook, subscribed: [], verification: verification)
        }
    }

    /// The application's webhooks (every application's without a client id).
    public func list(clientID: String?) async throws -> [SmartcarWebhookView] {
        try await failing {
            var applicationID: UUID?
            if let clientID {
                guard let application = try await app.applicationRegistry.find(clientID: clientID) else {
                    throw ApplicationRegistry.Failure.unknownApplication(clientID)
                }
                applicationID = application.id
            }
            return try await service.views(applicationID: applicationID)
        }
    }

    public func verify(id: String) async throws -> SmartcarWebhookView {
        try await failing {
            let before = try await service.webhook(id, applicationID: nil)
            var webhook = before
            let verification = try await service.verify(&webhook)
            await events.wentLive(from: before, to: webhook)
            return SmartcarWebhookView(webhook, subscribed: nil, verification: verification)
        }
    }

    public func setEnabled(_ enabled: Bool, id: String) async throws -> SmartcarWebhookView {
        try await failing {
            let before = try await service.webhook(id, applicationID: nil)
            let webhook = try await service.setEnabled(enabled, id, applicationID: nil)
            await events.wentLive(from: before, to: webhook)
            return SmartcarWebhookView(webhook, subscribed: nil)
        }
    }

    public func delete(id: String) async throws {
        try await failing { try await service.delete(id, applicationID: nil) }
    }

    public func deliveries(id: String, limit: Int) async throws -> [SmartcarDeliveryView] {
        try await failing {
            let webhook = try await service.webhook(id, applicationID: nil)
            return try await service.deliveries(webhook, limit: limit)
        }
    }

    /// `3600`, `15m`, `6h`, `1d` as seconds.
    static func seconds(_ text: String) -> Int? {
        let unit: Int = switch text.last {
        case "m": 60
        case "h": 3600
        case "d": 86_400
        default: 1
        }
        let digits = unit == 1 ? Substring(text) : text.dropLast()
        guard !digits.isEmpty, digits.count <= 7, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
        return value * unit
    }

    private func failing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as SmartcarWebhooks.Failure {
            throw Failure(description: failure.description)
        } catch let failure as ApplicationRegistry.Failure {
            throw Failure(description: failure.description)
        }
    }
}

extension CarportServer {
    /// Runs `body` with the webhook commands over the configured database (for `carport webhooks`).
    public static func withSmartcarWebhooks<T: Sendable>(
        configuration: CarportConfiguration, _ body: (SmartcarWebhookCommands) async throws -> T
    ) async throws -> T {
        try await withApplication(configuration: configuration) { app in try await body(SmartcarWebhookCommands(app: app)) }
    }
}
