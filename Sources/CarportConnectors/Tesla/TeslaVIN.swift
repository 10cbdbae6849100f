import CarportCore

/// What a Tesla VIN says: the model (4th character) and the model year (10th character).
enum TeslaVIN {
    static func identity(vin: String) -> VehicleIdentity {
        let characters = Array(vin.uppercased())
        let model = switch characters.count >= 4 ? characters[3] : "?" {
        case "S": "Model S"
        case "3": "Model 3"
        case "X": "Model X"
        case "Y": "Model Y"
        case "C": "Cybertruck"
        default: "Tesla"
        }
        return VehicleIdentity(vin: vin, make: "TESLA", model: model, year: characters.count >= 10 ? year(code: characters[9]) : 0)
    }

    /// ISO 3779 model-year codes; the 2010–2039 cycle.
    private static func year(code: Character) -> Int {
        let codes = Array("ABCDEFGHJKLMNPRSTVWXY123456789")
        guard let index = codes.firstIndex(of: code) else { return 0 }
        return 2010 + index
    }

    /// Pre-2021 Model S and X take unsigned REST commands; every other Tesla needs the Vehicle Command Protocol.
    static func requiresCommandProtocol(_ identity: VehicleIdentity) -> Bool {
        !((identity.model == "Model S" || identity.model == "Model X") && identity.year < 2021)
    }
}
