import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The simulator control API and simulated-mode connections.
@Suite struct SimulatorAPITests {
    static func post(_ app: Application, _ path: String, token: String, json: String = "{}") async throws -> (HTTPStatus, [String: Any]) {
        var result: (HTTPStatus, [String: Any])?
        try await app.testing().test(.POST, path, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                                     body: ByteBuffer(string: json)) { response in
            result = (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
        return try #require(result)
    }

    @Test func simulatedCarsAreCreatedSteeredAndConnected() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let amt = client.credentials.managementToken
            let (status, created) = try await Self.post(app, "/simulator/vehicles", token: amt,
                                                   json: #"{"make":"tesla","model":"Model Y","email":"Driver@Example.com","stateOfCharge":0.3}"#)
            #expect(status == .created)
            let vin = try #require(created["vin"] as? String)
            let password = try #require(created["password"] as? String)
            #expect(created["email"] as? String == "driver@example.com")
            #expect(((created["state"] as? [String: Any])?["stateOfCharge"] as? Double) == 0.3)

            let session = try await SmartcarSession.connect(app, make: "TESLA", email: "driver@example.com", mode: "simulated",
                                                            password: password, client: client)
            let (_, _, vinBody) = try await session.call(.GET, "/v2.0/vehicles/{id}/vin")
            #expect(vinBody["vin"] as? String == vin)
            session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}/charge", json: #"{"action":"START"}"#),
                                .conflict, "VEHICLE_STATE", "CHARGING_PLUG_NOT_CONNECTED")

            let (plugStatus, plugged) = try await Self.post(app, "/simulator/vehicles/\(vin)/plug", token: amt)
            #expect(plugStatus == .ok && plugged["chargingState"] as? String == "CHARGING")
            let (_, _, charge) = try await session.call(.GET, "/v2.0/vehicles/{id}/charge")
            #expect(charge["state"] as? String == "CHARGING" && charge["isPluggedIn"] as? Bool == true)

            _ = try await Self.post(app, "/simulator/vehicles/\(vin)/unplug", token: amt)
            let (tripStatus, _) = try await Self.post(app, "/simulator/vehicles/\(vin)/start-trip", token: amt, json: #"{"speedKmh":80}"#)
            #expect(tripStatus == .ok)
            session.expectError(try await session.call(.POST, "/v2.0/vehicles/{id}/security", json: #"{"action":"LOCK"}"#),
                                .conflict, "VEHICLE_STATE", "IN_MOTION")
            _ = try await Self.post(app, "/simulator/vehicles/\(vin)/stop-trip", token: amt)
            let (_, awakeHeaders, _) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            _ = try await Self.post(app, "/simulator/vehicles/\(vin)/sleep", token: amt)
            let (asleep, asleepHeaders, _) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            #expect(asleep == .ok && asleepHeaders.first(name: "SC-Data-Age") == awakeHeaders.first(name: "SC-Data-Age"),
                    "an asleep car answers its last reading with its age; it is not woken")
            _ = try await Self.post(app, "/simulator/vehicles/\(vin)/wake", token: amt)
            #expect(try await session.call(.POST, "/v2.0/vehicles/{id}/security", json: #"{"action":"UNLOCK"}"#).0 == .ok)
            let (_, _, security) = try await session.call(.GET, "/v2.0/vehicles/{id}/security")
            #expect(security["isLocked"] as? Bool == false)
        }
    }

    @Test func simulatedSignInNeedsTheSimulatorsCredentials() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            _ = try await Self.post(app, "/simulator/vehicles", token: client.credentials.managementToken,
                               json: #"{"make":"KIA","email":"kia@example.com"}"#)
            var driver = ConnectDriver(app: app)
            var page = try await driver.start(client.authorizePath([("mode", "simulated"), ("make", "KIA")]))
            let flowPath = try #require(ConnectDriver.flowPath(in: page.body))
            page = try await driver.submit(page, flowPath: flowPath, action: "continue", [])
            let refused = try await driver.submit(page, flowPath: flowPath, action: "sign-in", [("username", "kia@example.com"), ("password", "guess")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("Use the credentials the simulator printed."))
        }
    }

    @Test func theAPIRefusesStrangersAndBadInput() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let other = try await TestClient.register(app)
            let amt = client.credentials.managementToken
            let (_, created) = try await Self.post(app, "/simulator/vehicles", token: amt, json: #"{"make":"FORD"}"#)
            let vin = try #require(created["vin"] as? String)
            #expect(try await Self.post(app, "/simulator/vehicles", token: "cpm_wrong", json: #"{"make":"FORD"}"#).0 == .unauthorized)
            #expect(try await Self.post(app, "/simulator/vehicles/\(vin)/plug", token: other.credentials.managementToken).0 == .notFound)
            #expect(try await Self.post(app, "/simulator/vehicles", token: amt, json: #"{"make":"DELOREAN"}"#).0 == .badRequest)
            #expect(try await Self.post(app, "/simulator/vehicles", token: amt, json: #"{"make":"FORD","vin":"\#(vin)"}"#).0 == .conflict)
            #expect(try await Self.post(app, "/simulator/vehicles/\(vin)/state-of-charge", token: amt, json: #"{"stateOfCharge":2}"#).0 == .badRequest)
            #expect(try await Self.post(app, "/simulator/vehicles/\(vin)/clock", token: amt, json: #"{"speed":"fast"}"#).0 == .badRequest)
            let (_, clock) = try await Self.post(app, "/simulator/vehicles/\(vin)/clock", token: amt, json: #"{"speed":120}"#)
            #expect(clock["clockSpeed"] as? Double == 120)
        }
    }
}
