import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// The faces' OpenAPI 3 documents (Resources/openapi/<face>.yaml), written from what the server does and served
/// at `/openapi/<face>.yaml` with this server's URL, brands and tables filled in. `OpenAPIRouteTests` keeps each
/// document and its face's routes in agreement.
enum FaceOpenAPI: String, CaseIterable, Sendable {
    case enode, smartcar, jedlix
    case smartcarV3 = "smartcar-v3"

    private static let templates: [FaceOpenAPI: String] = Dictionary(uniqueKeysWithValues: allCases.compactMap { face in
        Bundle.module.url(forResource: face.rawValue, withExtension: "yaml", subdirectory: "openapi")
            .flatMap { try? String(contentsOf: $0, encoding: .utf8) }.map { (face, $0) }
    })

    /// The document as written, before this server's values are filled in.
    var template: String? { Self.templates[self] }

    @Sendable func document(request: Request) async throws -> Response {
        guard let template else { throw Abort(.internalServerError, reason: "The \(rawValue) OpenAPI document is missing from the build.") }
        let vendors = (request.connectors.allBrands + SimulatedChargers.brands).map(\.make)
        var lines: [Substring] = []
        for line in template.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix("- __CARPORT_VENDORS__") {
                let indent = line.prefix { $0 == " " }
                lines += vendors.map { "\(indent)- \($0)" }
            } else {
                lines.append(line)
            }
        }
        let text = lines.joined(separator: "\n")
            .replacingOccurrences(of: "__CARPORT_URL__", with: request.carport.configuration.publicURL)
            .replacingOccurrences(of: "__CARPORT_SMARTCAR_READ_PATHS__",
                                  with: SmartcarReadEndpoint.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            .replacingOccurrences(of: "__CARPORT_PERMISSIONS__", with: Permission.allCases.map(\.rawValue).joined(separator: "|"))
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.replaceOrAdd(name: .contentType, value: "application/yaml; charset=utf-8")
        return response
    }
}
