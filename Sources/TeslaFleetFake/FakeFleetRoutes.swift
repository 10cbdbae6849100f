import Crypto
import Foundation
import Vapor

/// The regional Fleet API under `/fleet/<region>/api/1`, and the `tesla-http-proxy` stand-in under `/proxy/api/1`,
/// which signs commands and forwards every other path to the caller's region (its token's `ou_code`).
struct FakeFleetRoutes: RouteCollection {
    let cloud: FakeCloud

    func boot(routes: any RoutesBuilder) throws {
        fleetAPI(routes.grouped("fleet", ":region", "api", "1"), proxy: false)
        let proxy = routes.grouped("proxy")
        proxy.get("health") { _ in "OK" }
        fleetAPI(proxy.grouped("api", "1"), proxy: true)
    }

    private func fleetAPI(_ api: any RoutesBuilder, proxy: Bool) {
        api.get("users", "region", use: handler(proxy: proxy) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: [], anyRegion: true)
            return FakeHTTP.envelope(["region": owner.region, "fleet_api_base_url": cloud.options.baseURL(region: owner.region)])
        })
        api.get("users", "me", use: handler(proxy: proxy) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: ["user_data"])
            return FakeHTTP.envelope(["email": owner.email, "full_name": owner.email.split(separator: "@")[0].capitalized,
                                      "profile_image_url": NSNull()])
        })
        api.get("products", use: handler(proxy: proxy) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: [])
            let cars = await cloud.vehicles(of: owner).map(\.summary)
            return FakeHTTP.json(["response": cars, "count": cars.count])
        })
        api.get("vehicles", use: handler(proxy: proxy) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: [])
            let cars = await cloud.vehicles(of: owner).map(\.summary)
            return FakeHTTP.json(["response": cars, "count": cars.count, "pagination": [
                "previous": NSNull(), "next": NSNull(), "current": 1, "per_page": 100, "count": cars.count, "pages": 1]])
        })
        api.get("vehicles", ":tag", use: handler(proxy: proxy) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: [])
            await cloud.count("state")
            return FakeHTTP.envelope(try await cloud.ownedVehicle(tag: request.parameters.get("tag") ?? "", owner: owner).summary)
        })
        api.get("vehicles", ":tag", "vehicle_data", use: handler(proxy: proxy, faults: true, vehicleData))
        api.post("vehicles", ":tag", "wake_up", use: handler(proxy: proxy, faults: true) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: ["vehicle_cmds"])
            let car = try await cloud.ownedVehicle(tag: request.parameters.get("tag") ?? "", owner: owner)
            try await cloud.spend(.wakes, vin: car.vin)
            return FakeHTTP.envelope(await cloud.wake(vin: car.vin)?.summary ?? car.summary)
        })
        api.post("vehicles", ":tag", "command", ":name", use: handler(proxy: proxy, faults: true) { request, region in
            if proxy, (request.parameters.get("tag") ?? "").count != 17 {
                return Response(status: .notFound, body: .init(string: "expected 17-character VIN in path (do not user Fleet API ID)"))
            }
            return try await command(request, region: region, signed: proxy)
        })
        api.post("vehicles", ":tag", "signed_command", use: handler(proxy: proxy, faults: true) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: ["vehicle_cmds", "vehicle_charging_cmds"])
            let car = try await cloud.ownedVehicle(tag: request.parameters.get("tag") ?? "", owner: owner)
            guard car.state == "online" else { throw FakeFailure(408, "vehicle unavailable: vehicle is offline or asleep") }
            guard let message = FakeHTTP.parameters(request)["routable_message"] as? String,
                  let reply = FakeSignedCommand.reply(to: message)
            else { throw FakeFailure(400, "invalid_field", "routable_message must be a base64 RoutableMessage") }
            try await cloud.spend(.commands, vin: car.vin)
            return FakeHTTP.json(["response": reply])
        })
        api.post("vehicles", "fleet_status", use: handler(proxy: proxy) { request, region in
            let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: [])
            let vins = FakeHTTP.strings(FakeHTTP.parameters(request)["vins"])
            guard !vins.isEmpty else { throw FakeFailure(400, "invalid_field", "vins is required") }
            let clientID = (try await cloud.caller(bearer: FakeHTTP.bearer(request))).claims.azp
            let domain = await cloud.partnerDomain(clientID: clientID)
            var paired: [String] = [], unpaired: [String] = [], info: [String: Any] = [:]
            for vin in vins {
                let car = try await cloud.ownedVehicle(tag: vin, owner: owner)
                if let domain, car.pairedDomains.contains(domain) { paired.append(vin) } else { unpaired.append(vin) }
                info[vin] = ["firmware_version": "2024.14.30", "vehicle_command_protocol_required": car.requiresCommandProtocol,
                             "discounted_device_data": false, "fleet_telemetry_version": "1.0.0", "total_number_of_keys": 3,
                             "safety_screen_streaming_toggle_enabled": NSNull()]
            }
            return FakeHTTP.envelope(["key_paired_vins": paired, "unpaired_vins": unpaired, "vehicle_info": info])
        })
        api.post("partner_accounts", use: handler(proxy: proxy) { request, region in
            let clientID = try await cloud.partner(bearer: FakeHTTP.bearer(request))
            let domain = FakeHTTP.parameters(request)["domain"] as? String ?? ""
            guard !domain.isEmpty, domain == domain.lowercased(), !domain.contains("/"), !domain.contains(":") else {
                throw FakeFailure(400, "Invalid domain: \(domain). Ensure that domain is lowercase and starts without https://")
            }
            let key = try await publicKey(of: domain, client: request.client)
            await cloud.register(clientID: clientID, region: region, domain: domain, publicKey: key)
            let now = ISO8601DateFormatter().string(from: Date())
            return FakeHTTP.envelope(["client_id": clientID, "domain": domain, "name": domain, "description": NSNull(),
                                      "csr": NSNull(), "csr_updated_at": NSNull(), "ca": NSNull(), "issuer": NSNull(),
                                      "created_at": now, "updated_at": now, "enterprise_tier": "free",
                                      "account_id": clientID, "public_key": key, "region": region])
        })
        api.get("partner_accounts", "public_key", use: handler(proxy: proxy) { request, _ in
            _ = try await cloud.partner(bearer: FakeHTTP.bearer(request))
            guard let domain = request.query[String.self, at: "domain"], !domain.isEmpty else {
                throw FakeFailure(400, "invalid_field", "domain is required")
            }
            guard let key = await cloud.publicKey(domain: domain) else { throw FakeFailure(404, "not_found", "No public key for \(domain)") }
            return FakeHTTP.envelope(["public_key": key])
        })
    }

    /// Fetches the partner's key from its domain (as Tesla does at registration): the uncompressed P-256 point, hex.
    private func publicKey(of domain: String, client: any Client) async throws -> String {
        let url = cloud.options.partnerKeyURL(domain: domain)
        func failed(_ reason: String) -> FakeFailure { FakeFailure(424, "Public key download failed for \(url), error: \(reason)") }
        let response: ClientResponse
        do {
            response = try await client.get(URI(string: url)) { $0.timeout = .seconds(5) }
        } catch {
            throw failed("unreachable")
        }
        guard response.status == .ok else { throw failed("status \(response.status.code)") }
        guard let body = response.body, body.readableBytes <= 1024 else { throw failed("too large") }
        guard let key = try? P256.Signing.PublicKey(pemRepresentation: String(buffer: body)) else { throw failed("invalid public key") }
        return key.x963Representation.map { String(format: "%02x", $0) }.joined()
    }

    private func vehicleData(_ request: Request, region: String) async throws -> Response {
        let endpoints = (request.query[String.self, at: "endpoints"] ?? FakeVehicle.defaultEndpoints.joined(separator: ";"))
            .split(separator: ";").map(String.init)
        let scopes = endpoints.contains("location_data") ? ["vehicle_location"] : ["vehicle_device_data"]
        let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: scopes)
        if endpoints.contains(where: { $0 != "location_data" }) {
            _ = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region, scopes: ["vehicle_device_data"])
        }
        let car = try await cloud.ownedVehicle(tag: request.parameters.get("tag") ?? "", owner: owner)
        try await cloud.spend(.data, vin: car.vin)
        guard car.state == "online" else { throw FakeFailure(408, "vehicle unavailable: vehicle is offline or asleep") }
        let now = Date()
        let body = try car.vehicleData(endpoints: endpoints, now: now).get()
        _ = await cloud.update(vin: car.vin) { $0.lastActivity = now }
        return FakeHTTP.envelope(body)
    }

    /// A command over REST (`signed: false`) or through the proxy (`signed: true`, needs the paired virtual key).
    private func command(_ request: Request, region: String, signed: Bool) async throws -> Response {
        let name = request.parameters.get("name") ?? ""
        let charging = name.hasPrefix("charge_") || name.hasPrefix("set_charg")
        let owner = try await cloud.admit(bearer: FakeHTTP.bearer(request), region: region,
                                          scopes: charging ? ["vehicle_cmds", "vehicle_charging_cmds"] : ["vehicle_cmds"])
        let car = try await cloud.ownedVehicle(tag: request.parameters.get("tag") ?? "", owner: owner)
        if car.state != "online" {
            throw FakeFailure(signed ? 500 : 408, "vehicle unavailable: vehicle is offline or asleep")
        }
        if car.requiresCommandProtocol {
            guard signed else {
                throw FakeFailure(403, "Tesla Vehicle Command Protocol required, please refer to the documentation here: https://developer.tesla.com/docs/fleet-api#2023-10-09-rest-api-vehicle-commands-endpoint-deprecation-warning")
            }
            let clientID = (try await cloud.caller(bearer: FakeHTTP.bearer(request))).claims.azp
            let domain = await cloud.partnerDomain(clientID: clientID)
            guard let domain, car.pairedDomains.contains(domain) else {
                throw FakeFailure(500, "vehicle rejected request: your public key has not been paired with the vehicle")
            }
        }
        try await cloud.spend(.commands, vin: car.vin)
        let body = FakeHTTP.parameters(request)
        var outcome: (Bool, String)?
        var failure: FakeFailure?
        _ = await cloud.update(vin: car.vin) { vehicle in
            do throws(FakeFailure) { outcome = try vehicle.execute(name, body: body) } catch { failure = error }
            vehicle.lastActivity = Date()
        }
        if let failure { throw failure }
        guard let (result, reason) = outcome else { throw FakeFailure(400, "invalid_command") }
        return FakeHTTP.json(["response": ["result": result, "reason": reason]])
    }

    /// Wraps a handler: the region (from the path, or for the proxy the token's), billing and failures in the
    /// envelope, and (optionally) injected faults.
    private func handler(
        proxy: Bool, faults: Bool = false, _ body: @escaping @Sendable (Request, String) async throws -> Response
    ) -> @Sendable (Request) async throws -> Response {
        { [cloud] request in
            await FakeHTTP.guarded {
                let region: String
                if proxy {
                    region = (try? await cloud.caller(bearer: FakeHTTP.bearer(request)))?.claims.ou_code.lowercased() ?? "na"
                } else {
                    region = request.parameters.get("region") ?? "na"
                    guard cloud.options.regions.contains(region) else { throw FakeFailure(404, "not_found", "Unknown region") }
                }
                await cloud.count("requests")
                if await cloud.billingDisabled {
                    throw FakeFailure(402, "Payment required: the application is disabled until its billing limit or payment method is fixed")
                }
                if faults, let fault = await cloud.drawFault() { return try await inject(fault) }
                return try await body(request, region)
            }
        }
    }

    private func inject(_ fault: String) async throws -> Response {
        switch fault {
        case "408": throw FakeFailure(408, "vehicle unavailable: vehicle is offline or asleep")
        case "429": throw FakeFailure(429, "Retry in 1 seconds", headers: [("Retry-After", "1"), ("RateLimit-Reset", "1")])
        case "timeout":
            try await Task.sleep(for: .seconds(cloud.options.faultTimeoutSeconds))
            throw FakeFailure(504, "upstream timeout")
        default: throw FakeFailure(Int(fault) ?? 500, "internal server error")
        }
    }
}
