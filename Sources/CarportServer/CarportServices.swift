import CarportConnectors
import CarportCore
import Vapor

/// The services a configured Carport application carries.
struct CarportServices: Sendable {
    let configuration: CarportConfiguration
    let secretBox: SecretBox
    let brandSignIn: any BrandSignIn
    let signInThrottle: SignInThrottle

    init(configuration: CarportConfiguration, secretBox: SecretBox) {
        self.configuration = configuration
        self.secretBox = secretBox
        brandSignIn = SimulatedBrandSignIn()
        signInThrottle = SignInThrottle()
    }
}

extension Application {
    private struct ServicesKey: StorageKey { typealias Value = CarportServices }

    var carport: CarportServices {
        get {
            guard let services = storage[ServicesKey.self] else { fatalError("Carport is not configured") }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }

    /// The application registry over this application's database.
    public var applicationRegistry: ApplicationRegistry {
        ApplicationRegistry(store: FluentApplicationStore(database: db))
    }
}

extension Request {
    var carport: CarportServices { application.carport }
    var applicationRegistry: ApplicationRegistry { ApplicationRegistry(store: FluentApplicationStore(database: db)) }
    var authorizationServer: AuthorizationServer { AuthorizationServer(store: FluentOAuthStore(database: db)) }
    var connectionStore: FluentConnectionStore { FluentConnectionStore(database: db) }

    var connectService: ConnectService {
        ConnectService(
            flows: FluentConnectFlowStore(database: db), connections: connectionStore,
            authorizationServer: authorizationServer, brands: carport.brandSignIn,
            issuer: carport.configuration.publicURL)
    }
}

extension DatabaseLocation {
    var kind: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }
}
