import Foundation
import Testing
import VaporTesting
@testable import CarportServer

/// A face's OpenAPI document and its routes agree: every route under the face is in the document, and every
/// operation of the document is a route (parameters compared by position, not by name).
@Suite struct OpenAPIRouteTests {
    /// `METHOD /path/{}` for each operation of an OpenAPI document in YAML (paths at two spaces, methods at four).
    static func operations(ofDocument text: String) -> Set<String> {
        var operations = Set<String>(), path: String?
        let methods = ["get", "put", "post", "delete", "patch"]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast()).replacing(/\{[^}]+\}/, with: "{}")
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path,
                      let method = methods.first(where: { line == "    \($0):" }) {
                operations.insert("\(method.uppercased()) \(path)")
            } else if !line.hasPrefix(" ") {
                path = nil
            }
        }
        return operations
    }

    /// `METHOD /path/{}` for each route whose path starts with `prefix`, relative to it.
    static func operations(of app: Application, under prefix: [String], excluding excluded: Set<String>) -> Set<String> {
        Set(app.routes.all.compactMap { route -> String? in
            let components = route.path.map(\.description)
            guard components.starts(with: prefix) else { return nil }
            let rest = components.dropFirst(prefix.count).map { $0.hasPrefix(":") ? "{}" : $0 }
            let operation = "\(route.method.rawValue) /\(rest.joined(separator: "/"))"
            return excluded.contains(operation) ? nil : operation
        })
    }

    /// Each face: where its routes are mounted, what under it the document leaves out, and how many operations it has
    /// at least (so that a parser that finds nothing cannot pass).
    static let faces: [(FaceOpenAPI, [String], Set<String>, Int)] = [
        // OAuth endpoints are described by the authorization server's metadata, the document by itself.
        (.enode, ["enode"], ["GET /oauth2/auth", "POST /oauth2/token", "GET /openapi.yaml"], 30),
        (.smartcar, [":version"], [], 25),
        (.smartcarV3, ["v3"], [], 9),
        (.jedlix, ["api", "v1"], [], 20),
    ]

    @Test(arguments: faces.indices) func eachDocumentHasEveryRouteOfItsFaceAndNoOther(_ index: Int) async throws {
        let (face, prefix, excluded, minimum) = Self.faces[index]
        try await TestCarport.withApp { app in
            let document = try #require(face.template)
            let routes = Self.operations(of: app, under: prefix, excluding: excluded)
            let documented = Self.operations(ofDocument: document)
            #expect(routes.subtracting(documented).isEmpty, "\(face) routes missing from the document: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "\(face) operations with no route: \(documented.subtracting(routes).sorted())")
            #expect(documented.count >= minimum)
            try await app.testing().test(.GET, "/openapi/\(face.rawValue).yaml") { response in
                let text = String(buffer: response.body)
                #expect(response.status == .ok && text.contains("openapi: 3.") && !text.contains("__CARPORT_"))
            }
        }
    }
}
