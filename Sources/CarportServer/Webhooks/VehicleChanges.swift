import CarportCore
import Foundation
import Vapor

/// The one change feed behind every face that pushes events: it looks at an application's vehicles and hands what
/// changed to each consumer — the Enode firehose (`EnodeEvents`) and Smartcar webhooks (`SmartcarEvents`). Both
/// read through the vehicle service, so one look costs at most one upstream call per vehicle whatever the
/// consumers: a pass (`ReadingPass`) reads each car once and hands every consumer the same look. Each consumer
/// keeps its own last snapshot and saves it with its events in one transaction.
struct VehicleChanges {
    let request: Request

    /// The worker's periodic pass over every application with a live webhook of either face.
    func scanAll() async throws {
        try await withPass {
            try await request.enodeEvents.scanAll()
            try await request.smartcarEvents.scanAll()
        }
    }

    /// Looks at one vehicle (or all of an application's) right after something changed it — a command through a
    /// face, a simulator control, a watched vehicle's pass. A failure never fails the caller: the pass catches up.
    func note(applicationID: UUID, vehicleID: UUID? = nil) async {
        await withPass { await lookAt(applicationID: applicationID, vehicleID: vehicleID) }
    }

    private func lookAt(applicationID: UUID, vehicleID: UUID?) async {
        do {
            try await request.enodeEvents.scan(applicationID: applicationID, deviceID: vehicleID)
        } catch {
            request.logger.warning("Enode change scan failed: \(error)")
        }
        do {
            try await request.smartcarEvents.scan(applicationID: applicationID, vehicleID: vehicleID)
        } catch {
            request.logger.warning("Smartcar change scan failed: \(error)")
        }
    }

    /// Runs `body` with the request's vehicle service reading for one pass (an enclosing pass is kept).
    private func withPass<T>(_ body: () async throws -> T) async rethrows -> T {
        guard request.storage[ReadingPassKey.self] == nil else { return try await body() }
        request.storage[ReadingPassKey.self] = ReadingPass()
        defer { request.storage[ReadingPassKey.self] = nil }
        return try await body()
    }
}

/// Where a request keeps the change pass it reads for.
struct ReadingPassKey: StorageKey {
    typealias Value = ReadingPass
}

extension Request {
    var vehicleChanges: VehicleChanges { VehicleChanges(request: self) }
}
