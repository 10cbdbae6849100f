import ArgumentParser
import CarportCore
import CarportServer
import Foundation

struct AppsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps",
        abstract: "Register and manage applications.",
        subcommands: [Create.self, List.self, RotateSecret.self, RotateManagementToken.self, UserTokenKey.self, Delete.self])

    /// Runs `body` with the application registry of the configured database.
    static func withRegistry<T: Sendable>(_ body: (ApplicationRegistry) async throws -> T) async throws -> T {
        try await runOneShot({ try await CarportServer.withApplicationRegistry(configuration: $0, $1) },
                             failing: ApplicationRegistry.Failure.self, body)
    }

    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an application and print its credentials once.")

        @Option(help: "Application name.") var name: String
        @Option(name: .customLong("redirect-uri"), help: "A redirect URI (repeat for several).") var redirectURIs: [String] = []
        @Option(help: "Mode: live, test or simulated.") var mode: ApplicationMode = .test
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let credentials = try await AppsCommand.withRegistry {
                try await $0.create(name: name, redirectURIs: redirectURIs, mode: mode)
            }
            if json { return try AppsCommand.printJSON(credentials) }
            print("""
            Application "\(name)" created (\(mode.rawValue) mode). The secrets are shown only this once:
              client id:        \(credentials.clientId)
              client secret:    \(credentials.clientSecret)
              management token: \(credentials.managementToken)
              API key:          \(credentials.apiKey)
              redirect URIs:    \(credentials.redirectUris.joined(separator: " "))
            """)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applications (no secrets).")

        @Flag(help: "Print a JSON array.") var json = false

        func run() async throws {
            let applications = try await AppsCommand.withRegistry { try await $0.list() }
            if json { return try AppsCommand.printJSON(applications.map(Listing.init)) }
            if applications.isEmpty { return print("No applications.") }
            for application in applications {
                print("\(application.clientID)  \(application.mode.rawValue)  \(application.name)  "
                    + application.redirectURIs.joined(separator: " "))
            }
        }

        struct Listing: Encodable {
            let clientId: String, name: String, mode: ApplicationMode, redirectUris: [String], createdAt: Date

            init(_ application: RegisteredApplication) {
                clientId = application.clientID
                name = application.name
                mode = application.mode
                redirectUris = application.redirectURIs
                createdAt = application.createdAt
            }
        }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret", abstract: "Issue a new client secret; the old one stops working.")

        @Argument(help: "Client id of the application.") var id: String

        func run() async throws {
            let secret = try await AppsCommand.withRegistry { try await $0.rotateSecret(clientID: id) }
            print(secret)
        }
    }

    struct RotateManagementToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-management-token",
            abstract: "Issue a new management token (also the key of the application's Smartcar webhook signatures); the old one stops working.")

        @Argument(help: "Client id of the application.") var id: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let token = try await AppsCommand.withRegistry { try await $0.rotateManagementToken(clientID: id) }
            if json { return try AppsCommand.printJSON(["managementToken": token]) }
            print(token)
        }
    }

    struct UserTokenKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user-token-key",
            abstract: "Generate the HS256 key the application signs its users' tokens with (Jedlix face); print it once.")

        @Argument(help: "Client id of the application.") var id: String
        @Option(help: "The iss claim the tokens carry.") var issuer: String
        @Option(help: "The aud claim the tokens carry.") var audience: String
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            let key = try await AppsCommand.withRegistry {
                try await $0.registerUserTokenKey(clientID: id, issuer: issuer, audience: audience)
            }
            if json { return try AppsCommand.printJSON(["key": key, "issuer": issuer, "audience": audience, "claim": "jedlix_user_id"]) }
            print("""
            User-token key (HS256, base64url; shown only this once): \(key)
            Sign each user's token with it, carrying iss "\(issuer)", aud "\(audience)", exp, and jedlix_user_id.
            """)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an application and everything it owns.")

        @Argument(help: "Client id of the application.") var id: String

        func run() async throws {
            try await AppsCommand.withRegistry { try await $0.delete(clientID: id) }
            print("Deleted application \(id).")
        }
    }
}

extension ApplicationMode: ExpressibleByArgument {}
