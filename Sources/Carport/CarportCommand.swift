import ArgumentParser
import CarportServer
import Foundation
import Logging

@main
enum CarportMain {
    static func main() async {
        _ = runConcurrencyOnEventLoops()  // first, before any task exists; if it does not take, only speed differs
        await CarportCommand.main()
    }
}

struct CarportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carport",
        abstract: "Carport: one API for every car brand.",
        subcommands: [Serve.self, Migrate.self, AppsCommand.self, SimCommand.self, WebhooksCommand.self, ChargersCommand.self,
                      SmartChargingCommand.self, TariffsCommand.self],
        defaultSubcommand: Serve.self)
}

/// Prints a start-up failure as one plain line on stderr and exits non-zero.
func exitOnStartupError<T>(_ body: () async throws(StartupError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        FileHandle.standardError.write(Data("carport: \(error.description)\n".utf8))
        throw ExitCode.failure
    }
}

/// Runs a one-shot command over the configured database, opened by `open` (e.g. `CarportServer.withOCPPChargers`):
/// a start-up problem exits as `serve` would, and a failure the command reports (`Failure`) becomes one plain line.
func runOneShot<Service, Failure: Error & CustomStringConvertible, T: Sendable>(
    _ open: (CarportConfiguration, (Service) async throws -> T) async throws -> T, failing _: Failure.Type,
    _ body: (Service) async throws -> T
) async throws -> T {
    let configuration = try await exitOnStartupError { () async throws(StartupError) in try CarportConfiguration.load() }
    bootstrapLogging(level: .warning)
    do {
        return try await withoutActuallyEscaping(body) { body in try await open(configuration, body) }
    } catch let error as StartupError {
        _ = try await exitOnStartupError { () async throws(StartupError) in throw error }
        throw ExitCode.failure
    } catch let failure as Failure {
        throw CommandFailure(description: failure.description)
    }
}

/// Logs of the server go to stdout; the one-shot commands log to stderr, so their stdout holds only what they print.
func bootstrapLogging(level: Logger.Level, toStandardError: Bool = true) {
    LoggingSystem.bootstrap { label in
        var handler = toStandardError ? StreamLogHandler.standardError(label: label) : StreamLogHandler.standardOutput(label: label)
        handler.logLevel = level
        return handler
    }
}

/// A command that could not do what was asked; printed as one `Error: …` line, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}
