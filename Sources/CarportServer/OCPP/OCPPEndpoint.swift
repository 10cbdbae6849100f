import CarportCore
import Foundation
import Vapor

/// `GET /ocpp/{chargePointId}`: where chargers connect (OCPP-J over WebSocket). An unknown id is 404; a charger
/// with a password must send HTTP Basic `chargePointId:password` (security profiles 1 and 2; 401 otherwise). The
/// subprotocol is the newest the charger offers that Carport speaks; with none in common the handshake completes
/// without one and the socket is closed at once, as OCPP-J requires.
struct OCPPEndpoint: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("ocpp", ":chargePointID", use: connect)
    }

    @Sendable func connect(request: Request) async throws -> Response {
        let id = request.parameters.get("chargePointID") ?? ""
        let store = FluentOCPPChargerStore(resolveDatabase: { [db = request.db] in db })
        guard let charger = try await store.charger(chargePointID: id) else {
            throw Abort(.notFound, reason: "No charger is registered with the charge point id \(id).")
        }
        if let digest = charger.passwordDigest {
            guard let basic = request.headers.basicAuthorization, basic.username == id, SecretToken.matches(basic.password, digest: digest) else {
                throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Basic realm=\"OCPP\""],
                            reason: "Send HTTP Basic with the charge point id and the password Carport gave for it.")
            }
        }
        guard request.headers.first(name: .upgrade)?.lowercased() == "websocket" else {
            throw Abort(.badRequest, reason: "Chargers connect here with a WebSocket upgrade (OCPP-J).")
        }
        let version = OCPPVersion.negotiate(request.headers[.secWebSocketProtocol])
        return request.webSocket(shouldUpgrade: { _ in
            version.map { [HTTPHeaders.Name.secWebSocketProtocol.description: $0.rawValue] } ?? [:]
        }, onUpgrade: { request, socket in
            guard let version else {
                try? await socket.close(code: .protocolError)
                return
            }
            await OCPPSession(charger: charger, version: version, socket: socket, application: request.application).run()
        })
    }
}

/// One charger's open socket: its messages in order, each answered and its state saved before the next.
struct OCPPSession {
    let charger: OCPPCharger
    let version: OCPPVersion
    let socket: WebSocket
    let application: Application

    func run() async {
        let context = Request(application: application, logger: application.logger, on: socket.eventLoop)
        let store = FluentOCPPChargerStore(resolveDatabase: { [db = context.db] in db }, stateWrites: context.carport.ocppStateWrites)
        let (texts, incoming) = AsyncStream.makeStream(of: String.self)
        socket.onText { _, text in incoming.yield(text) }
        socket.onClose.whenComplete { _ in incoming.finish() }
        var state = charger.state
        let link = OCPPLink(version: version, send: { [socket] in try await socket.send($0) })
        context.carport.ocppLinks.register(link, for: charger.chargePointID)
        do { try await store.setConnected(Date(), id: charger.id) } catch { context.logger.warning("OCPP: \(error)") }
        for await text in texts {
            let before = state
            switch OCPPCentralSystem.receive(text, version: version, state: &state) {
            case .reply(var reply):
                if state != before {
                    do {
                        try await store.save(state, version: version, id: charger.id)
                        state.closedHours = []
                    } catch {
                        // Not kept, so not acknowledged: the charger sends it again (transaction messages are queued).
                        context.logger.warning("OCPP \(charger.chargePointID): state not saved: \(error)")
                        state = before
                        if case .success(.call(let id, _, _)) = OCPPFrame.parse(text) {
                            reply = OCPPFrame.error(id: id, OCPPError(code: .internalError, description: "Carport could not keep this message."),
                                                    version: version).text
                        }
                    }
                }
                try? await socket.send(reply)
                let (was, now) = (before.chargerState(version: version), state.chargerState(version: version))
                // The faces show kW to one decimal: a wobble below that is no change.
                func tenths(_ kW: Double?) -> Int? { kW.map { Int(($0 * 10).rounded()) } }
                if was.status != now.status || tenths(was.powerKW) != tenths(now.powerKW) { await noteChange(context) }
                if state.bootedAt != before.bootedAt { configureSampling(link, context: context) }
            case .answer(let frame):
                await link.receive(frame)
            }
        }
        context.carport.ocppLinks.remove(link, for: charger.chargePointID)
        await link.close()
        try? await store.setConnected(nil, id: charger.id)
        await noteChange(context)
    }

    /// After a boot, asks for the power and energy readings Carport shows; a charger that refuses keeps its own
    /// sampling.
    private func configureSampling(_ link: OCPPLink, context: Request) {
        let id = charger.chargePointID
        Task {
            do {
                let (action, payload) = try OCPPOperatorCall.sampling(version).call(version)
                _ = try await link.call(action, payload)
            } catch {
                context.logger.info("OCPP \(id): sampled measurands not set: \(error)")
            }
        }
    }

    /// The faces' change feed looks at the charger's row (Enode `user:charger:updated`).
    private func noteChange(_ context: Request) async {
        guard let owner = try? await context.authorizationServer.userID(applicationID: charger.applicationID, externalUserID: charger.userID),
              let rows = try? await context.chargerStore.chargers(userID: owner) else { return }
        for row in rows where row.brand == OCPPChargers.brand && row.serial == charger.chargePointID {
            await context.vehicleChanges.note(applicationID: charger.applicationID, vehicleID: row.id)
        }
    }
}
