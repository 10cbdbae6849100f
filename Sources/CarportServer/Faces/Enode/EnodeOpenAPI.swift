import CarportConnectors
import CarportCore
import Foundation
import Vapor

/// `GET /enode/openapi.yaml`: the face's OpenAPI 3.0 document (Resources/enode-openapi.yaml: Enode's 1.3.10 with
/// its faults corrected, see its description) with this server's URLs and brands filled in.
enum EnodeOpenAPI {
    static let template: String? = Bundle.module.url(forResource: "enode-openapi", withExtension: "yaml")
        .flatMap { try? String(contentsOf: $0, encoding: .utf8) }

    @Sendable static func document(request: Request) async throws -> Response {
        guard let template else { throw EnodeProblem(CarportError.internalError()) }
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
            .replacingOccurrences(of: "__CARPORT_ENODE_URL__", with: request.carport.configuration.publicURL + "/enode")
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.replaceOrAdd(name: .contentType, value: "application/yaml; charset=utf-8")
        return response
    }
}
