import Vapor

/// Every route group of the server, in one place.
enum Routes {
    static func register(on app: Application) throws {
        try app.register(collection: OpsController())
    }
}
