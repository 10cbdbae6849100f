import CarportCore
import Crypto
import Foundation

/// Sign-in to test-mode brand accounts: any e-mail and non-empty password work, and
/// the account's vehicles follow from the e-mail, the same on every run.
///
/// Special e-mails:
/// - `name+N@…` and Smartcar's `N-vehicles@smartcar.com` hold N vehicles (1…10); otherwise one.
/// - `…@vehicle-incompatible.com`, `…@invalid-subscription.com`, `…@no-vehicles.com` fail as their names say.
/// - `<VIN>@<level>.smartcar.com` (Smartcar's test logins) holds the vehicle with that VIN; level `bev`,
///   `compatible`, `phev` or `fuel` picks the powertrain, `incompatible` fails as incompatible.
public struct SimulatedBrandSignIn: BrandSignIn {
    public init() {}

    public func brands(mode: ApplicationMode) -> [Brand] {
        mode == .test ? SimulatedCatalog.brands : []
    }

    public func signIn(
        applicationID: UUID, make: String, email: String, password: String, mode: ApplicationMode
    ) async throws(BrandSignInError) -> BrandAccount {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard mode == .test, SimulatedCatalog.brands.contains(where: { $0.make == make }) else {
            throw .invalidCredentials("This brand is not available here.")
        }
        guard Self.isPlausibleEmail(email) else { throw .invalidCredentials("Enter the e-mail address of your account.") }
        guard !password.isEmpty else { throw .invalidCredentials("Enter your password.") }
        let (local, domain) = Self.split(email)
        let key = "\(make):\(email)"
        switch domain {
        case "no-vehicles.com": throw .noVehicles
        case "invalid-subscription.com": throw .invalidSubscription
        case "vehicle-incompatible.com": throw .vehicleIncompatible(Self.vehicle(make: make, seed: email, index: 0))
        default: break
        }
        if domain.hasSuffix(".smartcar.com"), local.count == 17 {
            let level = String(domain.dropLast(".smartcar.com".count))
            var vehicle = Self.vehicle(make: make, seed: email, index: 0, powertrain: Self.powertrain(level: level))
            vehicle.vin = local.uppercased()
            if level == "incompatible" { throw .vehicleIncompatible(vehicle) }
            return BrandAccount(key: key, vehicles: [vehicle])
        }
        let count = Self.vehicleCount(local: local, domain: domain)
        return BrandAccount(key: key, vehicles: (0..<count).map { Self.vehicle(make: make, seed: email, index: $0) })
    }

    // MARK: - Deterministic derivation

    static func vehicle(make: String, seed: String, index: Int, powertrain: Powertrain? = nil) -> VehicleIdentity {
        let digest = Array(SHA256.hash(data: Data("\(make)|\(seed)|\(index)".utf8)))
        var candidates = SimulatedCatalog.models(make: make)
        if let powertrain, candidates.contains(where: { $0.powertrain == powertrain }) {
            candidates = candidates.filter { $0.powertrain == powertrain }
        }
        let model = candidates[Int(digest[0]) % candidates.count]
        return VehicleIdentity(vin: testVIN(digest: digest), make: make, model: model.name, year: model.year)
    }

    /// Test-mode VINs start with `0SC`, like Smartcar's, followed by 14 VIN characters.
    static func testVIN(digest: [UInt8]) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
        return "0SC" + String(digest[1...14].map { alphabet[Int($0) % alphabet.count] })
    }

    private static func powertrain(level: String) -> Powertrain? {
        switch level {
        case "fuel": .ice
        case "phev": .phev
        case "bev", "compatible": .bev
        default: nil
        }
    }

    private static func vehicleCount(local: String, domain: String) -> Int {
        if domain == "smartcar.com", let match = local.wholeMatch(of: /([0-9]{1,3})-vehicles/), let count = Int(match.1) {
            return min(max(count, 1), 10)
        }
        guard let plus = local.lastIndex(of: "+"), let count = Int(local[local.index(after: plus)...]) else { return 1 }
        return min(max(count, 1), 10)
    }

    private static func split(_ email: String) -> (local: String, domain: String) {
        let parts = email.split(separator: "@", maxSplits: 1)
        return (String(parts.first ?? ""), String(parts.last ?? ""))
    }

    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !email.contains(" ")
            && email.count <= 254
    }
}
