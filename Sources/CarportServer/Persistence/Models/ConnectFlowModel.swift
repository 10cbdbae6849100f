import CarportCore
import Foundation

/// The `connect_flows` table: a flow in progress, kept as JSON (read and written with plain SQL, every page view).
enum ConnectFlowRecord {
    static let schema = "connect_flows"

    static func payload(_ flow: ConnectFlow) throws -> String {
        String(decoding: try JSONEncoder().encode(flow), as: UTF8.self)
    }

    static func flow(payload: String) throws -> ConnectFlow {
        try JSONDecoder().decode(ConnectFlow.self, from: Data(payload.utf8))
    }
}
