import CarportCore
import Vapor

/// `sc-unit-system`: metric inside, imperial on request.
enum SmartcarUnits: String {
    case metric, imperial

    init(_ request: Request) throws(CarportError) {
        guard let header = request.headers.first(name: "sc-unit-system") else {
            self = .metric
            return
        }
        guard let units = SmartcarUnits(rawValue: header.lowercased()) else {
            throw CarportError.validation("sc-unit-system must be metric or imperial.", field: "sc-unit-system")
        }
        self = units
    }

    func distance(_ km: Double) -> Double { self == .metric ? km : Self.round(km * 0.621371) }
    func volume(_ litres: Double) -> Double { self == .metric ? litres : Self.round(litres * 0.264172) }
    func pressure(_ kPa: Double) -> Double { self == .metric ? kPa : Self.round(kPa * 0.145038) }

    private static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
