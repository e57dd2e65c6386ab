// swift-tools-version:6.2
// Skiff: a pod-native, daemonless container engine, its Expect library and its test suite.
// No package dependencies by design: Foundation, Glibc, Dispatch and XCTest only.
import PackageDescription

/// Every Swift target builds with warnings treated as errors.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "Skiff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
        .executable(name: "stage1-fly", targets: ["stage1-fly"]),
        .executable(name: "stage1-container", targets: ["stage1-container"]),
        .executable(name: "stage1-stub", targets: ["stage1-stub"]),
        .library(name: "Expect", targets: ["Expect"]),
        .library(name: "ExpectTesting", targets: ["ExpectTesting"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    targets: [
        // C for what Swift cannot import or must not do: the child side of fork, variadic calls.
        .target(
            name: "CShim",
            cSettings: [
                .define("_GNU_SOURCE"),
                .unsafeFlags(["-Wall", "-Wextra", "-Werror"]),
            ],
            linkerSettings: [.linkedLibrary("util")]
        ),
        .target(name: "Expect", dependencies: ["CShim"], swiftSettings: strict),
        // The rkt-style test helper layer (spawnOrFail, expectOrFail, waitOrFail) over XCTest.
        .target(name: "ExpectTesting", dependencies: ["Expect"], swiftSettings: strict),
        // The engine, one module per concern; each depends only on the ones above it here.
        .target(name: "SkiffSystem", dependencies: ["CShim"], swiftSettings: strict),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .target(name: "SkiffDigest", dependencies: ["COpenSSL"], swiftSettings: strict),
        .target(name: "SkiffArchive", dependencies: ["CShim", "SkiffSystem", "SkiffDigest"], swiftSettings: strict),
        .target(name: "SkiffImage", dependencies: ["SkiffSystem", "SkiffDigest"], swiftSettings: strict),
        .target(name: "SkiffTrust", dependencies: ["SkiffSystem"], swiftSettings: strict),
        .target(name: "SkiffFetch", dependencies: ["SkiffSystem", "SkiffDigest"], swiftSettings: strict),
        .target(
            name: "SkiffStore",
            dependencies: ["SkiffSystem", "SkiffDigest", "SkiffArchive", "SkiffImage"], swiftSettings: strict),
        .target(name: "SkiffStage1", dependencies: ["CShim", "SkiffSystem", "SkiffImage"], swiftSettings: strict),
        // The container stage1: namespaces, pivot_root, the pod's init (docs/stage1-container.md).
        .target(
            name: "SkiffContainer", dependencies: ["CShim", "SkiffSystem", "SkiffImage", "SkiffStage1", "SkiffIsolation"],
            swiftSettings: strict),
        .target(
            name: "SkiffPod", dependencies: ["CShim", "SkiffSystem", "SkiffImage", "SkiffStage1"], swiftSettings: strict),
        .target(
            name: "SkiffNetwork", dependencies: ["CShim", "SkiffSystem", "SkiffImage", "SkiffDigest"],
            swiftSettings: strict),
        .target(name: "SkiffIsolation", dependencies: ["CShim", "SkiffSystem", "SkiffImage"], swiftSettings: strict),
        .target(name: "SkiffRunOptions", dependencies: ["SkiffSystem", "SkiffImage"], swiftSettings: strict),
        .target(
            name: "Engine",
            dependencies: [
                "CShim", "SkiffSystem", "SkiffDigest", "SkiffArchive", "SkiffImage", "SkiffTrust", "SkiffFetch",
                "SkiffStore", "SkiffStage1", "SkiffPod", "SkiffRunOptions", "SkiffNetwork",
            ],
            swiftSettings: strict),
        .executableTarget(name: "skiff", dependencies: ["Engine"], swiftSettings: strict),
        // Stage1 programs: the fly and container flavors, and a stub that records what stage0 hands
        // it (tests).
        .executableTarget(name: "stage1-fly", dependencies: ["SkiffStage1"], swiftSettings: strict),
        .executableTarget(name: "stage1-container", dependencies: ["SkiffContainer"], swiftSettings: strict),
        .executableTarget(
            name: "stage1-stub", dependencies: ["SkiffStage1", "SkiffSystem", "SkiffImage"], swiftSettings: strict),
        // Benchmarks live in bench/ (make bench); they are never timed assertions inside tests.
        .executableTarget(
            name: "expect-bench", dependencies: ["Expect"], path: "bench/expect/Sources",
            swiftSettings: strict),
        .executableTarget(
            name: "archive-bench", dependencies: ["SkiffArchive", "SkiffSystem"], path: "bench/archive/Sources",
            swiftSettings: strict),
        .executableTarget(
            name: "fetch-bench", dependencies: ["SkiffDigest"], path: "bench/fetch/Sources", swiftSettings: strict),
        // Forked by the isolation tests so that only C runs in the child.
        .target(
            name: "CIsolationProbe", dependencies: ["CShim"], path: "Tests/CIsolationProbe",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-Wall", "-Wextra", "-Werror"])]),
        .testTarget(
            name: "Unit",
            dependencies: [
                "Expect", "ExpectTesting", "Engine", "SkiffSystem", "CShim", "SkiffDigest", "SkiffArchive", "SkiffImage",
                "SkiffTrust", "SkiffFetch", "SkiffStore", "SkiffTestSupport", "SkiffRunOptions", "SkiffPod", "SkiffStage1", "SkiffContainer",
                "stage1-fly", "stage1-container", "stage1-stub", "SkiffNetwork", "SkiffIsolation", "CIsolationProbe",
            ],
            path: "Tests/Unit", swiftSettings: strict),
        // Shared by the test targets: test servers, image builders, throwaway keys, the harness.
        .target(
            name: "SkiffTestSupport",
            dependencies: ["CShim", "Expect", "ExpectTesting", "SkiffSystem", "SkiffArchive", "SkiffDigest"],
            path: "Tests/Support", swiftSettings: strict),
        .testTarget(
            name: "Functional", dependencies: ["Expect", "ExpectTesting", "Engine", "SkiffTestSupport", "SkiffNetwork"],
            path: "Tests/Functional", swiftSettings: strict),
    ]
)
