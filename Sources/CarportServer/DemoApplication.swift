import CarportCore
import Foundation
import Vapor

/// The test-mode application created on the first start with an empty database, so Connect can be tried at once.
enum DemoApplication {
    static let name = "Carport Demo"
    static let scopes = ["read_vehicle_info", "read_battery", "read_charge", "read_location", "read_odometer",
                         "control_charge", "control_security"]

    /// Creates the demo application when there is no application yet; returns the text to print once.
    static func createIfFirstStart(app: Application) async throws(StartupError) -> String? {
        let registry = app.applicationRegistry
        let publicURL = app.carport.configuration.publicURL
        do {
            guard try await registry.isEmpty() else { return nil }
            let redirectURI = "\(publicURL)/demo/callback"
            let credentials = try await registry.create(name: name, redirectURIs: [redirectURI], mode: .test)
            return banner(credentials, publicURL: publicURL)
        } catch {
            throw StartupError("cannot create the demo application: \(error)")
        }
    }

    static func connectURL(publicURL: String, clientID: String, redirectURI: String) -> String {
        var components = URLComponents(string: "\(publicURL)/oauth/authorize")
        components?.queryItems = [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: scopes.joined(separator: " ")),
            URLQueryItem(name: "mode", value: "test"),
            URLQueryItem(name: "state", value: "demo"),
        ]
        return components?.string ?? publicURL
    }

    private static func banner(_ credentials: IssuedApplicationCredentials, publicURL: String) -> String {
        let redirectURI = credentials.redirectUris[0]
        return """

        Demo application created (test mode). The secrets below are shown only this once:
          client id:        \(credentials.clientId)
          client secret:    \(credentials.clientSecret)
          management token: \(credentials.managementToken)
          API key:          \(credentials.apiKey)
          redirect URI:     \(redirectURI)
          Connect URL:      \(connectURL(publicURL: publicURL, clientID: credentials.clientId, redirectURI: redirectURI))

        """
    }
}
