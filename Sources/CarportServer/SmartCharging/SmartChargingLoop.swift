import CarportCore
import Foundation
import Vapor

/// The smart-charging control loop on a server node: claims due schedules (`FluentSmartChargingStore.claimDue`),
/// reads each vehicle once through the vehicle service, lets `SmartChargingController` decide, and sends START or
/// STOP through the brand's connector. The command is written down before it is sent, so a node that dies between
/// the two leaves a schedule that the next holder confirms by reading instead of sending again.
struct SmartChargingLoop {
    let request: Request
    var controller = SmartChargingController()
    static let leaseSeconds = 60.0

    var store: FluentSmartChargingStore { request.smartChargingStore }

    /// Looks at every due vehicle (up to `limit`); how many it looked at.
    @discardableResult
    func runDue(now: Date = Date(), limit: Int = 50) async throws -> Int {
        let holder = "\(request.carport.nodeID)/\(UUID().uuidString)"
        let claimed = try await store.claimDue(holder: holder, at: now, leaseUntil: now.addingTimeInterval(Self.leaseSeconds), limit: limit)
        for item in claimed { await look(item, holder: holder, now: now) }
        return claimed.count
    }

    func look(_ claimed: FluentSmartChargingStore.Claimed, holder: String, now: Date) async {
        var schedule = claimed.schedule
        do {
            guard let vehicle = try await request.vehicleStore.vehicle(id: schedule.vehicleID, applicationID: claimed.applicationID) else {
                try await store.deleteSchedule(vehicleID: schedule.vehicleID)
                return
            }
            let policy = try await store.policy(vehicleID: vehicle.id)
            let reading = await observe(vehicle)
            let locationID = (try? reading.get())?.locationID
            let (prices, revision) = try await request.tariffStore.prices(applicationID: vehicle.applicationID, locationID: locationID,
                                                                          daily: request.carport.configuration.tariff)
            let before = schedule.state
            var step = controller.step(schedule, reading: reading, policy: policy, prices: prices,
                                       inputs: "\(policy.fingerprint)|\(revision)", now: now)
            if let charge = step.command {
                guard try await store.save(step.schedule, claimed: claimed.schedule, holder: holder, release: false, now: now) else { return }
                do {
                    try await request.vehicleService.performForPlatform(charge ? .startCharge : .stopCharge, on: vehicle)
                } catch {
                    request.logger.info("smart charging: \(charge ? "START" : "STOP") of \(vehicle.id) failed: \(error)")
                    step.schedule = controller.sendFailed(step.schedule, retryAfter: (error as? CarportError)?.retryAfter.map(Double.init), now: now)
                }
                await request.vehicleChanges.note(applicationID: vehicle.applicationID, vehicleID: vehicle.id)
            }
            schedule = step.schedule
            try await store.save(schedule, claimed: claimed.schedule, holder: holder, release: true, now: now)
            if schedule.state != before {
                await request.vehicleChanges.note(applicationID: vehicle.applicationID, vehicleID: vehicle.id)
            }
        } catch {
            request.logger.warning("smart charging of \(schedule.vehicleID) failed: \(error)")
            schedule.dueAt = now.addingTimeInterval(60)
            _ = try? await store.save(schedule, claimed: claimed.schedule, holder: holder, release: true, now: now)
        }
    }

    /// One snapshot of what smart charging needs, and the owner's charging location the car is at.
    func observe(_ vehicle: ConnectedVehicle) async -> Result<ChargingObservation, CarportError> {
        do {
            let readings = try await request.vehicleService.readAuthorized([.battery, .charge, .chargeLimit, .batteryCapacity, .location],
                                                                           of: vehicle, maxAge: 30)
            guard case .battery(let battery) = try readings.reading(.battery).value, case .charge(let charge) = try readings.reading(.charge).value,
                  case .chargeLimit(let limit) = try readings.reading(.chargeLimit).value,
                  case .batteryCapacity(let capacity) = try readings.reading(.batteryCapacity).value
            else { return .failure(CarportError.notCapable("reporting charge")) }
            var locationID: UUID?
            if case .location(let position)? = try? readings.reading(.location).value {
                for connection in try await request.vehicleService.connections(applicationID: vehicle.applicationID, vehicleID: vehicle.id, userID: nil) {
                    let places = try await request.chargingLocationService.list(userID: connection.userID)
                    if let place = ChargingLocation.nearest(places, to: position) { locationID = place.id; break }
                }
            }
            return .success(ChargingObservation(
                isPluggedIn: charge.isPluggedIn, isCharging: charge.state == .charging, stateOfCharge: battery.percentRemaining,
                chargeLimit: limit, capacityKWh: capacity, powerKW: charge.powerKW, ratedPowerKW: Self.ratedPowerKW, locationID: locationID))
        } catch let error as CarportError {
            return .failure(error)
        } catch {
            return .failure(CarportError(.server, "INTERNAL", "\(error)"))
        }
    }

    /// Until the car has been seen charging: a typical home wallbox (11 kW, three-phase 16 A).
    static let ratedPowerKW = 11.0
}

extension Request {
    /// A START or STOP an application sent: while smart charging runs the car, it overrides the plan until the car is
    /// full or unplugged (Enode's and Jedlix's rule).
    func noteManualCharge(_ command: VehicleCommand, on vehicle: ConnectedVehicle) async throws {
        guard command == .startCharge || command == .stopCharge,
              try await smartChargingStore.policy(vehicleID: vehicle.id).isActive else { return }
        try await smartChargingStore.setOverride(command == .startCharge ? .charge : .stop, vehicleID: vehicle.id,
                                                 applicationID: vehicle.applicationID)
    }

    var smartChargingStore: FluentSmartChargingStore { FluentSmartChargingStore(resolveDatabase: { [db] in db }) }
    var tariffStore: FluentTariffStore { FluentTariffStore(resolveDatabase: { [db] in db }) }
    var vehicleStore: FluentVehicleStore { FluentVehicleStore(database: self.db, cache: carport.vehicleCache) }
}
