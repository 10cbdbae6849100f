import CarportCore
import Crypto
import Foundation

/// The simulated charger brands (test and simulated modes): any e-mail and non-empty password sign in; the
/// account's chargers follow from the e-mail (`name+N@…` holds N, up to 5), and each charger's state from its
/// serial and the hour, the same on every run.
public enum SimulatedChargers {
    public struct Identity: Sendable, Equatable {
        public var brand: String
        public var model: String
        public var serial: String
        public var maxKW: Double
    }

    public static let brands = [
        Brand(make: "ZAPTEC", displayName: "Zaptec"), Brand(make: "EASEE", displayName: "Easee"),
        Brand(make: "WALLBOX", displayName: "Wallbox"), Brand(make: "ALFEN", displayName: "Alfen"),
    ]

    private static let models: [String: [(String, Double)]] = [
        "ZAPTEC": [("Go", 22), ("Pro", 22)], "EASEE": [("Home", 22), ("Charge", 22)],
        "WALLBOX": [("Pulsar Plus", 11), ("Copper SB", 22)], "ALFEN": [("Eve Single S-line", 11), ("Eve Pro-line", 22)],
    ]

    public static func signIn(brand: String, email: String, password: String) throws(BrandSignInError) -> [Identity] {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard models[brand] != nil else { throw .invalidCredentials("Choose one of the brands listed.") }
        guard SimulatedBrandSignIn.isPlausibleEmail(email) else { throw .invalidCredentials("Enter the e-mail address of your account.") }
        guard !password.isEmpty else { throw .invalidCredentials("Enter your password.") }
        return chargers(brand: brand, email: email)
    }

    /// The chargers of a signed-in account (`brand`, lower-cased `email`).
    public static func chargers(brand: String, email: String) -> [Identity] {
        guard let models = models[brand] else { return [] }
        let local = String(email.prefix { $0 != "@" })
        let count = local.split(separator: "+").last.flatMap { Int($0) }.map { min(max($0, 1), 5) } ?? 1
        return (0..<count).map { index in
            let digest = Array(SHA256.hash(data: Data("\(brand)|\(email)|\(index)".utf8)))
            let (model, maxKW) = models[Int(digest[0]) % models.count]
            let serial = brand.prefix(2) + digest[1..<7].map { String(format: "%02X", $0) }.joined()
            return Identity(brand: brand, model: model, serial: String(serial), maxKW: maxKW)
        }
    }

    /// The charger's state in the current hour: a six-hour cycle (charging, charging, complete, stopped,
    /// disconnected, disconnected) offset by the serial; a STOP holds a charging car, a START charges a stopped one.
    public static func state(serial: String, maxKW: Double, at date: Date, commanded: Bool? = nil) -> ChargerState {
        let digest = Array(SHA256.hash(data: Data(serial.utf8)))
        let hour = Int(date.timeIntervalSince1970 / 3600)
        let since = Date(timeIntervalSince1970: Double(hour) * 3600)
        let power = (maxKW * (0.5 + Double(digest[1] % 50) / 100) * 10).rounded() / 10
        switch ((hour + Int(digest[0])) % 6, commanded) {
        case (0, false), (1, false): return ChargerState(status: .stopped, powerKW: 0, recordedAt: since)
        case (0, _), (1, _), (3, true): return ChargerState(status: .charging, powerKW: power, recordedAt: since)
        case (2, _): return ChargerState(status: .complete, powerKW: 0, recordedAt: since)
        case (3, _): return ChargerState(status: .stopped, powerKW: 0, recordedAt: since)
        default: return ChargerState(status: .disconnected, powerKW: nil, recordedAt: since)
        }
    }

    /// A connected charger's state now.
    public static func state(of charger: Charger, at date: Date = Date()) -> ChargerState {
        state(serial: charger.serial, maxKW: maxKW(brand: charger.brand, model: charger.model), at: date, commanded: charger.commandedCharging)
    }

    public static func maxKW(brand: String, model: String) -> Double {
        models[brand]?.first { $0.0 == model }?.1 ?? 11
    }
}

/// Energy suppliers an owner can pick for a charging location's contract (simulated modes).
public enum SimulatedEnergySuppliers {
    public static let all: [(id: String, name: String)] = [
        ("vattenfall", "Vattenfall"), ("eneco", "Eneco"), ("essent", "Essent"), ("greenchoice", "Greenchoice"),
        ("octopus", "Octopus Energy"),
    ]
}
