import CarportCore
import Vapor

/// Mounts the Smartcar face under `/v{major}.{minor}` (any well-formed version; malformed → 404 VERSION).
struct SmartcarRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped(SmartcarErrorMiddleware()).grouped(":version").grouped(SmartcarVersionMiddleware())
        let controller = SmartcarVehicleController()
        api.get("user", use: controller.user)
        api.get("vehicles", use: controller.vehicles)

        let vehicle = api.grouped("vehicles", ":vehicleID")
        for endpoint in SmartcarReadEndpoint.allCases {
            vehicle.get(endpoint.rawValue.pathComponents, use: SmartcarVehicleController.read(endpoint))
        }
        vehicle.post("charge", use: controller.charge)
        vehicle.post("charge", "limit", use: controller.chargeLimit)
        vehicle.post("security", use: controller.security)
        vehicle.post("navigation", "destination", use: controller.navigate)
        vehicle.get("permissions", use: controller.permissions)
        vehicle.post("batch", use: SmartcarBatch().batch)
        vehicle.delete("application", use: controller.disconnect)

        let management = SmartcarManagement()
        api.get("management", "connections", use: management.list)
        api.delete("management", "connections", use: management.delete)
        SmartcarWebhookRoutes().register(vehicle: vehicle, api: api)

        let compatibility = SmartcarCompatibility()
        api.get("compatibility", use: compatibility.vin)
        api.get("compatibility", "matrix", use: compatibility.matrix)
        // Other paths under a version: `UnmatchedRouteMiddleware` (404 PATH, or 405 METHOD with Allow).
    }
}

/// Accepts `v2.0` and any other well-formed `v<major>.<minor>`; anything else is `RESOURCE_NOT_FOUND:VERSION`.
struct SmartcarVersionMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let version = request.parameters.get("version") ?? ""
        let parts = version.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard version.hasPrefix("v"), parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            return request.eventLoop.makeFailedFuture(
                CarportError(.resourceNotFound, "VERSION", "The requested API version does not exist."))
        }
        return next.respond(to: request)
    }
}
