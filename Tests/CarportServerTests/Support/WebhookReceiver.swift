import Crypto
import Foundation
import Testing
import Vapor

/// A webhook endpoint on a loopback port that records every delivery and answers with the statuses it is told.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        let deliveryID: String?
        let signature: String?
        let body: Data

        /// The events of the batch.
        var events: [[String: Any]] { ((try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]]) ?? [] }

        func isSigned(with secret: String) -> Bool {
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
            return signature == "sha1=" + mac.map { String(format: "%02x", $0) }.joined()
        }
    }

    private actor State {
        var deliveries: [Delivery] = []
        var statuses: [HTTPStatus] = []
        func record(_ delivery: Delivery) -> HTTPStatus {
            deliveries.append(delivery)
            return statuses.isEmpty ? .ok : statuses.removeFirst()
        }
        func answer(_ statuses: [HTTPStatus]) { self.statuses = statuses }
    }

    private let state = State()
    private let app: Application
    let url: String

    private init(app: Application, url: String) {
        self.app = app
        self.url = url
    }

    static func start(port requested: Int? = nil) async throws -> WebhookReceiver {
        var port = requested ?? 0
        if requested == nil { port = try await LoopbackPort.free() }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let receiver = WebhookReceiver(app: app, url: "http://127.0.0.1:\(port)/hook")
        app.post("hook") { request async -> Response in
            let body = request.body.data.map { Data(buffer: $0) } ?? Data()
            let delivery = Delivery(deliveryID: request.headers.first(name: "X-Enode-Delivery"),
                                    signature: request.headers.first(name: "X-Enode-Signature"), body: body)
            return Response(status: await receiver.state.record(delivery))
        }
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        return receiver
    }

    /// The next answers, in order (then 200).
    func answer(_ statuses: [HTTPStatus]) async { await state.answer(statuses) }

    var deliveries: [Delivery] { get async { await state.deliveries } }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
