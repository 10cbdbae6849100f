import ArgumentParser
import CarportServer
import Foundation

struct ChargersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chargers",
        abstract: "Register chargers that connect to Carport over OCPP 1.6J or 2.0.1 (ws[s]://<public URL>/ocpp/<charge point id>).",
        subcommands: [Add.self, Import.self, List.self, Remove.self, RotatePassword.self, Reset.self, Unlock.self, Trigger.self, Availability.self,
                      GetConfiguration.self, SetConfiguration.self, ClearProfiles.self, StopTransaction.self])

    static func run<T: Sendable>(_ body: (OCPPChargerCommands) async throws -> T) async throws -> T {
        try await runOneShot({ try await CarportServer.withOCPPChargers(configuration: $0, $1) },
                             failing: OCPPChargerCommands.Failure.self, body)
    }

    static func show(_ charger: OCPPChargerView) {
        let state = charger.connected ? "connected (\(charger.version ?? "?"))" : "not connected"
        let identity = [charger.vendor, charger.model].compactMap { $0 }.joined(separator: " ")
        print("\(charger.chargePointId)  user \(charger.userId)  \(charger.url)  \(state)\(identity.isEmpty ? "" : "  \(identity)")")
        if let password = charger.password {
            print("  password (shown only this once; the charger sends it with HTTP Basic as \(charger.chargePointId)): \(password)")
        }
        if charger.insecure { print("  insecure: no password (security profile 0, for trusted networks only)") }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a charger for one of an application's users; prints its URL and password once.")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Option(name: .customLong("user"), help: "The application's own id of the owner (as in the Enode face).") var userID: String
        @Option(name: .customLong("id"), help: "The charge point id the charger is configured with.") var chargePointID: String
        @Option(help: "The owner's charging location the charger is at.") var location: String?
        @Flag(help: "No password (security profile 0): only for chargers on a trusted network.") var insecure = false
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let charger = try await ChargersCommand.run { commands in
                try await commands.add(clientID: clientID, userID: userID, chargePointID: chargePointID, locationID: location, insecure: insecure)
            }
            if json { return try AppsCommand.printJSON(charger) }
            ChargersCommand.show(charger)
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register many chargers from a CSV file of userId,chargePointId[,locationId]; prints each URL and password once.")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Option(help: "The CSV file (a userId,chargePointId,locationId header line is allowed).") var file: String
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read \(file)") }
            let chargers = try await ChargersCommand.run { try await $0.importCSV(clientID: clientID, text: text) }
            if json { return try AppsCommand.printJSON(chargers) }
            chargers.forEach(ChargersCommand.show)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an application's OCPP chargers.")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let chargers = try await ChargersCommand.run { try await $0.list(clientID: clientID) }
            if json { return try AppsCommand.printJSON(chargers) }
            chargers.forEach(ChargersCommand.show)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a charger; it can no longer connect.")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Argument(help: "The charge point id.") var chargePointID: String

        func run() async throws {
            try await ChargersCommand.run { try await $0.remove(clientID: clientID, chargePointID: chargePointID) }
            print("Removed charger \(chargePointID).")
        }
    }

    struct RotatePassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-password", abstract: "Give a charger a new password, printed once.")
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Argument(help: "The charge point id.") var chargePointID: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let charger = try await ChargersCommand.run { try await $0.rotatePassword(clientID: clientID, chargePointID: chargePointID) }
            if json { return try AppsCommand.printJSON(charger) }
            ChargersCommand.show(charger)
        }
    }

    /// The charger an operator's call goes to.
    struct Target: ParsableArguments {
        @Option(name: .customLong("app"), help: "Client id of the application.") var clientID: String
        @Argument(help: "The charge point id.") var chargePointID: String
        @Flag(help: "Print only the charger's answer, as JSON.") var json = false

        /// Sends `call` (through the node holding the charger's socket) and prints the charger's answer.
        func send(_ call: OCPPOperatorCall) async throws {
            let answer = try await ChargersCommand.run { try await $0.send(call, clientID: clientID, chargePointID: chargePointID) }
            print(json ? answer : "\(chargePointID) answered: \(answer)")
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restart a charger (soft: once idle; --hard: at once).")
        @OptionGroup var target: Target
        @Flag(help: "Restart at once, ending a transaction.") var hard = false
        func run() async throws { try await target.send(.reset(hard: hard)) }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release the cable locked in a connector.")
        @OptionGroup var target: Target
        @Option(help: "Connector (1.6) or EVSE (2.0.1) number.") var connector = 1
        func run() async throws { try await target.send(.unlock(connector: connector)) }
    }

    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask a charger to send a message now (StatusNotification, MeterValues, …).")
        @OptionGroup var target: Target
        @Argument(help: "The message, as OCPP names it.") var message: String
        @Option(help: "Connector (1.6) or EVSE (2.0.1) number.") var connector: Int?
        func run() async throws { try await target.send(.trigger(message: message, connector: connector)) }
    }

    struct Availability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a charger (or one connector) operative or inoperative.")
        @OptionGroup var target: Target
        @Argument(help: "operative or inoperative") var availability: String
        @Option(help: "Connector (1.6) or EVSE (2.0.1) number; the whole charger without it.") var connector: Int?
        func validate() throws {
            guard ["operative", "inoperative"].contains(availability) else { throw ValidationError("say operative or inoperative") }
        }
        func run() async throws { try await target.send(.availability(operative: availability == "operative", connector: connector)) }
    }

    struct GetConfiguration: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get-configuration",
                                                        abstract: "Read configuration keys (1.6) or variables (2.0.1, Component.Variable).")
        @OptionGroup var target: Target
        @Argument(help: "Keys to read; every key when none is named (1.6 only).") var keys: [String] = []
        func run() async throws { try await target.send(.getConfiguration(keys: keys)) }
    }

    struct SetConfiguration: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-configuration",
                                                        abstract: "Change a configuration key (1.6) or variable (2.0.1, Component.Variable).")
        @OptionGroup var target: Target
        @Argument var key: String
        @Argument var value: String
        func run() async throws { try await target.send(.setConfiguration(key: key, value: value)) }
    }

    struct ClearProfiles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear-profiles", abstract: "Remove every charging profile the charger holds.")
        @OptionGroup var target: Target
        func run() async throws { try await target.send(.clearChargingProfiles) }
    }

    struct StopTransaction: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop-transaction",
                                                        abstract: "End the charger's current transaction (STOP from the faces only pauses it).")
        @OptionGroup var target: Target
        func run() async throws { try await target.send(.stopCurrentTransaction) }
    }
}
