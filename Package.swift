// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Carport",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "carport", targets: ["Carport"]),
        .executable(name: "getting-started", targets: ["GettingStarted"]),
        .executable(name: "carport-sim-bench", targets: ["SimulatorBench"]),
        .executable(name: "tesla-fleet-fake", targets: ["TeslaFleetFakeServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "CarportCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CarportConnectors",
            dependencies: [
                "CarportCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "CarportServer",
            dependencies: [
                "CarportCore",
                "CarportConnectors",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources/openapi")]
        ),
        .executableTarget(
            name: "Carport",
            dependencies: [
                "CarportServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "GettingStarted",
            dependencies: [.product(name: "Vapor", package: "vapor")],
            path: "examples/getting-started",
            exclude: ["README.md"]
        ),
        .target(
            name: "TeslaFleetFake",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "TeslaFleetFakeServer",
            dependencies: ["TeslaFleetFake", .product(name: "Vapor", package: "vapor")]
        ),
        .executableTarget(
            name: "SimulatorBench",
            dependencies: ["CarportConnectors"]
        ),
        .testTarget(
            name: "CarportCoreTests",
            dependencies: ["CarportCore"]
        ),
        .testTarget(
            name: "CarportConnectorsTests",
            dependencies: ["CarportConnectors"]
        ),
        .testTarget(
            name: "CarportServerTests",
            dependencies: [
                "CarportServer",
                "TeslaFleetFake",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
