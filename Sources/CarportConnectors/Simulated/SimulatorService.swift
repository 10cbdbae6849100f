import CarportCore
import Foundation

/// A simulated vehicle as stored: owned by one application, signed in to with its owner's e-mail and password.
public struct SimulatedVehicleRecord: Sendable, Equatable {
    public var applicationID: UUID
    public var ownerEmail: String
    public var passwordDigest: String
    public var car: SimulatedCar
    /// Counts the saved changes; a save names the revision it started from (`SimulatedCarStore.update`).
    public var revision: Int

    public init(applicationID: UUID, ownerEmail: String, passwordDigest: String, car: SimulatedCar, revision: Int = 0) {
        self.applicationID = applicationID
        self.ownerEmail = ownerEmail
        self.passwordDigest = passwordDigest
        self.car = car
        self.revision = revision
    }
}

/// Storage of simulated vehicles.
public protocol SimulatedCarStore: Sendable {
    func insert(_ record: SimulatedVehicleRecord) async throws
    func record(applicationID: UUID, vin: String) async throws -> SimulatedVehicleRecord?
    func records(applicationID: UUID) async throws -> [SimulatedVehicleRecord]
    /// Saves the car if its record is still at `revision` (nobody, on any node, saved it since it was read) and
    /// moves it to the next revision; false when someone did.
    func update(applicationID: UUID, car: SimulatedCar, revision: Int) async throws -> Bool
}

/// The developer's simulator: creates simulated vehicles, steers them, and signs owners in to them in Connect.
public struct SimulatorService: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownModel(make: String, model: String?)
        case duplicateVIN(String)
        case invalidVIN(String)
        case unknownVehicle(String)
        case invalid(String)

        public var description: String {
            switch self {
            case .unknownModel(let make, let model):
                let known = SimulatedCatalog.models(make: make).map(\.name).joined(separator: ", ")
                return known.isEmpty ? "unknown make \(make); known: \(SimulatedCatalog.brands.map(\.make).joined(separator: ", "))"
                    : "unknown model \(model ?? "") of \(make); known: \(known)"
            case .duplicateVIN(let vin): return "a simulated vehicle with VIN \(vin) already exists"
            case .invalidVIN(let vin): return "VIN \(vin) must be 17 letters and digits"
            case .unknownVehicle(let vin): return "no simulated vehicle with VIN \(vin)"
            case .invalid(let reason): return reason
            }
        }
    }

    /// A new simulated vehicle and the credentials that sign in to it (the password is shown once).
    public struct Created: Sendable {
        public var record: SimulatedVehicleRecord
        public var password: String
    }

    private let store: any SimulatedCarStore
    private let locks: KeyedLocks
    private let now: @Sendable () -> Date

    public init(store: any SimulatedCarStore, locks: KeyedLocks, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.locks = locks
        self.now = now
    }

    /// A new car; `password` lets one owner's cars share a sign-in (at least 12 characters), otherwise a random one.
    public func create(applicationID: UUID, make: String, model: String?, vin: String?, ownerEmail: String?,
                       stateOfCharge: Double?, password ownerPassword: String? = nil) async throws -> Created {
        let make = make.uppercased()
        let candidates = SimulatedCatalog.models(make: make)
        guard let chosen = model.map({ SimulatedCatalog.model(make: make, name: $0) }) ?? candidates.first else {
            throw Failure.unknownModel(make: make, model: model)
        }
        let vin = vin?.uppercased() ?? Self.randomVIN()
        guard vin.count == 17, vin.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { throw Failure.invalidVIN(vin) }
        if let soc = stateOfCharge, !(0...1).contains(soc) { throw Failure.invalid("state of charge must be 0-1") }
        guard try await store.record(applicationID: applicationID, vin: vin) == nil else { throw Failure.duplicateVIN(vin) }
        if let ownerPassword, ownerPassword.count < 12 { throw Failure.invalid("a chosen password must have at least 12 characters") }
        let password = ownerPassword ?? SecretToken.generate(prefix: "sim_")
        let car = SimulatedCar(vin: vin, model: chosen, stateOfCharge: stateOfCharge ?? 0.6, now: now())
        let record = SimulatedVehicleRecord(
            applicationID: applicationID, ownerEmail: (ownerEmail ?? "sim-\(vin.lowercased())@simulator.carport").lowercased(),
            passwordDigest: SecretToken.digest(password), car: car)
        try await store.insert(record)
        return Created(record: record, password: password)
    }

    /// Every simulated vehicle of the application, brought up to now.
    public func list(applicationID: UUID) async throws -> [SimulatedVehicleRecord] {
        let time = now()
        return try await store.records(applicationID: applicationID).map { record in
            var record = record
            record.car.advance(to: time)
            return record
        }
    }

    /// One simulated car, brought up to now, or nil.
    public func car(applicationID: UUID, vin: String) async throws -> SimulatedCar? {
        try await record(applicationID: applicationID, vin: vin)?.car
    }

    /// One simulated vehicle with its owner, its car brought up to now, or nil.
    public func record(applicationID: UUID, vin: String) async throws -> SimulatedVehicleRecord? {
        guard var record = try await store.record(applicationID: applicationID, vin: vin.uppercased()) else { return nil }
        record.car.advance(to: now())
        return record
    }

    /// Applies a simulator control to a car and returns its new state.
    public func control(applicationID: UUID, vin: String, _ control: SimulatedCar.Control) async throws -> SimulatedCar {
        try await update(applicationID: applicationID, vin: vin) { car in
            do throws(SimulatedCar.ControlError) {
                try car.apply(control)
            } catch {
                throw Failure.invalid(error.description)
            }
            return car
        }
    }

    /// Loads the car, advances it to now, lets `change` act on it and saves it: one change per VIN at a time in this
    /// process, and across nodes a save that finds the car changed since it was read starts over from the new state.
    public func update<T: Sendable>(
        applicationID: UUID, vin: String, _ change: @Sendable (inout SimulatedCar) throws -> T
    ) async throws -> T {
        try await locks.withLock(vin) {
            for _ in 0..<20 {
                guard var record = try await store.record(applicationID: applicationID, vin: vin.uppercased()) else {
                    throw Failure.unknownVehicle(vin)
                }
                record.car.advance(to: now())
                let result = try change(&record.car)
                if try await store.update(applicationID: applicationID, car: record.car, revision: record.revision) { return result }
            }
            throw Failure.invalid("the simulated vehicle \(vin) kept changing under this change; try again")
        }
    }

    /// Signs an owner in to their simulated vehicles of one make.
    public func signIn(applicationID: UUID, make: String, email: String, password: String) async throws(BrandSignInError) -> BrandAccount {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        let records: [SimulatedVehicleRecord]
        do { records = try await store.records(applicationID: applicationID) } catch { throw .invalidCredentials("Try again.") }
        let owned = records.filter { $0.ownerEmail == email && SecretToken.matches(password, digest: $0.passwordDigest) }
        guard !owned.isEmpty else {
            throw .invalidCredentials("E-mail or password is wrong. Use the credentials the simulator printed.")
        }
        let vehicles = owned.filter { $0.car.model.make == make }.map {
            VehicleIdentity(vin: $0.car.vin, make: $0.car.model.make, model: $0.car.model.name, year: $0.car.model.year)
        }
        guard !vehicles.isEmpty else { throw .noVehicles }
        return BrandAccount(key: "\(make):\(email)", vehicles: vehicles)
    }

    static func randomVIN() -> String {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
        return "SIM" + String((0..<14).map { _ in alphabet.randomElement() ?? "0" })
    }
}
