import Crypto
import Foundation
import Testing
import Vapor

/// A webhook endpoint on a loopback port that records every delivery and answers with the statuses it is told; told
/// a management token, it answers Smartcar's VERIFY challenges as the SDK's `hash_challenge` does.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        let deliveryID: String?
        let signature: String?
        /// Smartcar's `SC-Signature`.
        let smartcarSignature: String?
        let body: Data

        var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }

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
        var challengeKey: String?
        func record(_ delivery: Delivery) -> (HTTPStatus, String?) {
            deliveries.append(delivery)
            let status = statuses.isEmpty ? HTTPStatus.ok : statuses.removeFirst()
            let object = delivery.object
            let challenge = ((object["data"] ?? object["payload"]) as? [String: Any])?["challenge"] as? String
            guard let challengeKey, let challenge else { return (status, nil) }
            let mac = HMAC<SHA256>.authenticationCode(for: Data(challenge.utf8), using: SymmetricKey(data: Data(challengeKey.utf8)))
            return (status, #"{"challenge":""# + mac.map { String(format: "%02x", $0) }.joined() + #""}"#)
        }
        func answer(_ statuses: [HTTPStatus]) { self.statuses = statuses }
        func answerChallenges(key: String?) { challengeKey = key }
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
                                    signature: request.headers.first(name: "X-Enode-Signature"),
                                    smartcarSignature: request.headers.first(name: "SC-Signature"), body: body)
            let (status, answer) = await receiver.state.record(delivery)
            guard let answer else { return Response(status: status) }
            return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(string: answer))
        }
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        return receiver
    }

    /// Answers VERIFY challenges keyed by this management token (nil: answers nothing in the body).
    func answerChallenges(key: String?) async { await state.answerChallenges(key: key) }

    /// The next answers, in order (then 200).
    func answer(_ statuses: [HTTPStatus]) async { await state.answer(statuses) }

    var deliveries: [Delivery] { get async { await state.deliveries } }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
