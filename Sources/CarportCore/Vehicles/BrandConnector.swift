import Foundation

/// Typed failures of a brand connector; the platform maps each to a canonical error.
public enum ConnectorError: Error, Sendable, Equatable {
    /// The car sleeps; wake it explicitly.
    case asleep
    /// The brand's rate limit; retry after this many seconds.
    case rateLimited(retryAfter: Int)
    /// The owner must sign in again (e.g. refresh token revoked).
    case loginRequired
    /// Commands need the platform's virtual key on the car; the owner adds it at `pairingURL`.
    case virtualKeyRequired(pairingURL: String?)
    /// The owner withdrew the platform's access at the brand (e.g. in their Tesla account).
    case accessRevoked
    /// The brand failed or answered nonsense.
    case upstream(String)
    /// The car refused because of its state (`CHARGING_PLUG_NOT_CONNECTED`, `IN_MOTION`, …).
    case vehicleState(code: String, description: String)
    /// The car cannot do this.
    case notCapable(String)
    /// A ready-made canonical error (test-mode scenarios).
    case canonical(CarportError)
}

/// What one vehicle can do; anything else is answered `COMPATIBILITY`.
public struct VehicleCapabilities: Sendable, Equatable {
    public var signals: Set<SignalKind>
    public var commands: Set<VehicleCommand.Kind>

    public init(signals: Set<SignalKind>, commands: Set<VehicleCommand.Kind>) {
        self.signals = signals
        self.commands = commands
    }
}

/// What one upstream call returned: every signal it carried (possibly more than asked for), and why signals that
/// were asked for are missing.
public struct VehicleSnapshot: Sendable, Equatable {
    public var readings: [SignalKind: SignalReading]
    public var failures: [SignalKind: ConnectorError]

    public init(readings: [SignalKind: SignalReading] = [:], failures: [SignalKind: ConnectorError] = [:]) {
        self.readings = readings
        self.failures = failures
    }
}

/// A brand family's integration: capabilities per vehicle, reads and commands.
public protocol BrandConnector: Sendable {
    func capabilities(of vehicle: ConnectedVehicle) async -> VehicleCapabilities
    /// Reads `signals` in one upstream call. A signal the call could not give (a scope the owner did not grant…) is
    /// in `failures`; an error of the whole call (asleep, rate limited, login required…) is thrown.
    func snapshot(_ signals: Set<SignalKind>, of vehicle: ConnectedVehicle) async throws(ConnectorError) -> VehicleSnapshot
    func perform(_ command: VehicleCommand, on vehicle: ConnectedVehicle) async throws(ConnectorError)
    /// The longest a reading may be cached for this connector (nil: the platform's max age).
    var maxAge: Double? { get }
    /// The energy the vehicle took per hour, oldest first, where the brand records it.
    func chargingHistory(of vehicle: ConnectedVehicle) async throws(ConnectorError) -> [ChargingHour]
}

extension BrandConnector {
    public var maxAge: Double? { nil }

    public func chargingHistory(of vehicle: ConnectedVehicle) async throws(ConnectorError) -> [ChargingHour] {
        throw .notCapable("reporting charging history")
    }
}

extension ConnectorError {
    /// The canonical error this connector failure becomes.
    public var canonical: CarportError {
        switch self {
        case .asleep:
            CarportError.vehicleState("ASLEEP", "The vehicle is asleep. Wake it up and try again.")
        case .rateLimited(let seconds):
            CarportError(.upstream, "RATE_LIMIT", "The vehicle's brand is limiting requests. Try again later.", retryAfter: seconds)
        case .loginRequired:
            CarportError(.connectedServicesAccount, "AUTHENTICATION_FAILED",
                         "The owner must sign in to their connected-services account again.")
        case .virtualKeyRequired(let url):
            CarportError(.connectedServicesAccount, "VIRTUAL_KEY_REQUIRED",
                         "The vehicle needs the platform's virtual key before it accepts commands. The owner adds it by opening the resolution URL.",
                         resolutionURL: url)
        case .accessRevoked:
            CarportError(.connectedServicesAccount, "PERMISSION",
                         "The owner withdrew this platform's access in their connected-services account.")
        case .upstream(let message):
            CarportError(.upstream, "UNKNOWN_ISSUE", "The vehicle's brand returned an error: \(message)")
        case .vehicleState(let code, let description):
            CarportError.vehicleState(code, description)
        case .notCapable(let what):
            CarportError.notCapable(what)
        case .canonical(let error):
            error
        }
    }
}
