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
        subcommands: [Serve.self, Migrate.self, AppsCommand.self, SimCommand.self, WebhooksCommand.self, ChargersCommand.self],
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
