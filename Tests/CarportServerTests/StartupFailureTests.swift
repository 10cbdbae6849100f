import Foundation
import Testing

/// Each start-up failure prints one plain line on stderr and exits non-zero (the real executable).
@Suite struct StartupFailureTests {
    private func expectOneLineFailure(_ arguments: [String], environment: [String: String], mentioning phrase: String) throws {
        let result = try CarportProcess.run(arguments, environment: environment)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr was: \(result.stderr)")
        #expect(result.stderr.hasPrefix("carport: "))
        #expect(result.stderr.contains(phrase), "stderr was: \(result.stderr)")
    }

    @Test func malformedDatabaseURL() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try expectOneLineFailure(["serve"], environment: [
            "CARPORT_DATA_DIR": directory.path, "DATABASE_URL": "mysql://nobody@localhost/db",
        ], mentioning: "DATABASE_URL is malformed")
        try expectOneLineFailure(["serve"], environment: [
            "CARPORT_DATA_DIR": directory.path, "DATABASE_URL": "postgres://u:p@host:port/db",
        ], mentioning: "DATABASE_URL is malformed")
    }

    @Test func unreachableDatabase() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try await LoopbackPort.free()
        try expectOneLineFailure(["serve"], environment: [
            "CARPORT_DATA_DIR": directory.path, "DATABASE_URL": "postgres://carport:secret@127.0.0.1:\(port)/carport",
        ], mentioning: "cannot reach the database")
    }

    @Test func portAlreadyInUse() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (port, close) = try await LoopbackPort.occupy()
        defer { Task { try await close() } }
        var environment = try await TestCarport.testEnvironment(dataDirectory: directory)
        environment["CARPORT_PORT"] = String(port)
        try expectOneLineFailure(["serve"], environment: environment, mentioning: "address already in use")
    }

    @Test func unwritableDataDirectory() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        try expectOneLineFailure(["serve"], environment: [
            "CARPORT_DATA_DIR": file.appendingPathComponent("data").path,
        ], mentioning: "data directory")
        if getuid() != 0 {
            let readOnly = directory.appendingPathComponent("read-only")
            try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: readOnly.path)
            try expectOneLineFailure(["serve"], environment: ["CARPORT_DATA_DIR": readOnly.path], mentioning: "not writable")
        }
    }

    @Test func badPortSetting() async throws {
        try expectOneLineFailure(["serve"], environment: ["CARPORT_PORT": "eighty"], mentioning: "CARPORT_PORT")
    }
}
