import Foundation
import Testing

/// `carport apps …` against a fresh data directory and database.
@Suite struct AppsCommandTests {
    @Test func createPrintsExactlyOneJSONObjectAndListRotateDeleteWork() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = try await TestCarport.testEnvironment(dataDirectory: directory)

        let created = try CarportProcess.run(
            ["apps", "create", "--name", "Fleet App", "--redirect-uri", "https://example.com/cb",
             "--redirect-uri", "http://localhost:3000/cb", "--json"], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["clientId", "clientSecret", "managementToken", "apiKey", "redirectUris"])
        let clientID = try #require(object["clientId"] as? String)
        #expect(UUID(uuidString: clientID) != nil)
        #expect(object["redirectUris"] as? [String] == ["https://example.com/cb", "http://localhost:3000/cb"])
        for key in ["clientSecret", "managementToken", "apiKey"] {
            #expect(((object[key] as? String)?.count ?? 0) >= 43, "\(key) must carry at least 256 bits")
        }

        let listed = try CarportProcess.run(["apps", "list", "--json"], environment: environment)
        #expect(listed.status == 0)
        let apps = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(apps.map { $0["clientId"] as? String } == [clientID])
        #expect(!listed.stdout.contains(try #require(object["clientSecret"] as? String)))

        let rotated = try CarportProcess.run(["apps", "rotate-secret", clientID], environment: environment)
        #expect(rotated.status == 0)
        #expect(rotated.stdout.hasPrefix("cps_"))
        #expect(rotated.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != object["clientSecret"] as? String)

        let token = try CarportProcess.run(["apps", "rotate-management-token", clientID, "--json"], environment: environment)
        #expect(token.status == 0, "\(token.stderr)")
        let issued = try #require(try JSONSerialization.jsonObject(with: Data(token.stdout.utf8)) as? [String: String])
        #expect(issued["managementToken"]?.hasPrefix("cpm_") == true && issued["managementToken"] != object["managementToken"] as? String)

        #expect(try CarportProcess.run(["apps", "delete", clientID], environment: environment).status == 0)
        let afterDelete = try CarportProcess.run(["apps", "list", "--json"], environment: environment)
        #expect(afterDelete.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func badInputIsAClearErrorNotACrash() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = try await TestCarport.testEnvironment(dataDirectory: directory)

        let noRedirect = try CarportProcess.run(["apps", "create", "--name", "X"], environment: environment)
        #expect(noRedirect.status != 0)
        #expect(noRedirect.stderr.contains("at least one redirect URI is required"))

        let badRedirect = try CarportProcess.run(
            ["apps", "create", "--name", "X", "--redirect-uri", "not a uri"], environment: environment)
        #expect(badRedirect.status != 0)
        #expect(badRedirect.stderr.contains("redirect URI"))

        let unknown = try CarportProcess.run(["apps", "delete", UUID().uuidString], environment: environment)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no application with id"))
    }
}
