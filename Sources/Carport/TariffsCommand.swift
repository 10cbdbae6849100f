import ArgumentParser
import CarportServer
import Foundation

struct TariffsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tariffs",
        abstract: "Publish the prices smart charging plans against, per application or per charging location (a start,price CSV).",
        subcommands: [Set.self, Show.self, Clear.self])

    static func run(_ body: (TariffCommands) async throws -> TariffView) async throws -> TariffView {
        try await runOneShot({ try await CarportServer.withTariffs(configuration: $0, $1) }, failing: TariffCommands.Failure.self, body)
    }

    static func show(_ tariff: TariffView, json: Bool) throws {
        if json { return try AppsCommand.printJSON(tariff) }
        let place = tariff.locationId.map { "location \($0)" } ?? "application-wide"
        guard let from = tariff.from, let until = tariff.until else {
            return print("\(place): the daily tariff (CARPORT_TARIFF), \(tariff.currency)")
        }
        print("\(place): \(tariff.slots) price slots in \(tariff.currency) from \(from) until \(until), "
              + "then the daily tariff; revision \(tariff.revision)")
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the prices with a CSV file (header start,price; ISO 8601 starts 15 or 60 minutes apart; price per kWh).")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Option(help: "The CSV file.") var file: String
        @Option(help: "ISO 4217 currency of the prices (default: CARPORT_TARIFF_CURRENCY).") var currency: String?
        @Option(help: "Only for this charging location of one of the application's users.") var location: String?
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read \(file)") }
            try TariffsCommand.show(try await TariffsCommand.run { try await $0.set(clientID: clientID, csv: text, currency: currency, location: location) },
                                    json: json)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the prices in force.")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Option(help: "A charging location (default: application-wide).") var location: String?
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            try TariffsCommand.show(try await TariffsCommand.run { try await $0.show(clientID: clientID, location: location) }, json: json)
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove published prices: back to the daily tariff (a location: to the application's).")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Option(help: "A charging location (default: application-wide).") var location: String?
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            try TariffsCommand.show(try await TariffsCommand.run { try await $0.clear(clientID: clientID, location: location) }, json: json)
        }
    }
}
