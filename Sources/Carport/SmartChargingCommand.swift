import ArgumentParser
import CarportConnectors
import CarportCore
import Foundation

struct SmartChargingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smart-charging", abstract: "Study smart charging on a simulated fleet.", subcommands: [Study.self])

    struct Study: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the planner and control loop against simulated cars on a virtual clock and compare the cost with charging at once and with the offline optimum.")
        @Option(help: "Simulated cars.") var vehicles = 100
        @Option(help: "Days; each car comes home every evening and leaves every morning.") var days = 7
        @Option(help: "A start,price CSV file (default: the CARPORT_TARIFF day, repeated from today).") var tariff: String?
        @Option(help: "Seed of the fleet's arrivals, departures and charge levels.") var seed: UInt64 = 1
        @Option(help: "Cars in the timed planning pass.") var passVehicles = 10_000
        @Option(help: "Planned charging time per needed time (1.05: five per cent more).") var margin = ChargingPlanner().margin
        @Option(help: "Seconds of charging planned on top.") var extraSeconds = ChargingPlanner().extraSeconds
        @Option(help: "Most charging windows per plan (each costs a START and a STOP; 0: no limit).") var maxWindows = 2
        @Option(help: "Write an SVG of the first car's first plan against the prices.") var plot: String?
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard (1...100_000).contains(vehicles) else { throw ValidationError("--vehicles must be 1-100000") }
            guard (1...366).contains(days) else { throw ValidationError("--days must be 1-366") }
            guard (1...2).contains(margin), (0...3600).contains(extraSeconds) else {
                throw ValidationError("--margin must be 1-2 and --extra-seconds 0-3600")
            }
            guard (0...96).contains(maxWindows) else { throw ValidationError("--max-windows must be 0-96") }
            guard (0...1_000_000).contains(passVehicles) else { throw ValidationError("--pass-vehicles must be 0-1000000") }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let daily: Tariff
            do {
                daily = try Tariff.parse(environment["CARPORT_TARIFF"], currency: environment["CARPORT_TARIFF_CURRENCY"])
            } catch { throw CommandFailure(description: "CARPORT_TARIFF: \(error.description)") }
            var prices = PriceSeries(daily: daily)
            if let tariff {
                guard let text = try? String(contentsOfFile: tariff, encoding: .utf8) else {
                    throw CommandFailure(description: "cannot read \(tariff)")
                }
                do { prices = try PriceSeries.parseCSV(text, currency: nil, daily: daily) } catch {
                    throw CommandFailure(description: "\(tariff): \(error.description)")
                }
            }
            var options = SmartChargingStudy.Options()
            options.vehicles = vehicles
            options.days = days
            options.seed = seed
            options.passVehicles = passVehicles
            let planner = ChargingPlanner(margin: margin, extraSeconds: extraSeconds, maxWindows: maxWindows == 0 ? nil : maxWindows)
            let (result, trace) = SmartChargingStudy(options: options, prices: prices, controller: SmartChargingController(planner: planner))
                .run(trace: plot != nil)
            if let plot, let trace {
                do { try StudyPlot.svg(trace, prices: prices).write(toFile: plot, atomically: true, encoding: .utf8) } catch {
                    throw CommandFailure(description: "cannot write \(plot): \(error.localizedDescription)")
                }
            }
            if json { return try AppsCommand.printJSON(result) }
            let feasible = max(1, result.deadlinesFeasible)
            print("""
                \(result.vehicles) cars × \(result.days) days: \(result.sessions) sessions, \(result.energyKWh) kWh
                deadlines met: \(result.deadlinesMet) of \(result.deadlinesFeasible) feasible (\(String(format: "%.1f", Double(result.deadlinesMet) / Double(feasible) * 100)) %)
                cost: smart \(result.smartCost) \(result.currency), at once \(result.immediateCost), offline optimum \(result.optimalCost) (smart/optimum \(String(format: "%.3f", result.smartCost / max(0.001, result.optimalCost))))
                commands per car-day: \(result.commandsPerCarDay)
                control loop CPU: \(result.plannerCPUSeconds) s; one planning pass over \(result.passVehicles) cars: \(result.planningPassCPUSeconds) s CPU
                """)
        }
    }
}
