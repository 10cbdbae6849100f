import AsyncHTTPClient
import CarportCore
import Foundation
import NIOCore

/// Webhook POSTs over AsyncHTTPClient; redirects are not followed (the configured URL is the only target),
/// private-network targets are refused (`WebhookTarget`), and a connection that cannot be made fails the attempt at
/// once instead of being retried until the timeout (the outbox retries on its own schedule).
struct HTTPWebhookTransport: WebhookTransport {
    let allowPrivateNetworks: Bool

    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        // As many connections to one callback as the Smartcar dispatcher has attempts in flight.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    func post(url: String, body: Data, headers: [(String, String)], timeout: Double) async throws -> WebhookResponse {
        try await WebhookTarget.check(url, allowPrivateNetworks: allowPrivateNetworks)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        let text = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
        return WebhookResponse(status: Int(response.status.code), body: text,
                               headers: Dictionary(response.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
    }
}
