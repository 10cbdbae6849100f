import CarportCore
import Fluent
import Foundation

/// A Connect flow in progress; the flow itself is kept as JSON.
final class ConnectFlowModel: Model, @unchecked Sendable {
    static let schema = "connect_flows"

    @ID(key: .id) var id: UUID?
    @Field(key: "payload") var payload: String
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(_ flow: ConnectFlow) throws {
        id = flow.id
        try update(from: flow)
    }

    func update(from flow: ConnectFlow) throws {
        payload = String(decoding: try JSONEncoder().encode(flow), as: UTF8.self)
        expiresAt = flow.expiresAt
    }

    var domain: ConnectFlow {
        get throws { try JSONDecoder().decode(ConnectFlow.self, from: Data(payload.utf8)) }
    }
}
