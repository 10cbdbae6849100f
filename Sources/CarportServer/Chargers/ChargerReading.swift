import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// What a connected charger reports, whatever it is: a charger that reaches Carport over OCPP (brand `OCPP`, its
/// serial the charge point id) answers from its own messages; the simulated charger brands from their cycle. The
/// one place the faces (Enode, Jedlix) read chargers from.
struct ChargerReading {
    var state: ChargerState
    var isReachable: Bool
    var vendor: String?
    var model: String?

    static func of(_ charger: Charger, request: Request) async throws -> ChargerReading {
        guard charger.brand == OCPPChargers.brand else {
            return ChargerReading(state: SimulatedChargers.state(of: charger), isReachable: true, vendor: nil, model: nil)
        }
        let ocpp = try await FluentOCPPChargerStore(resolveDatabase: { [db = request.db] in db }).charger(chargePointID: charger.serial)
        guard let ocpp else {
            return ChargerReading(state: ChargerState(status: .disconnected, powerKW: nil, recordedAt: charger.createdAt), isReachable: false,
                                  vendor: nil, model: nil)
        }
        return ChargerReading(state: ocpp.state.chargerState(version: ocpp.version), isReachable: ocpp.isReachable(),
                              vendor: ocpp.state.vendor, model: ocpp.state.model)
    }
}
