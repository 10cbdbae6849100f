import CarportConnectors
import CarportCore
import Fluent
import Vapor

/// The services a configured Carport application carries (one shared instance).
final class CarportServices: Sendable {
    let configuration: CarportConfiguration
    let secretBox: SecretBox
    let signInThrottle = SignInThrottle()
    /// Process-wide caches and budgets (each node keeps its own); what a node drops from its caches it announces to
    /// the other nodes on the database (`cachePeers`, PostgreSQL only).
    let freshnessCache: FreshnessCache
    let grantCache: GrantCache
    /// Vehicles by id: their identity never changes, so the hot path reads it from memory.
    let vehicleCache: VehicleCache
    let applicationCache: ApplicationCache
    let cachePeers: PostgresCachePeers?
    /// This process among the nodes on the database.
    let nodeID: String
    let rateBudgets: RateBudgets
    let vinLocks = KeyedLocks()
    let webhookScanLocks = KeyedLocks()
    let watchList = WatchList()
    let outboxBell = Bell()
    let ocppCallBell = Bell()
    let ocppLinks = OCPPLinks()
    let tokenWrites: TokenWriteBatches
    let ocppStateWrites: OCPPStateWrites
    /// Tesla's Fleet API for live mode, when the operator configured it.
    let tesla: TeslaFleetClient?
    /// Requests to brands' clouds by brand, category and status (`/metrics`).
    let upstreamMeter: UpstreamMeter

    init(configuration: CarportConfiguration, secretBox: SecretBox, tesla: TeslaFleetClient?, upstreamMeter: UpstreamMeter,
         database: @escaping @Sendable () -> any Database, databaseIfOpen: @escaping @Sendable () -> (any Database)?,
         logger: Logger) {
        let nodeID = UUID().uuidString
        self.nodeID = nodeID
        if case .postgres(let url) = configuration.database {
            cachePeers = PostgresCachePeers(nodeID: nodeID, url: url, database: databaseIfOpen, logger: logger)
        } else {
            cachePeers = nil
        }
        freshnessCache = FreshnessCache(peers: cachePeers)
        grantCache = GrantCache(peers: cachePeers)
        vehicleCache = VehicleCache(peers: cachePeers)
        applicationCache = ApplicationCache(peers: cachePeers)
        self.upstreamMeter = upstreamMeter
        self.configuration = configuration
        tokenWrites = TokenWriteBatches(resolveDatabase: database)
        ocppStateWrites = OCPPStateWrites(resolveDatabase: database)
        self.secretBox = secretBox
        self.tesla = tesla
        rateBudgets = RateBudgets(perApplication: configuration.applicationRateLimit, perVehicle: configuration.vehicleRateLimit)
    }
}

extension CarportServices {
    /// Drops what another node announced, without announcing it again.
    func apply(_ drop: CacheDrop) {
        switch drop {
        case .grants: grantCache.removeAll(announce: false)
        case .application(let id): applicationCache.remove(id: id, announce: false)
        case .vehicle(let id): vehicleCache.remove(id: id, announce: false)
        case .readings(let id, let signals): freshnessCache.invalidate(signals, of: id, announce: false)
        case .everything:
            grantCache.removeAll(announce: false)
            applicationCache.removeAll()
            vehicleCache.removeAll()
            freshnessCache.removeAll()
        }
    }

    /// Listens for the other nodes' cache drops until cancelled (PostgreSQL; returns at once on SQLite's one node).
    func listenToPeers(onListening: @escaping @Sendable () -> Void = {}) async {
        guard let cachePeers else { return onListening() }
        await cachePeers.run(apply: { [self] in apply($0) }, onListening: onListening)
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
        ApplicationRegistry(store: FluentApplicationStore(database: self.db),
                            userTokenKeys: FluentUserTokenKeyStore(resolveDatabase: { [unowned self] in self.db }, box: carport.secretBox),
                            box: carport.secretBox)
    }
}

extension Request {
    var carport: CarportServices { application.carport }
    var applicationRegistry: ApplicationRegistry {
        ApplicationRegistry(store: FluentApplicationStore(database: self.db, cache: carport.applicationCache),
                            userTokenKeys: FluentUserTokenKeyStore(resolveDatabase: { [db] in db }, box: carport.secretBox),
                            box: carport.secretBox)
    }
    var authorizationServer: AuthorizationServer {
        AuthorizationServer(store: FluentOAuthStore(database: self.db, batches: carport.tokenWrites), cache: carport.grantCache)
    }
    var connectionStore: FluentConnectionStore { FluentConnectionStore(database: self.db, cache: carport.vehicleCache) }

    var simulator: SimulatorService {
        SimulatorService(store: FluentSimulatedCarStore(database: self.db), locks: carport.vinLocks)
    }

    /// Leases of background work shared by every node on the database.
    var leaseStore: FluentLeaseStore { FluentLeaseStore(resolveDatabase: { [db] in db }) }

    var connectors: ConnectorRegistry { ConnectorRegistry(simulator: simulator, tesla: carport.tesla) }

    var connectService: ConnectService {
        ConnectService(
            flows: FluentConnectFlowStore(database: self.db), connections: connectionStore,
            authorizationServer: authorizationServer, brands: connectors,
            issuer: carport.configuration.publicURL)
    }

    var chargingLocationService: ChargingLocationService {
        ChargingLocationService(store: FluentChargingLocationStore(database: self.db))
    }

    var chargerStore: FluentChargerStore { FluentChargerStore(database: self.db) }

    /// Embedded connect sessions (the Jedlix face and its pages); they ask for what smart charging needs.
    var connectSessionService: ConnectSessionService {
        ConnectSessionService(
            sessions: FluentConnectSessionStore(resolveDatabase: { [db] in db }, box: carport.secretBox),
            connect: connectService, authorizationServer: authorizationServer, connections: connectionStore,
            locations: FluentChargingLocationStore(database: self.db),
            doneURL: SessionPagesController.doneURL(self), permissions: JedlixRoutes.sessionPermissions)
    }

    var vehicleService: VehicleService {
        VehicleService(
            store: FluentVehicleStore(database: self.db, cache: carport.vehicleCache), connectors: connectors,
            cache: carport.freshnessCache, budgets: carport.rateBudgets, tokenCache: carport.grantCache,
            maxAge: carport.configuration.maxAge, pass: storage[ReadingPassKey.self])
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
