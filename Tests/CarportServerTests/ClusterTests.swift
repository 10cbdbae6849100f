import CarportConnectors
import CarportCore
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import CarportServer

/// What makes several nodes on one database safe: leases for background work, saves that cannot lose another node's
/// change, and cache drops announced to the other nodes.
@Suite struct ClusterTests {
    @Test func aLeaseIsHeldByOneHolderUntilItRunsOutOrIsGivenBack() async throws {
        try await TestCarport.withApp { app in
            let leases = FluentLeaseStore(resolveDatabase: { app.db })
            let now = Date()
            #expect(try await leases.claim("job", holder: "a", until: now.addingTimeInterval(60), now: now))
            #expect(try await !leases.claim("job", holder: "b", until: now.addingTimeInterval(60), now: now), "a second worker never takes a leased row")
            #expect(try await !leases.claim("job", holder: "a", until: now.addingTimeInterval(60), now: now), "nor does the holder twice")
            #expect(try await leases.claim("other", holder: "b", until: now.addingTimeInterval(60), now: now), "leases are per name")
            let later = now.addingTimeInterval(61)
            #expect(try await leases.claim("job", holder: "b", until: later.addingTimeInterval(60), now: later), "an expired lease is taken over")
            try await leases.release("job", holder: "a")
            #expect(try await !leases.claim("job", holder: "c", until: later.addingTimeInterval(60), now: later), "only the holder gives a lease back")
            try await leases.release("job", holder: "b")
            #expect(try await leases.claim("job", holder: "c", until: later.addingTimeInterval(60), now: later))
        }
    }

    @Test func ofManyConcurrentClaimsOnNodesOnOneDatabaseExactlyOneWins() async throws {
        try await TestCarport.withRestarts { start in
            let nodes = [try await start(), try await start()]
            let now = Date()
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    let node = nodes[index % 2]
                    group.addTask {
                        try await FluentLeaseStore(resolveDatabase: { node.db })
                            .claim("contended", holder: "worker-\(index)", until: now.addingTimeInterval(60), now: now)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            for node in nodes { try await node.asyncShutdown() }
        }
    }

    @Test func withLeaseWaitsForAnotherHolderAndGivesUpWhenItStaysHeld() async throws {
        try await TestCarport.withApp { app in
            let leases = FluentLeaseStore(resolveDatabase: { app.db })
            #expect(try await leases.claim("scan", holder: "dead-node", until: Date().addingTimeInterval(0.5), now: Date()))
            let ran = try await leases.withLease("scan", duration: 60, wait: 5) { true }
            #expect(ran, "the dead node's lease ran out and was taken over")
            #expect(try await leases.claim("scan", holder: "next", until: Date().addingTimeInterval(60), now: Date()), "withLease gave it back")
            await #expect(throws: LeaseBusy.self) { try await leases.withLease("scan", duration: 60, wait: 0.2) { true } }
        }
    }

    @Test func twoNodesChangingOneSimulatedCarLoseNeitherChange() async throws {
        try await TestCarport.withRestarts { start in
            let nodes = [try await start(), try await start()]
            let applicationID = try #require(UUID(uuidString: try await nodes[0].applicationRegistry.create(
                name: "Sim", redirectURIs: ["https://example.com/cb"]).clientId))
            // Each node has its own in-process locks, as two processes would.
            let simulators = nodes.map { node in SimulatorService(store: FluentSimulatedCarStore(database: node.db), locks: KeyedLocks()) }
            let vin = try await simulators[0].create(applicationID: applicationID, make: "TESLA", model: nil, vin: nil,
                                                     ownerEmail: nil, stateOfCharge: 0.5).record.car.vin
            let start = try #require(try await simulators[0].car(applicationID: applicationID, vin: vin)).odometerKm
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let simulator = simulators[index % 2]
                    group.addTask { _ = try await simulator.update(applicationID: applicationID, vin: vin) { $0.odometerKm += 1 } }
                }
                try await group.waitForAll()
            }
            let odometer = try #require(try await simulators[1].car(applicationID: applicationID, vin: vin)).odometerKm
            #expect(odometer - start >= 20 && odometer - start < 20.5, "every one of the 20 changes is kept")
            for node in nodes { try await node.asyncShutdown() }
        }
    }

    @Test func aChargeActionEndsOnce() async throws {
        try await TestCarport.withApp { app in
            let applicationID = try #require(UUID(uuidString: try await app.applicationRegistry.create(
                name: "Actions", redirectURIs: ["https://example.com/cb"]).clientId))
            let user = ApplicationUserModel(applicationID: applicationID, externalID: "user-1")
            try await user.create(on: app.db)
            let store = FluentChargeActionStore(resolveDatabase: { app.db })
            let now = Date()
            let pending = ChargeAction(id: UUID(), applicationID: applicationID, userID: try user.requireID(), targetType: .vehicle,
                                       targetID: UUID(), kind: .start, state: .pending, createdAt: now, updatedAt: now)
            #expect(try await store.save(pending))
            var confirmed = pending, timedOut = pending
            confirmed.end(.confirmed, at: now)
            timedOut.end(.failed, failure: ("NO_RESPONSE", "late"), at: now)
            #expect(try await store.save(confirmed))
            #expect(try await !store.save(timedOut), "a second ending (another node following the same action) is refused")
            #expect(try await store.action(id: pending.id)?.state == .confirmed)
        }
    }

    @Test func cacheDropsReadBackFromTheirText() {
        let id = UUID()
        for drop in [CacheDrop.grants, .everything, .application(id), .vehicle(id), .readings(id, [.charge, .battery])] {
            #expect(CacheDrop(text: drop.text) == drop)
        }
        for bad in ["", "grants x", "vehicle nope", "readings \(id) charge,warp", "application", "flush"] {
            #expect(CacheDrop(text: bad) == nil, "\(bad)")
        }
    }

    @Test(.enabled(if: TestCarport.postgresAdminURL != nil, "several nodes need PostgreSQL"))
    func nodesStartingTogetherOnAFreshDatabaseMigrateItOnce() async throws {
        let directory = try TestCarport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try CarportConfiguration.load(environment: try await TestCarport.testEnvironment(dataDirectory: directory))
        do {
            async let first = CarportServer.makeApplication(configuration: configuration)
            async let second = CarportServer.makeApplication(configuration: configuration)
            async let third = CarportServer.makeApplication(configuration: configuration)
            let nodes = try await [first, second, third]
            let applied = try await (nodes[0].db as! any SQLDatabase)
                .raw("SELECT count(*) AS count, count(DISTINCT name) AS names FROM _fluent_migrations").first()
            let count = try #require(applied).decode(column: "count", as: Int.self)
            #expect(count > 0)
            #expect(try #require(applied).decode(column: "names", as: Int.self) == count, "a migration ran twice")
            for node in nodes { try await node.asyncShutdown() }
        }
    }

    @Test(.enabled(if: TestCarport.postgresAdminURL != nil, "several nodes need PostgreSQL"))
    func aTokenRevokedOnOneNodeIsRefusedOnTheOtherWithinASecond() async throws {
        try await TestCarport.withRestarts { start in
            let first = try await start(), second = try await start()
            let listening = AsyncStream.makeStream(of: Void.self)
            let listener = Task { await second.carport.listenToPeers(onListening: { listening.continuation.yield() }) }
            for await _ in listening.stream { break }
            let session = try await SmartcarSession.connect(first)
            let onSecond = SmartcarSession(app: second, client: session.client, token: session.token, vehicleID: session.vehicleID)
            #expect(try await onSecond.call(.GET, "/v2.0/vehicles/{id}/battery").0 == .ok, "the second node now caches the grant")
            let (status, _, _) = try await session.client.tokenRequest(first, [("token", session.token)], path: "/oauth/revoke")
            #expect(status == .ok)
            let revokedAt = Date()
            var refused = false
            while Date().timeIntervalSince(revokedAt) < 1 {
                if try await onSecond.call(.GET, "/v2.0/vehicles/{id}/battery").0 == .unauthorized { refused = true; break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(refused, "the second node still accepted the revoked token a second later (its cache TTL is 5 s)")
            listener.cancel()
            await listener.value
            try await first.asyncShutdown()
            try await second.asyncShutdown()
        }
    }
}
