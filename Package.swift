// swift-tools-version: 6.0
// specgd — GD versus spectral GD on anisotropic phase retrieval.
// Dependencies point one way: specgd (a 4-line main) → SpecgdCLI (every command) → Experiments (compare,
// check-escape, the figure set: Codable requests in, records and files out), Sweep → Comparison (statistics,
// prediction checks), PlotRecipes (figure recipes) → Theory / Simulation / Plot → NumericKit
// → CGSL / CLapacke; SpecgdSupport (records, I/O, errors, the machine block's values) is shared below them
// all and links nothing numerical, so neither do Plot and PlotRecipes. Machine reads the machine block off the
// process (cpuid through CMachine, OpenBLAS's kernel through CLapacke, GSL's version) and chooses the BLAS
// kernel; whatever writes a record depends on it. CSignalRelay is the CLI's stop-signal handler (process
// state, SpecgdCLI only). specgd-bench (the benchmark timings of scripts/bench-*) is a separate executable,
// not library API. Reports (report.html, export-notebook) sits above Experiments and Sweep: it reads every
// kind of record through its writer's own Codable types.
import PackageDescription

let package = Package(
    name: "specgd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "specgd", targets: ["specgd"]),
        .executable(name: "specgd-bench", targets: ["SpecgdBench"]),
        .library(name: "Theory", targets: ["Theory"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Comparison", targets: ["Comparison"]),
        .library(name: "PlotRecipes", targets: ["PlotRecipes"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .library(name: "Sweep", targets: ["Sweep"]),
        .library(name: "Reports", targets: ["Reports"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // YAML experiment files (`specgd run`); only SpecgdCLI reads them.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "CLapacke", path: "Sources/CLapacke"),
        .target(name: "CMachine"),
        .target(name: "CSignalRelay"),
        .target(name: "SpecgdSupport"),
        .target(name: "Machine", dependencies: ["CMachine", "CLapacke", "CGSL", "SpecgdSupport"]),
        .target(name: "NumericKit", dependencies: ["CGSL", "CLapacke", "SpecgdSupport"]),
        // The shared vocabulary of an experiment (method, optimizer, covariance, initialisation,
        // teacher): theory and simulation mean the same thing by the same value. NumericKit for
        // the one polar vocabulary (PolarMethod) and the Newton–Schulz schedules.
        .target(name: "Model", dependencies: ["NumericKit", "SpecgdSupport"]),
        .target(name: "Theory", dependencies: ["Model", "NumericKit", "SpecgdSupport"]),
        .target(name: "Simulation", dependencies: ["Theory", "Model", "NumericKit", "SpecgdSupport"]),
        .target(name: "Plot", dependencies: ["SpecgdSupport"]),
        .target(name: "PlotRecipes", dependencies: ["Plot", "SpecgdSupport"]),
        .target(name: "Comparison", dependencies: ["Theory", "Model", "NumericKit", "SpecgdSupport"]),
        .target(name: "Experiments", dependencies: ["Comparison", "PlotRecipes", "Theory", "Simulation", "Model", "Plot", "Machine",
                                                   "SpecgdSupport"]),
        .target(name: "Sweep", dependencies: ["Theory", "Simulation", "Model", "NumericKit", "Plot", "Machine", "SpecgdSupport"]),
        .target(name: "Reports", dependencies: ["Experiments", "Sweep", "Comparison", "PlotRecipes", "Theory", "Simulation", "Model", "Plot",
                                                "SpecgdSupport"]),
        .target(
            name: "SpecgdCLI",
            dependencies: [
                "Reports", "Experiments", "Comparison", "PlotRecipes", "Sweep", "Theory", "Simulation", "Model", "NumericKit", "Plot", "Machine",
                "SpecgdSupport", "CSignalRelay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(name: "specgd", dependencies: ["SpecgdCLI"]),
        .executableTarget(
            name: "SpecgdBench",
            dependencies: ["Theory", "Model", "NumericKit", "Machine", "SpecgdSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The error models every numerical test tolerance is derived from, shared by the test
        // targets (a regular target: SwiftPM test targets cannot share source files).
        .target(name: "TestSupport", dependencies: ["NumericKit"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["SpecgdSupport"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine", "SpecgdSupport"]),
        .testTarget(name: "NumericKitTests", dependencies: ["NumericKit", "SpecgdSupport", "TestSupport"]),
        .testTarget(name: "TheoryTests", dependencies: ["Theory", "Model", "NumericKit", "SpecgdSupport", "TestSupport"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Theory", "Model", "NumericKit", "SpecgdSupport", "TestSupport"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "TestSupport"]),
        .testTarget(name: "ComparisonTests", dependencies: ["Comparison", "PlotRecipes", "Reports", "Experiments", "Theory", "Simulation", "Model", "Plot",
                                                           "Machine", "SpecgdSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Comparison", "PlotRecipes", "Plot", "Theory", "Simulation", "Model",
                                                            "NumericKit", "SpecgdSupport", "TestSupport"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "Theory", "Simulation", "Model", "NumericKit", "Plot", "Machine", "SpecgdSupport",
                                                       "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["SpecgdCLI", "Reports", "Experiments", "Comparison", "Sweep", "Machine", "SpecgdSupport", "Theory", "Simulation", "Model", "TestSupport",
                                                    .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ]
)
