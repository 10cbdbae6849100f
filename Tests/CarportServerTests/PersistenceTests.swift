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

    @Test func aRotationBatchClaimsEachTokenOnceAndStoresOnlyTheWinnersReplacements() async throws {
        try await TestCarport.withApp { app in
            let ownerID = try #require(UUID(uuidString: try await app.applicationRegistry.create(
                name: "Owner", redirectURIs: ["https://example.com/cb"]).clientId))
            let otherID = try #require(UUID(uuidString: try await app.applicationRegistry.create(
                name: "Other", redirectURIs: ["https://example.com/cb"]).clientId))
            let user = ApplicationUserModel(applicationID: ownerID, externalID: "owner-1")
            try await user.create(on: app.db)
            let now = Date()
            let grant = Grant(applicationID: ownerID, userID: try user.requireID(), vehicleIDs: [], permissions: [],
                              mode: .test, scope: "read_battery", issuesRefreshTokens: true, createdAt: now)
            let store = FluentOAuthStore(database: app.db, batches: app.carport.tokenWrites)
            try await store.insertGrant(grant)
            func refreshToken(_ digest: String, expiresIn: Double) -> StoredToken {
                StoredToken(digest: digest, kind: .refresh, applicationID: ownerID, grantID: grant.id, familyID: UUID(),
                            scope: grant.scope, issuedAt: now, expiresAt: now.addingTimeInterval(expiresIn))
            }
            let live = refreshToken("d1", expiresIn: 60), expired = refreshToken("d2", expiresIn: -1)
            let sql = try #require(app.db as? any SQLDatabase)
            try await TokenWriteBatches.insert([live, expired], on: sql)
            func rotation(_ digest: String, _ applicationID: UUID, _ new: String) -> TokenWriteBatches.Rotation {
                .init(digest: digest, applicationID: applicationID, at: now, replacements: [
                    TokenReplacement(digest: new + "-access", kind: .access, issuedAt: now, expiresAt: now.addingTimeInterval(30)),
                    TokenReplacement(digest: new + "-refresh", kind: .refresh, issuedAt: now, expiresAt: now.addingTimeInterval(90)),
                ])
            }
            let claimed = try await TokenWriteBatches.rotate(
                [rotation("d1", otherID, "other"), rotation("d1", ownerID, "first"), rotation("d1", ownerID, "second"),
                 rotation("d2", ownerID, "expired"), rotation("none", ownerID, "unknown")],
                on: sql)
            #expect(claimed.map { $0?.digest } == [nil, "d1", nil, nil, nil],
                    "another application's claim, the second claim of one token and an expired token all fail")
            #expect(try await store.token(digest: "d1")?.usedAt != nil)
            let winner = try #require(try await store.token(digest: "first-refresh"))
            #expect(winner.applicationID == ownerID && winner.grantID == grant.id && winner.familyID == live.familyID)
            #expect(winner.scope == grant.scope && winner.usedAt == nil && winner.revokedAt == nil)
            #expect(try await store.token(digest: "first-access")?.kind == .access)
            for loser in ["other", "second", "expired", "unknown"] {
                #expect(try await store.token(digest: loser + "-access") == nil, "\(loser)")
                #expect(try await store.token(digest: loser + "-refresh") == nil, "\(loser)")
            }
            let again = try await TokenWriteBatches.rotate([rotation("d1", ownerID, "replay")], on: sql)
            #expect(again == [nil], "a claimed token stays claimed")
            #expect(try await store.token(digest: "replay-refresh") == nil)
        }
    }

    @Test func aGrantWhoseVehiclesCannotBeStoredIsNotKept() async throws {
        try await TestCarport.withApp { app in
            let applicationID = try #require(UUID(uuidString: try await app.applicationRegistry.create(
                name: "Owner", redirectURIs: ["https://example.com/cb"]).clientId))
            let store = FluentOAuthStore(database: app.db, batches: app.carport.tokenWrites)
            let userID = try await FluentConnectionStore(database: app.db).userID(applicationID: applicationID, externalID: "u")
            #expect(try await FluentConnectionStore(database: app.db).userID(applicationID: applicationID, externalID: "u") == userID,
                    "the same external id finds the same user")
            let grant = Grant(applicationID: applicationID, userID: userID, vehicleIDs: [UUID()], permissions: [.readBattery],
                              mode: .test, scope: "read_battery", issuesRefreshTokens: true, createdAt: Date())
            await #expect(throws: (any Error).self) { try await store.insertGrant(grant) }
            #expect(try await store.grant(id: grant.id) == nil, "no grant is left without its vehicles")
        }
    }

    @Test func connectingVehiclesCreatesNewOnesAndKeepsTheIdsOfKnownOnes() async throws {
        try await TestCarport.withApp { app in
            let applicationID = try #require(UUID(uuidString: try await app.applicationRegistry.create(
                name: "Owner", redirectURIs: ["https://example.com/cb"]).clientId))
            let store = FluentConnectionStore(database: app.db)
            let first = VehicleIdentity(vin: "5YJ3E1EA1NF000001", make: "TESLA", model: "Model 3", year: 2022)
            let second = VehicleIdentity(vin: "5YJ3E1EA1NF000002", make: "TESLA", model: "Model Y", year: 2023)
            let created = try await store.vehicles(applicationID: applicationID, mode: .test, accountKey: "old",
                                                   identities: [first, first])
            #expect(created.count == 1, "a VIN listed twice is one vehicle")
            let again = try await store.vehicles(applicationID: applicationID, mode: .test, accountKey: "new",
                                                 identities: [second, first])
            #expect(again.map(\.identity.vin) == [second.vin, first.vin], "in the order asked")
            #expect(again.last?.id == created.first?.id, "a known vehicle keeps its id")
            #expect(again.allSatisfy { $0.accountKey == "new" && $0.mode == .test && $0.applicationID == applicationID })
            let live = try await store.vehicles(applicationID: applicationID, mode: .live, accountKey: "new", identities: [first])
            #expect(live.first?.id != created.first?.id, "another mode is another vehicle")
        }
    }

    @Test func everySQLiteConnectionIsTuned() async throws {
        try await TestCarport.withApp { app in
            guard case .sqlite = app.carport.configuration.database else { return }
            for eventLoop in app.eventLoopGroup.makeIterator() {
                let sql = try #require(app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase)
                func pragma(_ name: String) async throws -> String? {
                    guard let row = try await sql.raw("PRAGMA \(unsafeRaw: name)").first(), let column = row.allColumns.first
                    else { return nil }
                    if let text = try? row.decode(column: column, as: String.self) { return text }
                    return (try? row.decode(column: column, as: Int.self)).map(String.init)
                }
                #expect(try await pragma("journal_mode") == "wal")
                #expect(try await pragma("synchronous") == "1", "NORMAL")
                #expect(try await pragma("busy_timeout") == "5000")
                #expect(try await pragma("wal_autocheckpoint") == "4000")
            }
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
