import ArgumentParser
import CarportCore
import CarportServer
import Foundation

struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Manage applications' Smartcar webhooks (verified with the VERIFY challenge before anything is delivered).",
        subcommands: [Create.self, List.self, Verify.self, Enable.self, Disable.self, Delete.self, Deliveries.self])

    /// Runs `body` with the webhook commands; problems become one plain line and a failure exit.
    static func run<T: Sendable>(_ body: (SmartcarWebhookCommands) async throws -> T) async throws -> T {
        try await runOneShot({ try await CarportServer.withSmartcarWebhooks(configuration: $0, $1) },
                             failing: SmartcarWebhookCommands.Failure.self, body)
    }

    static func show(_ webhook: SmartcarWebhookView) {
        let state = [webhook.enabled ? "enabled" : "disabled", webhook.verified ? "verified" : "not verified"].joined(separator: ", ")
        print("\(webhook.id)  \(webhook.name)  \(webhook.kind)  \(webhook.url)  (\(state))")
        if let verification = webhook.verification {
            print(verification.succeeded ? "  VERIFY challenge answered" : "  VERIFY failed: \(verification.reason ?? "")")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a webhook and send it the VERIFY challenge.")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Option(help: "Name shown in events (meta.webhookName).") var name: String
        @Option(help: "Vehicle-data callback URL (https, or http on loopback).") var url: String
        @Option(name: .customLong("error-url"), help: "Callback for VEHICLE_ERROR (default: the data URL).") var errorURL: String?
        @Option(help: "Trigger signal codes, comma-separated (current webhooks).") var triggers: [String] = []
        @Option(help: "Subscribed signal codes, comma-separated (default: the triggers).") var signals: [String] = []
        @Option(help: "A legacy webhook instead: scheduled or event-based.") var legacy: String?
        @Option(help: "How often a scheduled webhook sends: seconds, or 15m, 6h, 1d.") var interval: String?
        @Option(help: "Read endpoints a scheduled webhook sends, comma-separated (e.g. /battery,/charge).") var endpoints: [String] = []
        @Option(help: "Events of an event-based webhook (default: CHARGING_STARTED,CHARGING_STOPPED,CHARGING_COMPLETED).") var events: [String] = []
        @Flag(name: .customLong("all-vehicles"), help: "Subscribe every vehicle of the application.") var allVehicles = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let kinds = ["scheduled": "scheduled", "event-based": "eventBased"]
            guard legacy == nil || kinds[legacy!] != nil else { throw CommandFailure(description: "--legacy must be scheduled or event-based") }
            let kind = legacy.flatMap { kinds[$0] } ?? "current"
            let created = try await WebhooksCommand.run { commands in
                try await commands.create(clientID: clientID, name: name, url: url, errorURL: errorURL, kind: kind, triggers: triggers,
                                          signals: signals, interval: interval, endpoints: endpoints, events: events,
                                          allVehicles: allVehicles)
            }
            if json { return try AppsCommand.printJSON(created) }
            WebhooksCommand.show(created)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhooks (of one application with --app).")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String?
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let webhooks = try await WebhooksCommand.run { try await $0.list(clientID: clientID) }
            if json { return try AppsCommand.printJSON(webhooks) }
            webhooks.forEach(WebhooksCommand.show)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send the VERIFY challenge again; the webhook delivers only while verified.")
        @Argument(help: "Webhook id.") var id: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let webhook = try await WebhooksCommand.run { try await $0.verify(id: id) }
            if json { return try AppsCommand.printJSON(webhook) }
            WebhooksCommand.show(webhook)
            if webhook.verification?.succeeded != true { throw ExitCode.failure }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a webhook.")
        @Argument(help: "Webhook id.") var id: String
        func run() async throws { WebhooksCommand.show(try await WebhooksCommand.run { try await $0.setEnabled(true, id: id) }) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a webhook: nothing is watched or queued for it meanwhile.")
        @Argument(help: "Webhook id.") var id: String
        func run() async throws { WebhooksCommand.show(try await WebhooksCommand.run { try await $0.setEnabled(false, id: id) }) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a webhook, its subscriptions and its log.")
        @Argument(help: "Webhook id.") var id: String
        func run() async throws { try await WebhooksCommand.run { try await $0.delete(id: id) } }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest delivery attempts: time, status, duration, event id.")
        @Argument(help: "Webhook id.") var id: String
        @Option(help: "How many, newest first.") var limit = 20
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let attempts = try await WebhooksCommand.run { try await $0.deliveries(id: id, limit: limit) }
            if json { return try AppsCommand.printJSON(attempts) }
            let format = ISO8601DateFormatter()
            for attempt in attempts {
                print("\(format.string(from: attempt.at))  \(attempt.status.map(String.init) ?? "-")  \(attempt.milliseconds) ms  "
                      + "\(attempt.eventType)  \(attempt.eventId)\(attempt.reason.map { "  \($0)" } ?? "")")
            }
        }
    }
}
