import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// The Smartcar Vehicle API v3: the vehicle, its signals in JSON:API shapes, commands, and v3 errors.
@Suite struct SmartcarV3Tests {
    @Test func theVehicleAndItsSignalsInJSONAPIShapes() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            let (status, headers, vehicle) = try await session.call(.GET, "/v3/vehicles/{id}")
            #expect(status == .ok && headers.first(name: "SC-Request-Id")?.count == 36)
            #expect(vehicle["id"] as? String == session.vehicleID && vehicle["type"] as? String == "vehicle")
            let attributes = try #require(vehicle["attributes"] as? [String: Any])
            #expect(attributes["make"] as? String == "TESLA" && attributes["powertrainType"] as? String == "BEV")
            #expect(attributes["mode"] as? String == "TEST" && attributes["year"] is Int)
            #expect(((vehicle["links"] as? [String: Any])?["self"] as? String)?.hasSuffix("/v3/vehicles/\(session.vehicleID)") == true)

            let (_, _, all) = try await session.call(.GET, "/v3/vehicles/{id}/signals")
            let data = try #require(all["data"] as? [[String: Any]])
            let codes = data.compactMap { $0["id"] as? String }
            #expect(codes.contains("tractionbattery-stateofcharge") && codes.contains("closure-doors"))
            #expect(!codes.contains("internalcombustionengine-fuellevel"), "an electric car reports no fuel")
            let meta = try #require(all["meta"] as? [String: Int])
            #expect(meta == ["page": 1, "pageSize": 100, "totalCount": codes.count])
            #expect(((all["included"] as? [String: Any])?["vehicle"] as? [String: Any])?["type"] as? String == "vehicle")

            // The state of charge is a percentage (v2 has a fraction), with epoch-millisecond times.
            let (_, _, battery) = try await session.call(.GET, "/v2.0/vehicles/{id}/battery")
            let (_, _, signal) = try await session.call(.GET, "/v3/vehicles/{id}/signals/tractionbattery-stateofcharge")
            #expect(signal["type"] as? String == "signal" && signal["id"] as? String == "tractionbattery-stateofcharge")
            let signalAttributes = try #require(signal["attributes"] as? [String: Any])
            #expect(signalAttributes["group"] as? String == "TractionBattery" && signalAttributes["name"] as? String == "StateOfCharge")
            #expect((signalAttributes["status"] as? [String: Any])?["value"] as? String == "SUCCESS")
            let body = try #require(signalAttributes["body"] as? [String: Any])
            let percent = try #require(battery["percentRemaining"] as? Double)
            #expect(body["unit"] as? String == "percent")
            #expect(abs((body["value"] as? Double ?? -1) - percent * 100) < 1e-9)
            #expect(((signal["meta"] as? [String: Any])?["retrievedAt"] as? Int ?? 0) > 1_700_000_000_000)

            // Paging: page 2 of size 2, with links to its neighbours; a page past the end is empty.
            let (_, _, page) = try await session.call(.GET, "/v3/vehicles/{id}/signals?page=2&pageSize=2")
            #expect((page["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(codes[2..<4]))
            let links = try #require(page["links"] as? [String: Any])
            #expect((links["previous"] as? String)?.hasSuffix("signals?page=1&pageSize=2") == true)
            #expect((links["next"] as? String)?.hasSuffix("signals?page=3&pageSize=2") == true)
            let (_, _, past) = try await session.call(.GET, "/v3/vehicles/{id}/signals?page=\(Int.max)&pageSize=100")
            #expect((past["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func errorsAreV3ErrorLists() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, scope: "read_vehicle_info read_charge")
            func expectError(_ result: (HTTPStatus, HTTPHeaders, [String: Any]), _ status: HTTPStatus, _ type: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(result.0 == status, sourceLocation: sourceLocation)
                let error = (result.2["errors"] as? [[String: Any]])?.first
                #expect(error?["status"] as? String == String(status.code), sourceLocation: sourceLocation)
                #expect(error?["type"] as? String == type, sourceLocation: sourceLocation)
                #expect(error?["title"] is String && error?["detail"] is String, sourceLocation: sourceLocation)
                #expect(((error?["links"] as? [String: Any])?["about"] as? String)?.hasPrefix("https://") == true, sourceLocation: sourceLocation)
                #expect(result.1.first(name: "SC-Request-Id") != nil, sourceLocation: sourceLocation)
            }
            expectError(try await session.call(.GET, "/v3/vehicles/{id}/signals/tractionbattery-stateofcharge"), .forbidden, "PERMISSION")
            expectError(try await session.call(.GET, "/v3/vehicles/{id}/signals/no-such-signal"), .notFound, "RESOURCE_NOT_FOUND")
            expectError(try await session.call(.GET, "/v3/vehicles/{id}", token: "wrong"), .unauthorized, "AUTHENTICATION")
            expectError(try await session.call(.GET, "/v3/vehicles/\(UUID())"), .badRequest, "VALIDATION")
            expectError(try await session.call(.GET, "/v3/user"), .notFound, "RESOURCE_NOT_FOUND")
            expectError(try await session.call(.GET, "/v3/vehicles/{id}/signals?pageSize=101"), .badRequest, "VALIDATION")
            expectError(try await session.call(.POST, "/v3/vehicles/{id}/commands/security/lock"), .forbidden, "PERMISSION")

            // Signals without their permission are not listed.
            let (_, _, all) = try await session.call(.GET, "/v3/vehicles/{id}/signals")
            let codes = (all["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            #expect(!codes.isEmpty && codes.allSatisfy { $0.hasPrefix("charge-") }, "\(codes)")
        }
    }

    @Test func commandsAnswerWithTheirExecution() async throws {
        try await TestCarport.withApp { app in
            let (session, _) = try await SmartcarSession.connectSimulated(app, email: "v3@example.com")
            let (status, _, limit) = try await session.call(.POST, "/v3/vehicles/{id}/commands/charge/set-limit",
                                                           json: #"{"data":{"attributes":{"percent":80}}}"#)
            #expect(status == .ok)
            let execution = try #require(limit["data"] as? [String: Any])
            #expect(execution["type"] as? String == "command-execution" && (execution["id"] as? String)?.hasPrefix("exec_") == true)
            let attributes = try #require(execution["attributes"] as? [String: Any])
            #expect(attributes["commandType"] as? String == "charge-set-limit")
            #expect((attributes["status"] as? [String: Any])?["value"] as? String == "SUCCESS")
            #expect((attributes["parameters"] as? [String: Any])?["percent"] as? Double == 80)
            #expect((execution["meta"] as? [String: Any])?["completedAt"] is String)
            let (_, _, read) = try await session.call(.GET, "/v2.0/vehicles/{id}/charge/limit")
            #expect(read["limit"] as? Double == 0.8)

            let (unlocked, _, _) = try await session.call(.POST, "/v3/vehicles/{id}/commands/security/unlock")
            #expect(unlocked == .ok)
            let (_, _, security) = try await session.call(.GET, "/v3/vehicles/{id}/signals/closure-islocked")
            #expect(((security["attributes"] as? [String: Any])?["body"] as? [String: Any])?["value"] as? Bool == false, "\(security)")

            for body in [#"{"data":{"attributes":{"percent":20}}}"#, #"{"percent":80}"#, "[]"] {
                let (bad, _, error) = try await session.call(.POST, "/v3/vehicles/{id}/commands/charge/set-limit", json: body)
                #expect(bad == .badRequest && (error["errors"] as? [[String: Any]])?.first?["type"] as? String == "VALIDATION", "\(body)")
            }
            let (destination, _, _) = try await session.call(.POST, "/v3/vehicles/{id}/commands/navigation/set-destination",
                                                             json: #"{"data":{"attributes":{"latitude":52.5,"longitude":13.4}}}"#)
            #expect(destination == .ok)
        }
    }
}
