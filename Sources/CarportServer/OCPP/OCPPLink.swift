import Foundation
import Metrics
import NIOConcurrencyHelpers

/// Carport's side of one charger's open socket for the CALLs Carport sends: one outstanding at a time, as OCPP-J
/// allows, each answered by its CALLRESULT or CALLERROR or failed after `timeout` seconds or when the socket closes.
actor OCPPLink {
    /// Why a CALL has no answer (kept as JSON in `ocpp_calls` when another node made the call).
    enum Failure: Error, CustomStringConvertible, Codable, Equatable {
        case offline(chargePointID: String)
        case refused(code: String, description: String)
        case timedOut(action: String)
        case disconnected

        var description: String {
            switch self {
            case .offline(let id): "the charger \(id) is not connected to Carport"
            case .refused(let code, let description): "the charger answered \(code): \(description)"
            case .timedOut(let action): "the charger did not answer \(action) in time"
            case .disconnected: "the charger disconnected"
            }
        }
    }

    static let timeout: Double = 30

    let version: OCPPVersion
    private let send: @Sendable (String) async throws -> Void
    private var busy = false
    private var queued: [CheckedContinuation<Void, Never>] = []
    private var waiting: (id: String, continuation: CheckedContinuation<OCPPFrame, any Error>)?
    private var closed = false

    /// `send` puts a text frame on the charger's socket.
    init(version: OCPPVersion, send: @escaping @Sendable (String) async throws -> Void) {
        self.version = version
        self.send = send
    }

    /// Sends `action` and returns the charger's CALLRESULT payload.
    func call(_ action: String, _ payload: JSONValue, timeout: Double = OCPPLink.timeout) async throws -> JSONValue {
        while busy { await withCheckedContinuation { queued.append($0) } }
        busy = true
        defer {
            busy = false
            if !queued.isEmpty { queued.removeFirst().resume() }
        }
        guard !closed else { throw Failure.disconnected }
        let id = UUID().uuidString.lowercased()
        let frame = OCPPFrame.call(id: id, action: action, payload: payload)
        let answer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<OCPPFrame, any Error>) in
            waiting = (id, continuation)
            Task {
                do { try await send(frame.text) } catch { self.fail(id, Failure.disconnected) }
                try? await Task.sleep(for: .seconds(timeout))
                self.fail(id, Failure.timedOut(action: action))
            }
        }
        switch answer {
        case .result(_, let payload): return payload
        case .error(_, let code, let description, _): throw Failure.refused(code: code, description: description)
        case .call: throw Failure.refused(code: "ProtocolError", description: "a CALL instead of an answer")
        }
    }

    /// A CALLRESULT or CALLERROR from the charger; ignored unless it answers the outstanding CALL.
    func receive(_ frame: OCPPFrame) {
        let id: String
        switch frame {
        case .result(let answered, _), .error(let answered, _, _, _): id = answered
        case .call: return
        }
        guard let waiting, waiting.id == id else { return }
        self.waiting = nil
        waiting.continuation.resume(returning: frame)
    }

    func close() {
        closed = true
        if let waiting { fail(waiting.id, Failure.disconnected) }
    }

    private func fail(_ id: String, _ error: Failure) {
        guard let waiting, waiting.id == id else { return }
        self.waiting = nil
        waiting.continuation.resume(throwing: error)
    }
}

/// The chargers connected to this node, by charge point id.
final class OCPPLinks: Sendable {
    private let links = NIOLockedValueBox([String: OCPPLink]())
    private let held = Gauge(label: "carport_ocpp_connections")

    func link(_ chargePointID: String) -> OCPPLink? { links.withLockedValue { $0[chargePointID] } }

    func register(_ link: OCPPLink, for chargePointID: String) {
        let (previous, count) = links.withLockedValue { links in
            defer { links[chargePointID] = link }
            return (links[chargePointID], links[chargePointID] == nil ? links.count + 1 : links.count)
        }
        held.record(count)
        if let previous { Task { await previous.close() } }  // the charger reconnected: the old socket is stale
    }

    func remove(_ link: OCPPLink, for chargePointID: String) {
        held.record(links.withLockedValue { links in
            if links[chargePointID] === link { links[chargePointID] = nil }
            return links.count
        })
    }
}
