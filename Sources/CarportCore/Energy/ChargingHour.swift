import Foundation

/// The charging a vehicle did in one clock hour (UTC): energy taken, the power it drew, and where it stood.
public struct ChargingHour: Sendable, Codable, Equatable {
    public var hourStart: Date
    /// Where the vehicle was plugged in (nil when the brand does not say).
    public var location: Location?
    public var energyKWh: Double = 0
    public var minKW: Double = .infinity
    public var maxKW: Double = 0
    /// Seconds spent charging, and the power integrated over them (kW·s), for the mean power.
    public var seconds: Double = 0
    public var kilowattSeconds: Double = 0

    public init(hourStart: Date, location: Location? = nil) {
        self.hourStart = hourStart
        self.location = location
    }

    public mutating func add(kWh: Double, kW: Double, seconds: Double) {
        energyKWh += kWh
        minKW = min(minKW, kW)
        maxKW = max(maxKW, kW)
        self.seconds += seconds
        kilowattSeconds += kW * seconds
    }

    public var meanKW: Double { seconds > 0 ? kilowattSeconds / seconds : 0 }
}
