import Foundation
import NIOCore
import NIOPosix

/// Runs the real `carport` executable built next to the test bundle.
struct CarportProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("carport")
    }

    /// Runs a command to completion.
    static func run(_ arguments: [String], environment: [String: String]) throws -> Result {
        let running = try start(arguments, environment: environment)
        running.process.waitUntilExit()
        return Result(status: running.process.terminationStatus, stdout: running.readStdout(), stderr: running.readStderr())
    }

    /// Starts a long-running command (such as `serve`); the caller terminates it.
    static func start(_ arguments: [String], environment: [String: String]) throws -> Running {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CARPORT_") && $0.key != "DATABASE_URL" }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return Running(process: process, stdout: stdout, stderr: stderr)
    }

    final class Running: @unchecked Sendable {
        let process: Process
        let stdout: Pipe
        let stderr: Pipe

        init(process: Process, stdout: Pipe, stderr: Pipe) {
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
        }

        func readStdout() -> String { String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        func readStderr() -> String { String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

        /// Sends SIGTERM and waits for the process to end.
        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }
}

/// Ports on loopback for process tests.
enum LoopbackPort {
    /// Binds 127.0.0.1 on a free port and keeps it bound until `close()`.
    static func occupy() async throws -> (port: Int, close: @Sendable () async throws -> Void) {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 0)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        return (port, { try await channel.close() })
    }

    /// A port that was free a moment ago.
    static func free() async throws -> Int {
        let (port, close) = try await occupy()
        try await close()
        return port
    }
}

import Testing
