/// What an application can ask a vehicle to do.
public enum VehicleCommand: Sendable, Equatable {
    case lock, unlock
    case startCharge, stopCharge
    case setChargeLimit(Double)
    case navigate(to: Location)

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case security, charge, chargeLimit, navigation
    }

    public var kind: Kind {
        switch self {
        case .lock, .unlock: .security
        case .startCharge, .stopCharge: .charge
        case .setChargeLimit: .chargeLimit
        case .navigate: .navigation
        }
    }

    public var permission: Permission { Self.permission(of: kind) }

    public static func permission(of kind: Kind) -> Permission {
        switch kind {
        case .security: .controlSecurity
        case .charge, .chargeLimit: .controlCharge
        case .navigation: .controlNavigation
        }
    }

    /// Signals whose cached values a successful command makes stale.
    public var affectedSignals: [SignalKind] {
        switch kind {
        case .security: [.security]
        case .charge: [.charge, .battery]
        case .chargeLimit: [.chargeLimit, .charge]
        case .navigation: []
        }
    }
}
