import CarportCore
import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// `/tariffs` with the management token: a bad file names its line and changes nothing; a good one is in force.
@Suite struct TariffTests {
    func call(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, body: String? = nil) async throws -> (HTTPStatus, [String: Any]) {
        var headers: HTTPHeaders = ["Content-Type": "text/csv"]
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        var result: (HTTPStatus, [String: Any])?
        try await app.testing().test(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            result = (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
        return try #require(result)
    }

    @Test func pricesAreSetCheckedAndCleared() async throws {
        try await TestCarport.withApp { app in
            let client = try await TestClient.register(app)
            let token = client.credentials.managementToken
            #expect(try await call(app, .GET, "/tariffs", token: nil).0 == .unauthorized)
            #expect(try await call(app, .GET, "/tariffs", token: "not-a-token").0 == .unauthorized)
            let daily = try await call(app, .GET, "/tariffs", token: token)
            #expect(daily.0 == .ok && daily.1["slots"] as? Int == 0 && daily.1["revision"] as? String == "daily")

            let (bad, problem) = try await call(app, .PUT, "/tariffs", token: token,
                                                body: "start,price\n2026-12-02T01:00:00Z,0.1\n2026-12-02T01:20:00Z,0.2\n")
            #expect(bad == .badRequest && (problem["message"] as? String)?.contains("line 3") == true, "\(problem)")
            #expect(try await call(app, .GET, "/tariffs", token: token).1["slots"] as? Int == 0, "nothing changed")
            #expect(try await call(app, .PUT, "/tariffs?location=\(UUID())", token: token, body: "start,price\n").0 == .badRequest,
                    "an unknown location")

            let csv = "start,price\n2026-12-02T01:00:00Z,0.1\n2026-12-02T01:15:00Z,-0.05\n"
            let (status, set) = try await call(app, .PUT, "/tariffs?currency=sek", token: token, body: csv)
            #expect(status == .ok && set["slots"] as? Int == 2 && set["currency"] as? String == "SEK")
            #expect(set["from"] as? String == "2026-12-02T01:00:00Z" && set["until"] as? String == "2026-12-02T01:30:00Z")
            let applicationID = try #require(UUID(uuidString: client.id))
            let (prices, _) = try await Request(application: app, on: app.eventLoopGroup.next()).tariffStore
                .prices(applicationID: applicationID, locationID: nil, daily: app.carport.configuration.tariff)
            #expect(prices.price(at: Date(timeIntervalSince1970: 1_796_173_200 + 20 * 60)) == -0.05)

            let other = try await TestClient.register(app)
            #expect(try await call(app, .GET, "/tariffs", token: other.credentials.managementToken).1["slots"] as? Int == 0,
                    "another application's prices are its own")
            let cleared = try await call(app, .DELETE, "/tariffs", token: token)
            #expect(cleared.0 == .ok && cleared.1["slots"] as? Int == 0)
        }
    }
}
