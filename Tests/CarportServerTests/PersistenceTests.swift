import CarportCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import CarportServer

@Suite struct PersistenceTests {
    @Test func applicationCacheFindsByAPIKeyUntilRemovedOrExpired() {
        let cache = ApplicationCache(ttl: 5)
        let application = RegisteredApplication(id: UUID(), name: "A", redirectURIs: [], mode: .test, createdAt: Date())
        let now = Date()
        cache.store(application, ApplicationSecretDigests(clientSecret: "c", managementToken: "m", apiKey: "k"), now: now)
        #expect(cache.lookup(apiKeyDigest: "k", now: now)?.id == application.id)
        #expect(cache.lookup(apiKeyDigest: "other", now: now) == nil)
        #expect(cache.lookup(apiKeyDigest: "k", now: now.addingTimeInterval(6)) == nil, "entries expire")
        cache.remove(id: application.id)
        #expect(cache.lookup(apiKeyDigest: "k", now: now) == nil, "a deleted application's key stops working at once")
    }

    @Test func aRefreshTokenPresentedTwiceInOneBatchIsClaimedOnceAndOnlyByItsApplication() async throws {
        try await TestCarport.withApp { app in
            let ownerID = try #require(UUID(uuidString: try await app.applicationRegistry.create(
                name: "Owner", redirectURIs: ["https://example.com/cb"]).clientId))
            let otherID = try #require(UUID(uuidString: try await app.applicationRegistry.create(
                name: "Other", redirectURIs: ["https://example.com/cb"]).clientId))
            let now = Date()
            let token = StoredToken(digest: "d1", kind: .refresh, applicationID: ownerID, grantID: nil,
                                    familyID: UUID(), scope: "s", issuedAt: now, expiresAt: now.addingTimeInterval(60))
            let expired = StoredToken(digest: "d2", kind: .refresh, applicationID: ownerID, grantID: nil,
                                      familyID: UUID(), scope: "s", issuedAt: now, expiresAt: now.addingTimeInterval(-1))
            let sql = try #require(app.db as? any SQLDatabase)
            try await TokenWriteBatches.insert([token, expired], on: sql)
            func rotation(_ digest: String, _ applicationID: UUID) -> TokenWriteBatches.Rotation {
                .init(digest: digest, applicationID: applicationID, at: now, replacements: { _ in [] })
            }
            let claimed = try await TokenWriteBatches.claim(
                [rotation("d1", otherID), rotation("d1", ownerID),
                 rotation("d1", ownerID), rotation("d2", ownerID), rotation("none", ownerID)],
                on: sql)
            #expect(claimed.map { $0?.digest } == [nil, "d1", nil, nil, nil],
                    "another application's claim, the second claim of one token and an expired token all fail")
            let again = try await TokenWriteBatches.claim([rotation("d1", ownerID)], on: sql)
            #expect(again == [nil], "a claimed token stays claimed")
        }
    }

    @Test func noSecretIsStoredInPlaintext() async throws {
        try await TestCarport.withApp { app in
            let credentials = try await app.applicationRegistry.create(
                name: "Secretive", redirectURIs: ["https://example.com/cb"])
            let stored = try await storedText(app)
            #expect(stored.contains(SecretToken.digest(credentials.clientSecret)), "the check must see the stored rows")
            for secret in [credentials.clientSecret, credentials.managementToken, credentials.apiKey] {
                let leaked = stored.contains(String(secret.dropFirst(4)))
                #expect(!leaked)
            }
        }
    }

    @Test func usersBelongToOneApplicationAndGoWithIt() async throws {
        try await TestCarport.withApp { app in
            let credentials = try await app.applicationRegistry.create(name: "A", redirectURIs: ["https://a.example/cb"])
            let applicationID = try #require(UUID(uuidString: credentials.clientId))
            try await ApplicationUserModel(applicationID: applicationID, externalID: "owner-1").create(on: app.db)
            await #expect(throws: (any Error).self) {
                try await ApplicationUserModel(applicationID: applicationID, externalID: "owner-1").create(on: app.db)
            }
            try await app.applicationRegistry.delete(clientID: credentials.clientId)
            #expect(try await ApplicationUserModel.query(on: app.db).count() == 0)
        }
    }

    @Test func encryptionKeyFileIsPrivateAndStable() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try CarportConfiguration.load(environment: ["CARPORT_DATA_DIR": directory.path])
        let first = try DataDirectory.secretBox(configuration: configuration)
        let keyFile = directory.appendingPathComponent(DataDirectory.keyFileName)
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let sealed = try first.seal("oem token")
        let second = try DataDirectory.secretBox(configuration: configuration)
        #expect(try second.openText(sealed) == "oem token")
    }

    @Test func demoApplicationIsCreatedOnlyOnFirstStart() async throws {
        try await TestCarport.withApp { app in
            let banner = try #require(try await DemoApplication.createIfFirstStart(app: app))
            #expect(banner.contains("/oauth/authorize?response_type=code&client_id="))
            #expect(try await DemoApplication.createIfFirstStart(app: app) == nil)
            #expect(try await app.applicationRegistry.list().map(\.mode) == [.test])
        }
    }

    /// Everything the database holds for applications, as text: the SQLite file's bytes or PostgreSQL's rows.
    private func storedText(_ app: Application) async throws -> String {
        switch app.carport.configuration.database {
        case .sqlite(let path):
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            if let wal = try? Data(contentsOf: URL(fileURLWithPath: path + "-wal")) { bytes.append(wal) }
            return String(decoding: bytes.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        case .postgres:
            let rows = try await (app.db as! any SQLDatabase)
                .raw("SELECT row_to_json(a)::text AS row FROM applications a").all()
            return try rows.map { try $0.decode(column: "row", as: String.self) }.joined(separator: "\n")
        }
    }
}
