import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `carport serve` as a real process: it answers `/health` and prints the demo app once.
@Suite struct ServeProcessTests {
    @Test func firstStartPrintsTheDemoApplicationAndServesHealth() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = try await TestCarport.testEnvironment(dataDirectory: directory)
        let port = try await LoopbackPort.free()
        environment["CARPORT_PORT"] = String(port)

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
