import CarportConnectors
import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The control loop's schedule across a node's death: the command is written down before it is sent, so the node
/// that takes the vehicle over confirms it by reading instead of sending it again, and sends it if it never went out.
@Suite struct SmartChargingLoopTests {
    /// A simulated car plugged in at home with a deadline 8 hours away and prices that make the next hour dear: the
    /// plan says STOP now.
    func carThatShouldWait(_ app: Application) async throws -> (vehicleID: UUID, vin: String, applicationID: UUID, simulator: SimulatorService) {
        let (linked, vin, applicationID, simulator) = try await EnodeClient.linkSimulated(app)
        let (_, _, list) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.userToken)
        let id = try #require((list as? [[String: Any]])?.first?["id"] as? String)
        let car = try #require(try await simulator.car(applicationID: applicationID, vin: vin))
        _ = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken,
                                       json: #"{"name":"Home","latitude":\#(car.latitude),"longitude":\#(car.longitude)}"#)
        _ = try await simulator.control(applicationID: applicationID, vin: vin, .plug)
        let context = Request(application: app, on: app.eventLoopGroup.next())
        let quarter = (Date().timeIntervalSince1970 / 900).rounded(.down) * 900
        var csv = "start,price\n"
        for index in 0..<40 {
            let start = Date(timeIntervalSince1970: quarter + Double(index) * 900)
            csv += "\(UTCTimestamp.iso8601(start, milliseconds: false)),\(index < 8 ? 1.0 : 0.01)\n"
        }
        _ = try await context.tariffs.set(csv: csv, currency: "EUR", location: nil, applicationID: applicationID)
        let deadline = Int((Date().timeIntervalSince1970 + 8 * 3600).truncatingRemainder(dividingBy: 86_400) / 60)
        let (status, _, _) = try await EnodeClient.call(app, .PUT, "/enode/vehicles/\(id)/smart-charging-policy", token: linked.userToken,
                                                        json: #"{"isEnabled":true,"deadline":"\#(SmartChargingPolicy.clock(deadline))"}"#)
        #expect(status == .ok)
        return (try #require(UUID(uuidString: id)), vin, applicationID, simulator)
    }

    /// What a node that died right after writing its STOP left behind: the schedule with the command pending, leased.
    func dieAfterWritingTheCommand(_ app: Application, now: Date) async throws -> SmartChargingSchedule {
        let context = Request(application: app, on: app.eventLoopGroup.next())
        let store = context.smartChargingStore
        let claimed = try #require(try await store.claimDue(holder: "dead-node", at: now, leaseUntil: now.addingTimeInterval(60), limit: 10).first)
        let loop = SmartChargingLoop(request: context)
        let vehicle = try #require(try await context.vehicleStore.vehicle(id: claimed.schedule.vehicleID, applicationID: claimed.applicationID))
        let (prices, revision) = try await context.tariffStore.prices(applicationID: claimed.applicationID, locationID: nil,
                                                                      daily: app.carport.configuration.tariff)
        let policy = try await store.policy(vehicleID: vehicle.id)
        let step = loop.controller.step(claimed.schedule, reading: await loop.observe(vehicle), policy: policy, prices: prices,
                                        inputs: "\(policy.fingerprint)|\(revision)", now: now)
        #expect(step.command == false, "the dear hour: STOP")
        #expect(try await store.save(step.schedule, claimed: claimed.schedule, holder: "dead-node", release: false, now: now))
        return step.schedule
    }

    @Test func aCommandSentBeforeTheCrashIsConfirmedNotSentAgain() async throws {
        try await TestCarport.withApp { app in
            let car = try await carThatShouldWait(app)
            let now = Date()
            let left = try await dieAfterWritingTheCommand(app, now: now)
            // The STOP did reach the car before the node died.
            _ = try await car.simulator.update(applicationID: car.applicationID, vin: car.vin) { $0.chargingEnabled = false }
            app.carport.freshnessCache.invalidate(SignalKind.allCases, of: car.vehicleID)
            let loop = SmartChargingLoop(request: Request(application: app, on: app.eventLoopGroup.next()))
            #expect(try await loop.runDue(now: now.addingTimeInterval(30)) == 0, "the dead node's lease holds for a minute")
            #expect(try await loop.runDue(now: now.addingTimeInterval(61)) == 1)
            let schedule = try #require(try await loop.store.schedule(vehicleID: car.vehicleID))
            #expect(schedule.commands == left.commands, "no second STOP")
            #expect(schedule.state == .executing(.stopped) && schedule.pending == nil && schedule.plan?.stopConfirmedAt != nil)
            #expect(schedule.plan?.id == left.plan?.id, "the plan carries on")
            // The dead node's late write is refused: the vehicle is no longer its.
            #expect(try await loop.store.save(left, claimed: left, holder: "dead-node", release: true) == false)
        }
    }

    @Test func aCommandThatNeverWentOutIsSentByTheNextHolder() async throws {
        try await TestCarport.withApp { app in
            let car = try await carThatShouldWait(app)
            let now = Date()
            let left = try await dieAfterWritingTheCommand(app, now: now)
            let loop = SmartChargingLoop(request: Request(application: app, on: app.eventLoopGroup.next()))
            #expect(try await loop.runDue(now: now.addingTimeInterval(61)) == 1)
            #expect(try await car.simulator.car(applicationID: car.applicationID, vin: car.vin)?.isCharging == true,
                    "within the confirmation time the next holder waits for the first STOP to show")
            #expect(try await loop.store.schedule(vehicleID: car.vehicleID)?.commands == left.commands)
            app.carport.freshnessCache.invalidate(SignalKind.allCases, of: car.vehicleID)
            #expect(try await loop.runDue(now: now.addingTimeInterval(125)) == 1)
            let stopped = try #require(try await car.simulator.car(applicationID: car.applicationID, vin: car.vin))
            #expect(!stopped.isCharging, "sent once the confirmation time ran out: nothing skipped")
            let schedule = try #require(try await loop.store.schedule(vehicleID: car.vehicleID))
            #expect(schedule.commands == left.commands + 1 && schedule.pending?.attempts == 2)
        }
    }
}
