import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// Unknown paths and undeclared methods under a face answer in that face's error format.
@Suite struct UnmatchedRouteTests {
    struct Case: Sendable, CustomStringConvertible {
        let method: HTTPMethod
        let path: String
        let status: HTTPStatus
        let allow: String?
        /// A field the face's error body always has, and its value when it is fixed.
        let field: String
        let value: String?
        var description: String { "\(method) \(path)" }
    }

    static let cases: [Case] = [
        Case(method: .GET, path: "/enode/nowhere", status: .notFound, allow: nil, field: "type", value: "https://docs.enode.io/problems/not-found"),
        Case(method: .DELETE, path: "/enode/vehicles", status: .methodNotAllowed, allow: "GET",
             field: "type", value: "https://docs.enode.io/problems/method-not-allowed"),
        Case(method: .PATCH, path: "/enode/webhooks/firehose", status: .methodNotAllowed, allow: nil, field: "title", value: "Method not allowed"),
        Case(method: .GET, path: "/v2.0/nowhere", status: .notFound, allow: nil, field: "type", value: "RESOURCE_NOT_FOUND"),
        Case(method: .PUT, path: "/v2.0/vehicles", status: .methodNotAllowed, allow: "GET", field: "code", value: "METHOD"),
        Case(method: .GET, path: "/api/v1/nowhere", status: .notFound, allow: nil, field: "title", value: "Not found"),
        // A constant segment wins over a parameter, as in the router: not the methods of `vehicles/{vehicleId}`.
        Case(method: .PATCH, path: "/api/v1/users/u/vehicles/connect-sessions", status: .methodNotAllowed, allow: "POST",
             field: "title", value: "Method not allowed"),
        Case(method: .DELETE, path: "/simulator/vehicles", status: .methodNotAllowed, allow: nil, field: "error", value: "method_not_allowed"),
        Case(method: .GET, path: "/simulator/nowhere/else/at/all", status: .notFound, allow: nil, field: "error", value: "not_found"),
    ]

    @Test(arguments: cases)
    func answersInTheFacesFormat(_ expected: Case) async throws {
        try await TestCarport.withApp { app in
            try await app.testing().test(expected.method, expected.path) { response in
                #expect(response.status == expected.status)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(json["error"] as? Bool != true, "not Vapor's own error body")
                if let value = expected.value { #expect(json[expected.field] as? String == value) } else { #expect(json[expected.field] != nil) }
                if expected.status == .methodNotAllowed {
                    let allow = response.headers.first(name: .allow) ?? ""
                    #expect(!allow.isEmpty && !allow.contains(expected.method.rawValue))
                    if let exact = expected.allow { #expect(allow == exact) }
                }
            }
        }
    }

    @Test func pathsOutsideTheFacesKeepTheirAnswer() async throws {
        try await TestCarport.withApp { app in
            try await app.testing().test(.GET, "/no-such-page") { response in #expect(response.status == .notFound) }
            try await app.testing().test(.GET, "/v2.0/vehicles") { response in #expect(response.status == .unauthorized, "matched routes are untouched") }
        }
    }
}
