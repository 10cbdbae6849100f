import Fluent
import Foundation
import Logging
import SQLKit
import Vapor

/// A CALL to a charger wherever its socket is: through its link when the socket is on this node; otherwise as a
/// row in `ocpp_calls` that the node holding the socket claims and answers (`OCPPCallRelay`), woken by `NOTIFY`
/// on PostgreSQL and by its poll otherwise, while the asker polls the row. A charger that is not reachable fails at
/// once, and so does a call that no node claims within `claimTimeout` (its socket's node is gone).
struct OCPPCalls {
    static let channel = "carport_ocpp_calls"
    static let claimTimeout: Double = 5
    static let pollInterval: Duration = .milliseconds(50)

    let links: OCPPLinks
    let database: @Sendable () -> any Database
    let notifies: Bool

    init(request: Request) {
        links = request.carport.ocppLinks
        database = { [db = request.db] in db }
        if case .postgres = request.carport.configuration.database { notifies = true } else { notifies = false }
    }

    var calls: FluentOCPPCallStore { FluentOCPPCallStore(resolveDatabase: database) }

    /// The charger's CALLRESULT payload for `action`; throws `OCPPLink.Failure`.
    func call(_ chargePointID: String, _ action: String, _ payload: JSONValue, timeout: Double = OCPPLink.timeout) async throws -> JSONValue {
        if let link = links.link(chargePointID) { return try await link.call(action, payload, timeout: timeout) }
        guard let charger = try await FluentOCPPChargerStore(resolveDatabase: database).charger(chargePointID: chargePointID),
              charger.isReachable() else { throw OCPPLink.Failure.offline(chargePointID: chargePointID) }
        let asked = Date()
        let call = OCPPCall(id: UUID(), chargePointID: chargePointID, action: action, payload: payload, timeout: timeout, status: .queued,
                            createdAt: asked, expiresAt: asked.addingTimeInterval(Self.claimTimeout))
        try await calls.insert(call)
        if notifies, let sql = database() as? any SQLDatabase { try await PostgresListener.notify(Self.channel, chargePointID, on: sql) }
        let deadline = call.expiresAt.addingTimeInterval(timeout + 1)
        while Date() < deadline {
            try await Task.sleep(for: Self.pollInterval)
            guard let row = try await calls.call(id: call.id) else { throw OCPPLink.Failure.disconnected }
            switch row.status {
            case .answered: return row.answer ?? .object([])
            case .failed: throw row.failure ?? OCPPLink.Failure.disconnected
            case .sent: continue
            case .queued:
                // Unclaimed past its expiry: nobody will send it now; the socket's node is gone.
                if Date() >= call.expiresAt, try await calls.finish(id: call.id, failure: .offline(chargePointID: chargePointID), from: [.queued]) {
                    throw OCPPLink.Failure.offline(chargePointID: chargePointID)
                }
            }
        }
        _ = try await calls.finish(id: call.id, failure: .timedOut(action: action), from: [.queued, .sent])
        throw OCPPLink.Failure.timedOut(action: action)
    }
}

/// Takes the calls asked for chargers whose sockets are on this node and sends them (every server node runs one).
struct OCPPCallRelay {
    static let poll: Double = 0.5

    let app: Application

    func run() async {
        let services = app.carport
        let calls = FluentOCPPCallStore(resolveDatabase: { [app] in app.db })
        let listener: Task<Void, Never>? = if case .postgres(let url) = services.configuration.database {
            Task {
                await PostgresListener(url: url, channel: OCPPCalls.channel, logger: app.logger).run(
                    onConnected: { services.ocppCallBell.ring() },
                    onPayload: { id in if services.ocppLinks.link(id) != nil { services.ocppCallBell.ring() } })
            }
        } else { nil }
        defer { listener?.cancel() }
        var purged = Date.distantPast
        while !Task.isCancelled {
            await services.ocppCallBell.wait(seconds: Self.poll)
            if Task.isCancelled { break }
            do {
                let now = Date()
                for call in try await calls.queued(now: now) {
                    guard let link = services.ocppLinks.link(call.chargePointID),
                          try await calls.claim(id: call.id, node: services.nodeID, now: now) else { continue }
                    Task { await send(call, over: link, calls) }
                }
                if now.timeIntervalSince(purged) > 600 {
                    try await calls.purge(before: now.addingTimeInterval(-3600))
                    purged = now
                }
            } catch {
                app.logger.warning("OCPP calls: \(error)")
            }
        }
    }

    private func send(_ call: OCPPCall, over link: OCPPLink, _ calls: FluentOCPPCallStore) async {
        do {
            let answer = try await link.call(call.action, call.payload, timeout: call.timeout)
            _ = try await calls.finish(id: call.id, answer: answer)
        } catch {
            let failure = error as? OCPPLink.Failure ?? .refused(code: "InternalError", description: "\(error)")
            do { _ = try await calls.finish(id: call.id, failure: failure) } catch { app.logger.warning("OCPP call \(call.id) not ended: \(error)") }
        }
    }
}
