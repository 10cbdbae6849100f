import ArgumentParser
import CarportConnectors
import CarportCore
import CarportServer
import Foundation

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Create and steer simulated vehicles (simulated mode).",
        subcommands: [Create.self, List.self, Plug.self, Unplug.self, Drive.self, Park.self, Sleep.self, Wake.self,
                      StateOfCharge.self, Clock.self, Fail.self, Recover.self])

    struct Target: ParsableArguments {
        @Option(name: .customLong("app"), help: "Client id of the application (default: the only one).") var clientID: String?
    }

    /// Runs `body` with the simulator of the chosen application; problems become one plain line and a failure exit.
    static func run<T: Sendable>(_ target: Target, _ body: (SimulatorService, RegisteredApplication) async throws -> T) async throws -> T {
        let configuration = try await exitOnStartupError { () async throws(StartupError) in try CarportConfiguration.load() }
        bootstrapLogging(level: .warning)
        do {
            return try await CarportServer.withSimulator(configuration: configuration, clientID: target.clientID, body)
        } catch let error as StartupError {
            _ = try await exitOnStartupError { () async throws(StartupError) in throw error }
            throw ExitCode.failure
        } catch let failure as SimulatorService.Failure {
            throw CommandFailure(description: failure.description)
        } catch let failure as ApplicationRegistry.Failure {
            throw CommandFailure(description: failure.description)
        }
    }

    static func show(_ car: SimulatedCar) throws {
        let state = SimulatedCarState(car)
        print(String(format: "%@  SoC %.1f%% (limit %.0f%%)  %@%@  odometer %.1f km  %@%@  clock ×%g",
                     car.vin, state.stateOfCharge * 100, state.chargeLimit * 100,
                     state.isPluggedIn ? "plugged in, " : "", state.chargingState.lowercased().replacingOccurrences(of: "_", with: " "),
                     state.odometerKm, state.speedKmh > 0 ? "driving \(state.speedKmh) km/h" : "parked",
                     state.isAsleep ? ", asleep" : "", state.clockSpeed))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a simulated vehicle and print its sign-in credentials once.")
        @OptionGroup var target: Target
        @Option(help: "Make, e.g. TESLA.") var make: String
        @Option(help: "Model, e.g. \"Model 3\" (default: the make's first).") var model: String?
        @Option(help: "VIN (default: a random SIM… VIN).") var vin: String?
        @Option(help: "Owner e-mail used to sign in in Connect.") var email: String?
        @Option(name: .customLong("soc"), help: "Initial state of charge, 0-1.") var stateOfCharge: Double?
        @Option(help: "The owner's password (12 characters or more; default: a random one), so that an owner's cars share it.")
        var password: String?
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let created = try await SimCommand.run(target) { simulator, application in
                try await simulator.create(applicationID: application.id, make: make, model: model, vin: vin,
                                           ownerEmail: email, stateOfCharge: stateOfCharge, password: password)
            }
            if json { return try AppsCommand.printJSON(SimulatedVehicleView(created.record, password: created.password)) }
            let car = created.record.car
            print("""
            Simulated \(car.model.year) \(car.model.make) \(car.model.name) created, VIN \(car.vin).
            Sign in to it in Connect with mode=simulated (the password is shown only this once):
              e-mail:   \(created.record.ownerEmail)
              password: \(created.password)
            """)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List simulated vehicles and their state.")
        @OptionGroup var target: Target
        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let records = try await SimCommand.run(target) { simulator, application in try await simulator.list(applicationID: application.id) }
            if json { return try AppsCommand.printJSON(records.map { SimulatedVehicleView($0) }) }
            if records.isEmpty { return print("No simulated vehicles.") }
            for record in records { try SimCommand.show(record.car) }
        }
    }

    /// A subcommand that applies one control to one car and prints its new state.
    protocol ControlCommand: AsyncParsableCommand {
        var target: Target { get }
        var vin: String { get }
        func control() throws -> SimulatedCar.Control
    }

    struct Plug: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Plug the car in (it charges up to its limit).")
        @OptionGroup var target: Target
        @Argument var vin: String
        func control() -> SimulatedCar.Control { .plug }
    }

    struct Unplug: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Unplug the car.")
        @OptionGroup var target: Target
        @Argument var vin: String
        func control() -> SimulatedCar.Control { .unplug }
    }

    struct Drive: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Start a trip.")
        @OptionGroup var target: Target
        @Argument var vin: String
        @Option(help: "Speed, km/h.") var speed: Double = 50
        @Option(help: "Heading, degrees from north.") var heading: Double = 0
        func control() -> SimulatedCar.Control { .startTrip(speedKmh: speed, headingDegrees: heading) }
    }

    struct Park: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "End the trip.")
        @OptionGroup var target: Target
        @Argument var vin: String
        func control() -> SimulatedCar.Control { .stopTrip }
    }

    struct Sleep: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Put the car to sleep (reads and commands answer ASLEEP).")
        @OptionGroup var target: Target
        @Argument var vin: String
        func control() -> SimulatedCar.Control { .sleep }
    }

    struct Wake: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Wake the car up.")
        @OptionGroup var target: Target
        @Argument var vin: String
        func control() -> SimulatedCar.Control { .wake }
    }

    struct StateOfCharge: ControlCommand {
        static let configuration = CommandConfiguration(commandName: "soc", abstract: "Set the state of charge (0-1).")
        @OptionGroup var target: Target
        @Argument var vin: String
        @Argument var value: Double
        func control() -> SimulatedCar.Control { .setStateOfCharge(value) }
    }

    struct Clock: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "Set the simulation clock speed (simulated seconds per second).")
        @OptionGroup var target: Target
        @Argument var vin: String
        @Argument var speed: Double
        func control() -> SimulatedCar.Control { .setClockSpeed(speed) }
    }
}

extension SimCommand {
    struct Fail: ControlCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the car's brand fail: every read and command answers with the error until `recover`.")
        @OptionGroup var target: Target
        @Argument var vin: String
        @Option(help: "BRAND_UNAVAILABLE (UPSTREAM), LOGIN_REQUIRED or ACCESS_REVOKED.") var error: SimulatedCar.Fault = .brandUnavailable
        func control() -> SimulatedCar.Control { .fail(error) }
    }

    struct Recover: ControlCommand {
        static let configuration = CommandConfiguration(abstract: "End the failure `fail` started.")
        @OptionGroup var target: Target
        @Argument var vin: String
        func control() -> SimulatedCar.Control { .recover }
    }
}

extension SimulatedCar.Fault: ExpressibleByArgument {}

extension SimCommand.ControlCommand {
    func run() async throws {
        let control = try control()
        let car = try await SimCommand.run(target) { simulator, application in
            try await simulator.control(applicationID: application.id, vin: vin, control)
        }
        try SimCommand.show(car)
    }
}
