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

/// What an owner allowed at a brand that asks for consent itself (Tesla): the account, and which canonical
/// permissions the brand's own consent covers.
public struct ExternalSignIn: Sendable, Equatable {
    public var account: BrandAccount
    /// Permissions the brand's consent covers (granted on its side).
    public var grantedPermissions: Set<Permission>
    /// Permissions the brand's consent decides (granted or not); others need nothing at the brand.
    public var brandManagedPermissions: Set<Permission>

    public init(account: BrandAccount, grantedPermissions: Set<Permission>, brandManagedPermissions: Set<Permission>) {
        self.account = account
        self.grantedPermissions = grantedPermissions
        self.brandManagedPermissions = brandManagedPermissions
    }
}

/// Brands whose owners sign in on the brand's own site (an OAuth redirect) rather than in a Carport form.
public protocol ExternalBrandSignIn: Sendable {
    /// Whether owners of `make` in `mode` sign in at the brand.
    func signsInExternally(make: String, mode: ApplicationMode) -> Bool
    /// The brand's authorize URL for the given permissions; `state` and the PKCE challenge come back with the code.
    func authorizationURL(make: String, permissions: [Permission], state: String, codeChallenge: String) -> String?
    /// Exchanges the brand's code, finds the vehicles and keeps the brand's credentials for this application.
    func completeSignIn(
        applicationID: UUID, make: String, code: String, codeVerifier: String
    ) async throws(BrandSignInError) -> ExternalSignIn
    /// The redirect URI the brand sends owners back to (its registered callback).
    func callbackURL(make: String) -> String?
    /// The link the application shows owners to add the platform's virtual key, if the brand needs one.
    func virtualKeyURL(make: String) -> String?
}
