import Foundation
import Glibc
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `carport serve` as a real process: it answers `/health` and prints the demo app once.
@Suite struct ServeProcessTests {
    @Test func firstStartPrintsTheDemoApplicationAndServesHealth() async throws {
        try await withFreshServer { environment, port in
            let first = try CarportProcess.start([], environment: environment)
            let health = try await waitForHealth(port: port)
            #expect(health.contains("\"status\":\"ok\""))
            first.stop()
            let output = first.readStdout()
            #expect(output.contains("client id:"))
            #expect(output.contains("client secret:    cps_"))
            #expect(output.contains("Connect URL:      http://127.0.0.1:\(port)/oauth/authorize?response_type=code"))
            #expect(output.contains("mode=test"))

            let second = try CarportProcess.start(["serve", "--port", String(port)], environment: environment)
            _ = try await waitForHealth(port: port)
            second.stop()
            #expect(!second.readStdout().contains("client secret:"), "the demo app is created and printed only once")
        }
    }

    @Test func oneShotCommandsPrintOnlyTheirOutputOnAFreshDataDirectory() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = try await TestCarport.testEnvironment(dataDirectory: directory)
        environment["CARPORT_LOG_LEVEL"] = "info"  // the default: migrations must not talk at it
        let created = try CarportProcess.run(["apps", "create", "--name", "Scripted", "--redirect-uri", "https://example.com/cb", "--json"],
                                             environment: environment)
        #expect(created.status == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(created.stdout.utf8))) is [String: Any],
                "a fresh data directory: stdout is the JSON object alone, not \(created.stdout)")
        #expect(!created.stderr.contains("Migrat"), "migrations log at debug: \(created.stderr)")
    }

    @Test func aPipedStdoutShowsTheDemoAppWhileServing() async throws {
        try await withFreshServer { environment, port in
            let server = try CarportProcess.start([], environment: environment)
            defer { server.stop() }
            _ = try await waitForHealth(port: port)
            // Read what the running server has written so far (a pipe, not a terminal), without waiting for it to exit.
            let reader = server.stdout.fileHandleForReading
            var seen = ""
            for _ in 0..<50 where !(seen.contains("listening on") && seen.contains("Connect URL:")) {
                seen += try await Self.available(reader)
            }
            #expect(seen.contains("listening on http://127.0.0.1:\(port)") && seen.contains("Connect URL:"), "\(seen)")
        }
    }

    /// A fresh data directory and a free port for a `carport serve` process.
    private func withFreshServer(_ body: ([String: String], Int) async throws -> Void) async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = try await TestCarport.testEnvironment(dataDirectory: directory)
        let port = try await LoopbackPort.free()
        environment["CARPORT_PORT"] = String(port)
        try await body(environment, port)
    }

    /// What a pipe holds now, waiting at most 100 ms.
    private static func available(_ handle: FileHandle) async throws -> String {
        var poll = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, 100) > 0 else { return "" }
        return String(decoding: handle.availableData, as: UTF8.self)
    }

    private func waitForHealth(port: Int) async throws -> String {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/health"))
        for _ in 0..<100 {
            if let (data, response) = try? await URLSession.shared.data(from: url),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return String(decoding: data, as: UTF8.self)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("server on port \(port) never became healthy")
    }
}
