// swift-tools-version:6.1
import PackageDescription

/// Strict settings on every target (see ../shared/STYLE.md).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "tokenvault",
    products: [
        .executable(name: "tokenvault", targets: ["tokenvault"]),
        .library(name: "TokenVault", targets: ["TokenVault"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C system libraries (sqlite3, zlib, libpq): a module map and a shim header each, nothing else.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CGPGME", pkgConfig: "gpgme", providers: [.apt(["libgpgme-dev"])]),
        // prctl(2) wrappers (a variadic call), for the process hardening at start.
        .systemLibrary(name: "CProcess"),
        // All the logic: input → validation → vault → pipeline → output, plus jobs.
        .target(
            name: "TokenVault",
            dependencies: [
                "CSQLite",
                "CZlib",
                "CPQ",
                "CGPGME",
                "CProcess",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings,
            plugins: ["BuildCommitPlugin"]
        ),
        // The git commit a build comes from, for `--version` ("unknown" without git).
        .plugin(name: "BuildCommitPlugin", capability: .buildTool()),
        // A thin command line over the library.
        .executableTarget(
            name: "tokenvault",
            dependencies: [
                "TokenVault",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TokenVaultTests",
            dependencies: [
                "TokenVault",
                // End-to-end tests run the built executable, so `swift test` builds it first.
                "tokenvault",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
