import CarportCore

/// Powertrain of a simulated model.
public enum Powertrain: String, Sendable, Codable {
    case bev, phev, ice
}

/// A real model with the figures the simulation needs.
public struct SimulatedModel: Sendable, Equatable, Codable {
    public var make: String
    public var name: String
    public var year: Int
    public var powertrain: Powertrain
    /// Usable battery capacity in kWh (0 for fuel cars).
    public var batteryCapacityKWh: Double
    /// Electric range on a full battery, km.
    public var electricRangeKm: Double
    /// Fuel tank in litres (0 for battery-electric cars).
    public var fuelTankLitres: Double
    /// Peak AC/DC charging power the simulator uses, kW.
    public var maxChargePowerKW: Double
}

/// The simulated brands and their models (test and simulated modes).
public enum SimulatedCatalog {
    public static let brands: [Brand] = [
        Brand(make: "AUDI", displayName: "Audi"),
        Brand(make: "BMW", displayName: "BMW"),
        Brand(make: "CHEVROLET", displayName: "Chevrolet"),
        Brand(make: "FORD", displayName: "Ford"),
        Brand(make: "HYUNDAI", displayName: "Hyundai"),
        Brand(make: "KIA", displayName: "Kia"),
        Brand(make: "NISSAN", displayName: "Nissan"),
        Brand(make: "POLESTAR", displayName: "Polestar"),
        Brand(make: "TESLA", displayName: "Tesla"),
        Brand(make: "TOYOTA", displayName: "Toyota"),
        Brand(make: "VOLKSWAGEN", displayName: "Volkswagen"),
    ]

    /// Where each brand's cars can be connected (Chevrolet and Toyota are not offered in Europe).
    public static func regions(make: String) -> Set<SmartcarRegion> {
        ["CHEVROLET", "TOYOTA"].contains(make) ? [.us, .canada] : Set(SmartcarRegion.allCases)
    }

    public static let models: [SimulatedModel] = [
        .init(make: "AUDI", name: "Q4 e-tron", year: 2023, powertrain: .bev, batteryCapacityKWh: 77, electricRangeKm: 520, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "AUDI", name: "e-tron GT", year: 2022, powertrain: .bev, batteryCapacityKWh: 83.7, electricRangeKm: 488, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "BMW", name: "i4 eDrive40", year: 2023, powertrain: .bev, batteryCapacityKWh: 80.7, electricRangeKm: 590, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "BMW", name: "iX3", year: 2022, powertrain: .bev, batteryCapacityKWh: 74, electricRangeKm: 460, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "BMW", name: "330e", year: 2022, powertrain: .phev, batteryCapacityKWh: 10.3, electricRangeKm: 59, fuelTankLitres: 40, maxChargePowerKW: 3.7),
        .init(make: "CHEVROLET", name: "Bolt EV", year: 2022, powertrain: .bev, batteryCapacityKWh: 65, electricRangeKm: 417, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "CHEVROLET", name: "Volt", year: 2019, powertrain: .phev, batteryCapacityKWh: 14, electricRangeKm: 85, fuelTankLitres: 34, maxChargePowerKW: 7.2),
        .init(make: "FORD", name: "Mustang Mach-E", year: 2023, powertrain: .bev, batteryCapacityKWh: 91, electricRangeKm: 600, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "FORD", name: "F-150 Lightning", year: 2023, powertrain: .bev, batteryCapacityKWh: 131, electricRangeKm: 515, fuelTankLitres: 0, maxChargePowerKW: 19.2),
        .init(make: "HYUNDAI", name: "Ioniq 5", year: 2023, powertrain: .bev, batteryCapacityKWh: 74, electricRangeKm: 507, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "HYUNDAI", name: "Kona Electric", year: 2022, powertrain: .bev, batteryCapacityKWh: 64, electricRangeKm: 484, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "KIA", name: "EV6", year: 2023, powertrain: .bev, batteryCapacityKWh: 74, electricRangeKm: 528, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "KIA", name: "Niro EV", year: 2022, powertrain: .bev, batteryCapacityKWh: 64.8, electricRangeKm: 463, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "NISSAN", name: "Leaf", year: 2022, powertrain: .bev, batteryCapacityKWh: 39, electricRangeKm: 270, fuelTankLitres: 0, maxChargePowerKW: 6.6),
        .init(make: "NISSAN", name: "Ariya", year: 2023, powertrain: .bev, batteryCapacityKWh: 87, electricRangeKm: 533, fuelTankLitres: 0, maxChargePowerKW: 22),
        .init(make: "POLESTAR", name: "Polestar 2", year: 2023, powertrain: .bev, batteryCapacityKWh: 79, electricRangeKm: 551, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "TESLA", name: "Model 3", year: 2023, powertrain: .bev, batteryCapacityKWh: 75, electricRangeKm: 513, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "TESLA", name: "Model Y", year: 2024, powertrain: .bev, batteryCapacityKWh: 75, electricRangeKm: 533, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "TESLA", name: "Model S", year: 2022, powertrain: .bev, batteryCapacityKWh: 95, electricRangeKm: 634, fuelTankLitres: 0, maxChargePowerKW: 11.5),
        .init(make: "TOYOTA", name: "RAV4 Plug-in Hybrid", year: 2023, powertrain: .phev, batteryCapacityKWh: 18.1, electricRangeKm: 75, fuelTankLitres: 55, maxChargePowerKW: 6.6),
        .init(make: "TOYOTA", name: "Corolla", year: 2021, powertrain: .ice, batteryCapacityKWh: 0, electricRangeKm: 0, fuelTankLitres: 50, maxChargePowerKW: 0),
        .init(make: "VOLKSWAGEN", name: "ID.4 Pro", year: 2023, powertrain: .bev, batteryCapacityKWh: 77, electricRangeKm: 520, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "VOLKSWAGEN", name: "ID.3", year: 2022, powertrain: .bev, batteryCapacityKWh: 58, electricRangeKm: 426, fuelTankLitres: 0, maxChargePowerKW: 11),
        .init(make: "VOLKSWAGEN", name: "Golf", year: 2021, powertrain: .ice, batteryCapacityKWh: 0, electricRangeKm: 0, fuelTankLitres: 50, maxChargePowerKW: 0),
    ]

    public static func models(make: String) -> [SimulatedModel] { models.filter { $0.make == make } }

    public static func model(make: String, name: String) -> SimulatedModel? {
        models.first { $0.make == make && $0.name == name }
            ?? models.first { $0.make == make && $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The catalog model of a vehicle identity (any model of its make, or any model, when unknown).
    public static func model(for identity: VehicleIdentity) -> SimulatedModel {
        model(make: identity.make, name: identity.model) ?? models(make: identity.make).first ?? models[0]
    }

    /// What simulated vehicles of a powertrain can report and do.
    public static func capabilities(of powertrain: Powertrain) -> VehicleCapabilities {
        switch powertrain {
        case .bev: bevCapabilities
        case .phev: phevCapabilities
        case .ice: iceCapabilities
        }
    }

    private static let bevCapabilities = makeCapabilities(.bev)
    private static let phevCapabilities = makeCapabilities(.phev)
    private static let iceCapabilities = makeCapabilities(.ice)

    private static func makeCapabilities(_ powertrain: Powertrain) -> VehicleCapabilities {
        let common: Set<SignalKind> = [.location, .odometer, .security, .tirePressure, .serviceHistory, .diagnostics]
        let electric: Set<SignalKind> = [.battery, .batteryCapacity, .charge, .chargeLimit]
        switch powertrain {
        case .bev:
            return VehicleCapabilities(signals: common.union(electric),
                                       commands: [.security, .charge, .chargeLimit, .navigation])
        case .phev:
            return VehicleCapabilities(signals: common.union(electric).union([.fuel, .engineOil]),
                                       commands: [.security, .charge, .chargeLimit, .navigation])
        case .ice:
            return VehicleCapabilities(signals: common.union([.fuel, .engineOil]), commands: [.security, .navigation])
        }
    }
}
