import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Management connections and compatibility endpoints.
@Suite struct SmartcarManagementTests {
    @Test func connectionsAreListedAndDeletedWithTheManagementToken() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app, email: "fleet+2@example.com")
            let amt = "Basic " + Data("default:\(session.client.credentials.managementToken)".utf8).base64EncodedString()
            let (status, _, listed) = try await session.call(.GET, "/v2.0/management/connections/", headers: ["Authorization": amt])
            #expect(status == .ok)
            let connections = try #require(listed["connections"] as? [[String: Any]])
            #expect(connections.count == 2)
            #expect(Set(connections.flatMap { $0.keys }) == ["vehicleId", "userId", "connectedAt"])
            #expect((listed["paging"] as? [String: Any])?["cursor"] is NSNull)

            let (_, _, firstPage) = try await session.call(.GET, "/v2.0/management/connections?limit=1", headers: ["Authorization": amt])
            #expect((firstPage["paging"] as? [String: Any])?["cursor"] as? String == "1")
            // Found by the fuzzer: the largest cursor and offset are pages past the end, not an overflow.
            let (farStatus, _, far) = try await session.call(
                .GET, "/v2.0/management/connections?limit=100&cursor=\(Int.max)", headers: ["Authorization": amt])
            #expect(farStatus == .ok && (far["connections"] as? [Any])?.isEmpty == true && (far["paging"] as? [String: Any])?["cursor"] is NSNull)
            let (permissionsStatus, _, permissions) = try await session.call(.GET, "/v2.0/vehicles/{id}/permissions?limit=100&offset=\(Int.max)")
            #expect(permissionsStatus == .ok && (permissions["permissions"] as? [Any])?.isEmpty == true)

            let (deleteStatus, _, deleted) = try await session.call(
                .DELETE, "/v2.0/management/connections?vehicle_id={id}", headers: ["Authorization": amt])
            #expect(deleteStatus == .ok)
            #expect((deleted["connections"] as? [[String: String]])?.map { $0["vehicleId"] } == [session.vehicleID])
            let (_, _, vehicles) = try await session.call(.GET, "/v2.0/vehicles")
            #expect((vehicles["vehicles"] as? [String])?.count == 1)

            session.expectError(try await session.call(.DELETE, "/v2.0/management/connections", headers: ["Authorization": amt]),
                                .badRequest, "VALIDATION", "PARAMETER")
            let wrong = "Basic " + Data("default:cpm_wrong".utf8).base64EncodedString()
            session.expectError(try await session.call(.GET, "/v2.0/management/connections", headers: ["Authorization": wrong]),
                                .unauthorized, "AUTHENTICATION", nil)
            let other = try await TestClient.register(app)
            let otherAMT = "Basic " + Data("default:\(other.credentials.managementToken)".utf8).base64EncodedString()
            let (_, _, otherList) = try await session.call(.GET, "/v2.0/management/connections", headers: ["Authorization": otherAMT])
            #expect((otherList["connections"] as? [Any])?.isEmpty == true, "tenants see only their own connections")
        }
    }

    @Test func compatibilityByVINAndTheMatrix() async throws {
        try await TestCarport.withApp { app in
            let session = try await SmartcarSession.connect(app)
            let basic = ["Authorization": session.client.basicAuthorization]
            let (_, _, vin) = try await session.call(.GET, "/v2.0/vehicles/{id}/vin")
            let known = try #require(vin["vin"] as? String)
            let (status, _, compatible) = try await session.call(
                .GET, "/v2.0/compatibility?vin=\(known)&scope=read_battery%20read_fuel&country=US", headers: HTTPHeaders(basic.map { $0 }))
            #expect(status == .ok)
            #expect(compatible["compatible"] as? Bool == false)
            let capabilities = try #require(compatible["capabilities"] as? [[String: Any]])
            #expect(capabilities.map { $0["capable"] as? Bool } == [true, false])
            #expect(capabilities[1]["reason"] as? String == "VEHICLE_NOT_CAPABLE")

            let (_, _, unknown) = try await session.call(
                .GET, "/v2.0/compatibility?vin=WBA00000000000000&scope=read_battery", headers: HTTPHeaders(basic.map { $0 }))
            #expect(unknown["reason"] as? String == "MAKE_NOT_COMPATIBLE")
            session.expectError(try await session.call(.GET, "/v2.0/compatibility?vin=short&scope=read_battery", headers: HTTPHeaders(basic.map { $0 })),
                                .badRequest, "VALIDATION", "PARAMETER")
            session.expectError(try await session.call(.GET, "/v2.0/compatibility?vin=\(known)&scope=read_battery"),
                                .unauthorized, "AUTHENTICATION", nil)

            let (_, _, matrix) = try await session.call(.GET, "/v2.0/compatibility/matrix?make=TESLA", headers: HTTPHeaders(basic.map { $0 }))
            let tesla = try #require(matrix["TESLA"] as? [[String: Any]])
            #expect(tesla.contains { $0["model"] as? String == "Model 3" && ($0["permissions"] as? [String])?.contains("control_charge") == true })
            #expect(matrix.count == 1)

            // Countries and regions: Carport's brands are offered in the US, Canada and Europe, not everywhere.
            let (_, _, germany) = try await session.call(
                .GET, "/v2.0/compatibility?vin=\(known)&scope=read_battery&country=de", headers: HTTPHeaders(basic.map { $0 }))
            #expect(germany["compatible"] as? Bool == true)
            let (_, _, japan) = try await session.call(
                .GET, "/v2.0/compatibility?vin=\(known)&scope=read_battery&country=JP", headers: HTTPHeaders(basic.map { $0 }))
            #expect(japan["compatible"] as? Bool == false && japan["reason"] as? String == "MAKE_NOT_COMPATIBLE")
            session.expectError(try await session.call(.GET, "/v2.0/compatibility?vin=\(known)&scope=read_battery&country=Germany",
                                                       headers: HTTPHeaders(basic.map { $0 })), .badRequest, "VALIDATION", "PARAMETER")
            let (_, _, europe) = try await session.call(.GET, "/v2.0/compatibility/matrix?region=EUROPE&make=tesla%20chevrolet%20bmw",
                                                        headers: HTTPHeaders(basic.map { $0 }))
            #expect(Set(europe.keys) == ["TESLA", "BMW"], "Chevrolet is not offered in Europe")
            let (_, _, fuel) = try await session.call(.GET, "/v2.0/compatibility/matrix?make=BMW%20TESLA&scope=read_fuel%20read_battery",
                                                      headers: HTTPHeaders(basic.map { $0 }))
            #expect((fuel["BMW"] as? [[String: Any]])?.map { $0["model"] as? String } == ["330e"] && fuel["TESLA"] == nil)
            session.expectError(try await session.call(.GET, "/v2.0/compatibility/matrix?region=ASIA", headers: HTTPHeaders(basic.map { $0 })),
                                .badRequest, "VALIDATION", "PARAMETER")
        }
    }
}
