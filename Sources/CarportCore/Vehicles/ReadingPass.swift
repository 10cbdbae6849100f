import Foundation

/// The readings one change pass took, by vehicle: every consumer of the pass (the Enode firehose, Smartcar
/// webhooks) compares the same look at a car, and a pass reads each car at most once, even from a brand whose
/// readings are never cached (the simulator). A pass lives as long as the one scan or note that made it.
public final class ReadingPass: @unchecked Sendable {
    private var taken: [UUID: VehicleReadings] = [:]
    private let lock = NSLock()

    public init() {}

    /// What the pass took of the vehicle, when it covers `signals`.
    func readings(of vehicleID: UUID, covering signals: Set<SignalKind>) -> VehicleReadings? {
        lock.withLock { taken[vehicleID].flatMap { readings in signals.isSubset(of: readings.results.keys) ? readings : nil } }
    }

    func keep(_ readings: VehicleReadings, of vehicleID: UUID) {
        lock.withLock { taken[vehicleID] = readings }
    }
}
