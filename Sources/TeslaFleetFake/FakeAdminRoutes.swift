import Foundation
import Vapor

/// Test hooks (`/_fake/…`) and the virtual-key pairing page standing in for `tesla.com/_ak/<domain>`.
struct FakeAdminRoutes: RouteCollection {
    let cloud: FakeCloud

    func boot(routes: any RoutesBuilder) throws {
        routes.get("_ak", ":domain", use: pairingPage)
        routes.post("_ak", ":domain", use: pair)
        let admin = routes.grouped("_fake")
        admin.post("owners") { request async throws -> Response in
            await cloud.addOwner(try request.content.decode(FakeOwner.self))
            return Response(status: .created)
        }
        admin.get("vehicles", ":vin") { request async -> Response in
            guard let car = await cloud.vehicle(vin: request.parameters.get("vin") ?? "") else { return Response(status: .notFound) }
            return FakeHTTP.json(Self.inspect(car))
        }
        admin.patch("vehicles", ":vin") { request async -> Response in
            let body = FakeHTTP.parameters(request)
            let car = await cloud.update(vin: request.parameters.get("vin") ?? "") { car in
                if let state = body["state"] as? String { car.state = state; car.wakesAt = nil }
                if let plugged = body["pluggedIn"] as? Bool { car.pluggedIn = plugged; if !plugged { car.charging = false } }
                if let level = (body["batteryLevel"] as? NSNumber)?.doubleValue { car.batteryLevel = level }
                if let paired = body["pairedDomains"] as? [String] { car.pairedDomains = paired }
                if let latitude = (body["latitude"] as? NSNumber)?.doubleValue { car.latitude = latitude }
                if let longitude = (body["longitude"] as? NSNumber)?.doubleValue { car.longitude = longitude }
            }
            return car.map { FakeHTTP.json(Self.inspect($0)) } ?? Response(status: .notFound)
        }
        admin.post("faults") { request async -> Response in
            let body = FakeHTTP.parameters(request)
            await cloud.setFaults(rate: (body["rate"] as? NSNumber)?.doubleValue ?? 0, kinds: FakeHTTP.strings(body["kinds"]))
            return Response(status: .noContent)
        }
        admin.post("billing") { request async -> Response in
            await cloud.setBilling(disabled: FakeHTTP.parameters(request)["disabled"] as? Bool ?? false)
            return Response(status: .noContent)
        }
        // A partner domain's web root, for registration to fetch its key from (FakeOptions.partnerKeyOrigin).
        admin.put("domains", ":domain", "public-key") { request async -> Response in
            let pem = request.body.string ?? ""
            guard pem.contains("BEGIN PUBLIC KEY") else { return Response(status: .badRequest) }
            await cloud.host(key: pem, domain: request.parameters.get("domain") ?? "")
            return Response(status: .noContent)
        }
        admin.get("domains", ":domain", ".well-known", "appspecific", "com.tesla.3p.public-key.pem") { request async -> Response in
            guard let pem = await cloud.hostedKey(domain: request.parameters.get("domain") ?? "") else { return Response(status: .notFound) }
            return Response(status: .ok, headers: ["Content-Type": "application/x-pem-file"], body: .init(string: pem))
        }
        admin.get("stats") { _ async -> Response in FakeHTTP.json(await cloud.counts) }
        admin.post("owners", ":email", "password-change") { request async -> Response in
            await cloud.changePassword(email: request.parameters.get("email") ?? "") ? Response(status: .noContent) : Response(status: .notFound)
        }
        admin.post("owners", ":email", "revoke-consent") { request async -> Response in
            await cloud.revokeConsent(email: request.parameters.get("email") ?? "", clientID: cloud.options.clientID)
                ? Response(status: .noContent) : Response(status: .notFound)
        }
        admin.post("owners", ":email", "region") { request async -> Response in
            let region = FakeHTTP.parameters(request)["region"] as? String ?? ""
            return await cloud.moveOwner(email: request.parameters.get("email") ?? "", region: region)
                ? Response(status: .noContent) : Response(status: .badRequest)
        }
    }

    @Sendable func pairingPage(request: Request) async -> Response {
        let domain = request.parameters.get("domain") ?? ""
        let vin = request.query[String.self, at: "vin"] ?? ""
        let html = """
        <!doctype html><html><head><meta charset="utf-8"><title>Add virtual key</title></head><body>
        <h1>Allow \(domain.htmlEscaped) to send commands to your car?</h1>
        <form method="post"><label>VIN <input name="vin" value="\(vin.htmlEscaped)"></label>
        <button id="approve" type="submit">Approve</button></form></body></html>
        """
        let response = Response(body: .init(string: html))
        response.headers.contentType = .html
        return response
    }

    /// The owner approved the key in the Tesla app: the car now accepts the domain's signed commands.
    @Sendable func pair(request: Request) async -> Response {
        let domain = (request.parameters.get("domain") ?? "").lowercased()
        let vin = FakeHTTP.parameters(request)["vin"] as? String ?? request.query[String.self, at: "vin"] ?? ""
        return await FakeHTTP.guarded {
            try await cloud.pair(domain: domain, vin: vin)
            return FakeHTTP.envelope(["paired": true, "vin": vin, "domain": domain])
        }
    }

    static func inspect(_ car: FakeVehicle) -> [String: Any] {
        ["vin": car.vin, "state": car.state, "batteryLevel": car.batteryLevel, "chargeLimit": car.chargeLimit,
         "pluggedIn": car.pluggedIn, "charging": car.charging, "locked": car.locked, "pairedDomains": car.pairedDomains,
         "requiresCommandProtocol": car.requiresCommandProtocol]
    }
}
