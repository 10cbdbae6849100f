import CarportConnectors
import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Two applications with the same kinds of objects on every face. For every route in the route table under a face
/// (Smartcar, its management API, Enode, Jedlix, the simulator) that names an object, tenant A's credentials with
/// tenant B's id must be answered exactly as with an id that exists nowhere; lists A reads never show B's ids.
/// Generated from the route table: a new route is covered at once, and a route with a new kind of id fails here
/// until the tenants below have one.
@Suite struct TenantIsolationTests {
    enum Face: String { case smartcar, smartcarManagement, enode, jedlix, simulator }

    /// One application's objects (by kind of id) and how it authenticates on each face.
    struct Tenant {
        var ids: [String: String]
        var credentials: [Face: [HTTPHeaders]]
    }

    static func face(of route: Route) -> Face? {
        let path = route.path.map(\.description)
        switch path.first {
        case "enode": return ["oauth2", "openapi.yaml"].contains(path.dropFirst().first) ? nil : .enode
        case "api": return path.dropFirst().first == "v1" ? .jedlix : nil
        case "simulator": return .simulator
        case ":version": return path.dropFirst().first == "management" ? .smartcarManagement : .smartcar
        default: return nil
        }
    }

    /// The kind of id a path parameter names on a face; nil for parameters that name no object.
    static func kind(of parameter: String, on face: Face) -> String? {
        switch parameter {
        case "version", "vendor", "planId": nil  // a plan is looked up within its vehicle, which is probed
        case "userId": face == .jedlix ? "jedlixUser" : "enodeUser"
        case "locationId": face == .jedlix ? "jedlixLocation" : "enodeLocation"
        case "vehicleID", "vehicleId": "vehicle"
        case "sessionId": "jedlixSession"
        default: parameter  // chargerId, actionId, vin; anything new has no ids and fails the test
        }
    }

    /// Routes that create the object their id names in the caller's own namespace: Enode Link takes any user id
    /// the client chooses (tenant B's string becomes a new user of A's), so probing it would prove nothing.
    static func createsItsObject(_ route: Route) -> Bool {
        route.method == .POST && route.path.last?.description == "link" && route.path.first?.description == "enode"
    }

    static func missing(_ kind: String) -> String {
        switch kind {
        case "vin": "1NOSUCHCAR0000000"
        case "enodeUser": "nobody-\(UUID().uuidString.prefix(8).lowercased())"
        default: UUID().uuidString.lowercased()
        }
    }

    /// A body that gets past validation where the route has one, so that the lookup is what answers.
    static func body(for route: Route) -> String {
        switch route.path.last?.description {
        case "charging": #"{"action":"STOP"}"#
        case "charge": #"{"action":"START"}"#
        case "limit": #"{"limit":0.8}"#
        case "security": #"{"action":"LOCK"}"#
        case "destination": #"{"latitude":52.37,"longitude":4.89}"#
        case "batch": #"{"requests":[{"path":"/battery"}]}"#
        case "smart-charging-policy": #"{"isEnabled":false}"#
        case "watch": #"{"properties":["IS_CHARGING"]}"#
        case "soc": #"{"stateOfCharge":0.5}"#
        default: "{}"
        }
    }

    @Test func noTenantReachesAnotherTenantsObjects() async throws {
        try await TestCarport.withApp { app in
            let a = try await Self.tenant(app, "a"), b = try await Self.tenant(app, "b")
            var probes = 0, lists = 0
            for route in app.routes.all {
                guard let face = Self.face(of: route), !Self.createsItsObject(route) else { continue }
                let parameters = route.path.compactMap { component -> String? in
                    if case .parameter(let name) = component { return name } else { return nil }
                }
                let kinds = parameters.compactMap { Self.kind(of: $0, on: face) }
                for kind in kinds {
                    #expect(a.ids[kind] != nil && b.ids[kind] != nil, "\(route.method) \(route.path.string): no tenant has a \(kind) to probe with")
                }
                for credentials in a.credentials[face] ?? [] {
                    if kinds.isEmpty {
                        guard route.method == .GET else { continue }
                        let (status, body) = try await Self.call(app, route.method, Self.path(route, face: face, ids: a.ids), credentials, body: nil)
                        let leaked = b.ids.filter { body.contains($0.value) }
                        #expect(leaked.isEmpty, "GET \(route.path.string) (\(status)) shows tenant B's \(leaked.keys.sorted())")
                        lists += 1
                        continue
                    }
                    for kind in Set(kinds) {
                        guard let others = b.ids[kind] else { continue }
                        let absent = Self.missing(kind)
                        var otherIDs = a.ids, absentIDs = a.ids
                        otherIDs[kind] = others
                        absentIDs[kind] = absent
                        let requestBody = route.method == .GET || route.method == .DELETE ? nil : Self.body(for: route)
                        let other = try await Self.call(app, route.method, Self.path(route, face: face, ids: otherIDs), credentials, body: requestBody)
                        let nowhere = try await Self.call(app, route.method, Self.path(route, face: face, ids: absentIDs), credentials, body: requestBody)
                        let label = "\(route.method) \(route.path.string) with tenant B's \(kind)"
                        #expect(!(200..<300).contains(other.status.code), "\(label) answered \(other.status)")
                        #expect(other.status == nowhere.status, "\(label): \(other.status), a missing one: \(nowhere.status)")
                        #expect(Self.normalized(other.body, others) == Self.normalized(nowhere.body, absent),
                                "\(label): \(other.body)\n a missing one: \(nowhere.body)")
                        probes += 1
                    }
                }
            }
            #expect(probes >= 60, "\(probes) probes")
            #expect(lists >= 10, "\(lists) lists")
            // B's objects are all still there, untouched by A's attempts.
            let (status, _, vehicles) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: b.credentials[.enode]?.first?.bearerAuthorization?.token)
            #expect(status == .ok && (vehicles as? [[String: Any]])?.first?["id"] as? String == b.ids["vehicle"])
        }
    }

    static func path(_ route: Route, face: Face, ids: [String: String]) -> String {
        "/" + route.path.map { component -> String in
            switch component {
            case .constant(let value): return value
            case .parameter("version"): return "v2.0"
            case .parameter("vendor"): return "TESLA"
            case .parameter(let name): return ids[kind(of: name, on: face) ?? name] ?? "none"
            case .anything, .catchall: return "anything"
            }
        }.joined(separator: "/")
    }

    static func call(_ app: Application, _ method: HTTPMethod, _ path: String, _ credentials: HTTPHeaders,
                     body: String?) async throws -> (status: HTTPStatus, body: String) {
        var headers = credentials
        if body != nil { headers.replaceOrAdd(name: .contentType, value: "application/json") }
        var result: (HTTPStatus, String)?
        try await app.testing().test(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            result = (response.status, String(buffer: response.body))
        }
        return try #require(result)
    }

    /// The body with the probed id replaced and per-request fields dropped.
    static func normalized(_ body: String, _ id: String) -> String {
        let text = body.replacingOccurrences(of: id, with: "<id>").replacingOccurrences(of: id.uppercased(), with: "<id>")
        guard var json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return text }
        json["requestId"] = nil
        return (try? JSONSerialization.data(withJSONObject: json, options: .sortedKeys)).map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// A simulated-mode application with a car (connected on the Smartcar and Enode faces), an Enode user with a
    /// charging location, a charger and a charge action, and a Jedlix user with a charging location and a connect
    /// session (a second application, the Jedlix integration).
    static func tenant(_ app: Application, _ name: String) async throws -> Tenant {
        let client = try await TestClient.register(app, mode: .simulated)
        let applicationID = try #require(UUID(uuidString: client.id))
        let simulator = Request(application: app, on: app.eventLoopGroup.next()).simulator
        let email = "\(name)@tenant.example"
        let car = try await simulator.create(applicationID: applicationID, make: "TESLA", model: "Model 3", vin: nil,
                                             ownerEmail: email, stateOfCharge: 0.4)
        let vin = car.record.car.vin
        _ = try await simulator.control(applicationID: applicationID, vin: vin, .plug)
        let user = "\(name)-user"
        let linked = try await EnodeClient.link(app, userID: user, email: email, password: car.password, client: client)
        let (_, _, vehicles) = try await EnodeClient.call(app, .GET, "/enode/vehicles", token: linked.userToken)
        let vehicle = try #require((vehicles as? [[String: Any]])?.first?["id"] as? String)
        let (_, _, location) = try await EnodeClient.call(app, .POST, "/enode/charging-locations", token: linked.userToken,
                                                          json: #"{"name":"Home","latitude":59.91,"longitude":10.75}"#)
        let enodeLocation = try #require((location as? [String: Any])?["id"] as? String)
        _ = try await EnodeClient.linkCharger(app, clientToken: linked.clientToken, userID: user, username: "\(name)-charger@tenant.example")
        let (_, _, chargers) = try await EnodeClient.call(app, .GET, "/enode/chargers", token: linked.userToken)
        let charger = try #require((chargers as? [[String: Any]])?.first?["id"] as? String)
        let (_, actionHeaders, _) = try await EnodeClient.call(app, .POST, "/enode/vehicles/\(vehicle)/charging", token: linked.userToken,
                                                               json: #"{"action":"STOP"}"#)
        let action = try #require(actionHeaders.first(name: .location)?.split(separator: "/").last.map(String.init))
        let smartcar = try await SmartcarSession.connect(app, make: "TESLA", email: email, mode: "simulated", password: car.password, client: client)

        let jedlix = try await JedlixFaceTests.JedlixApp.make(app, mode: .simulated)
        let jedlixLocation = try #require(try await jedlix.object(.POST, "/charging-locations", json: """
            {"coordinates":{"latitude":52.37,"longitude":4.89},"address":{"street":"Damrak","houseNumber":"1","city":"Amsterdam","country":"NL"}}
            """, expect: .created)["id"] as? String)
        let session = try #require(try await jedlix.object(.POST, "/vehicles/connect-sessions", json: "{}", expect: .created)["id"] as? String)

        let management = Data("default:\(client.credentials.managementToken)".utf8).base64EncodedString()
        let webhook = SmartcarWebhook(applicationID: applicationID, name: "\(name) webhook", url: "https://hooks.example/\(name)",
                                      kind: .current(triggers: [.isCharging], signals: [.isCharging]), createdAt: Date())
        try await FluentSmartcarWebhookStore(resolveDatabase: { app.db }).save(webhook)
        return Tenant(
            ids: ["vehicle": vehicle, "vin": vin, "enodeUser": user, "enodeLocation": enodeLocation, "chargerId": charger,
                  "actionId": action, "jedlixUser": jedlix.userID, "jedlixLocation": jedlixLocation, "jedlixSession": session,
                  "webhookID": webhook.id.uuidString.lowercased()],
            credentials: [
                // The user's token, and the management token as a bearer (unsubscribing a vehicle).
                .smartcar: [["Authorization": "Bearer \(smartcar.token)"], ["Authorization": "Bearer \(client.credentials.managementToken)"]],
                .smartcarManagement: [["Authorization": "Basic \(management)"]],
                .enode: [["Authorization": "Bearer \(linked.userToken)"],
                         ["Authorization": "Bearer \(linked.clientToken)", "Enode-User-Id": user]],
                .jedlix: [["Authorization": "Bearer \(try jedlix.token())", "ApiKey": jedlix.client.credentials.apiKey]],
                .simulator: [["Authorization": "Bearer \(client.credentials.managementToken)"]],
            ])
    }
}
