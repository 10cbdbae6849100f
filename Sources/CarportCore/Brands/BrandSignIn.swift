import Foundation

/// Why signing in to a brand account failed, in the terms Connect reports back to the application.
public enum BrandSignInError: Error, Equatable, Sendable {
    /// The owner typed something the brand rejects; they may try again.
    case invalidCredentials(String)
    /// The account has no vehicle Carport can use (`no_vehicles`).
    case noVehicles
    /// The account's vehicle cannot be connected (`vehicle_incompatible`).
    case vehicleIncompatible(VehicleIdentity)
    /// The owner's connected-services subscription is inactive (`invalid_subscription`).
    case invalidSubscription
}

/// Signs owners in to brand accounts, for one mode. Brand connectors provide it.
public protocol BrandSignIn: Sendable {
    /// Brands offered in this mode, in display order.
    func brands(mode: ApplicationMode) -> [Brand]
    func signIn(
        applicationID: UUID, make: String, email: String, password: String, mode: ApplicationMode
    ) async throws(BrandSignInError) -> BrandAccount
}
