import Foundation
import Testing
import Comparison
import Experiments
import PlotRecipes
import Plot
import Model
import Simulation
import SpecgdSupport
import Theory

/// The experiments run in-process: a request in, a record and its files out.
@Suite struct ExperimentsTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "specgd-experiments-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONOutput.decoder().decode(T.self, from: try JSONOutput.encode(value))
    }

    static let tinyCheck = CheckEscapeRequest(lambdas: [1, 8], dimension: 12, steps: 3000, simulation: nil)

    @Test func checkEscapeOnTheMapHoldsAndTalliesItsRows() throws {
        let result = try CheckEscapeExperiment.run(Self.tinyCheck)
        let s = result.summary
        #expect(s.total == result.rows.count && s.held + s.failed + s.notCheckable == s.total)
        #expect(s.failed == 0 && s.allPassed)
        #expect(result.rows.allSatisfy { $0.source == .theoryMap })
        #expect(Set(result.rows.map(\.lambda)) == [1, 8])
        #expect(result.configuration.stepsGD == 3000 && result.configuration.stepsSpecGD == 3000)
        #expect(result.configuration.initialization == nil && result.configuration.seeds == nil)
        #expect(abs(s.q0 - 10 * 1e-6) < 1e-18)
        #expect(result.output.fileNames.sorted() == ["amplification.csv", "amplification.recipe.json", "amplification.svg",
                                                      "escape-check.csv", "escape-check.json", "rho-curve.csv"])
        // (as text: the not-checkable cells are NaN)
        #expect(result.output.tables["escape-check.csv"].map { "\($0)" } == "\(EscapeCheck.table(result.rows))")
    }

    @Test func checkEscapeStepBudgetsFollowTheEscapeEstimates() throws {
        var request = Self.tinyCheck
        request.stepsGD = nil
        request.stepsSpecGD = nil
        // SpecGD: a moves by η per step, so ⌈(0.5 − α)/η⌉ = 499 steps; the budget is 1.2× that + 20.
        #expect(try request.stepBudget(.specgd) == Int(1.2 * 499 + 20))
        #expect(try request.stepBudget(.gd) > 100)
        request.specgdLearningRate = 1e-300
        #expect(throws: InputError.self) { try request.stepBudget(.specgd) }
    }

    /// The record's configuration is a resolved request: rerunning it gives the same rows.
    @Test func checkEscapeReplaysFromItsRecordedConfiguration() throws {
        var request = CheckEscapeRequest(lambdas: [8], dimension: 8, simulation: .init(seeds: 2))
        request.specgdLearningRate = 2e-3
        let first = try CheckEscapeExperiment.run(request)
        #expect(first.rows.contains { $0.source == .simulation })
        let stored = try Self.roundTrip(first.configuration)
        let replay = try CheckEscapeRequest(stored)
        #expect(try replay.configuration() == first.configuration)
        let again = try CheckEscapeExperiment.run(try Self.roundTrip(replay), jobs: 2)
        #expect(again.rows == first.rows)
        #expect(again.summary == first.summary)
    }

    @Test func checkEscapeWritesItsFilesInOnePlace() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try CheckEscapeExperiment.run(Self.tinyCheck)
        try result.output.write(to: dir + "/out", command: ["specgd", "check-escape"])
        for name in result.output.fileNames {
            #expect(FileManager.default.fileExists(atPath: dir + "/out/" + name), "\(name)")
        }
        #expect(try Table.readCSV(dir + "/out/escape-check.csv").rows.count == result.rows.count)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/escape-check.json"))) as! [String: Any]
        #expect(record["kind"] as? String == "check-escape" && record["command"] as? String == "specgd check-escape")
    }

    static func compareRequest(methods: [Method], steps: Int = 200) -> CompareRequest {
        var theory = TheoryConfiguration()
        theory.lambda = 8
        theory.dimension = 8
        theory.steps = steps
        theory.every = 10
        var simulation = SimulationConfiguration()
        simulation.lambda = 8
        simulation.dimension = 8
        simulation.steps = steps
        simulation.every = 10
        simulation.recordWallTime = false
        return CompareRequest(methods: methods, theory: theory, simulation: simulation, tolerance: 1e-8)
    }

    /// From W₀ = αI on the population loss, the dense run reproduces the map to round-off.
    @Test func compareBothMethodsPassesOnTheInvariantManifold() throws {
        let request = Self.compareRequest(methods: [.gd, .specgd])
        #expect(try Self.roundTrip(request) == request)
        let result = try CompareExperiment.run(request)
        #expect(result.outcome.status == .completed && result.divergence == nil)
        #expect(result.passed == true)
        #expect(result.summary.methods.map(\.csv) == ["compare-gd.csv", "compare-specgd.csv"])
        #expect(result.comparisons.count == 2 && result.comparisons.allSatisfy { $0.commonSteps == 21 })
        #expect(result.output.fileNames == ["compare-gd.csv", "seeds-gd.csv", "spread-gd.csv", "compare-specgd.csv", "seeds-specgd.csv",
                                                      "spread-specgd.csv", "overlay.svg", "overlay.recipe.json", "report.json"])
        #expect(result.configuration.methods == ["gd", "specgd"] && result.configuration.tolerance == 1e-8)
    }

    /// A token cancelled before the run: the first theory run stops at once, nothing else
    /// runs, and the output (an empty overlay and the report, status interrupted) is complete.
    @Test func compareWithAPreCancelledTokenStopsAndKeepsItsOutput() throws {
        let token = CancellationToken()
        token.cancel(reason: "SIGTERM")
        var bars = 0
        let result = try CompareExperiment.run(Self.compareRequest(methods: [.gd, .specgd], steps: 100_000),
                                               cancellation: token) { _, _ in bars += 1; return nil }
        #expect(result.outcome.status == .interrupted && result.outcome.detail == "SIGTERM")
        #expect(result.summary.methods.isEmpty && result.comparisons.isEmpty && bars == 0)
        #expect(result.output.fileNames == ["overlay.svg", "overlay.recipe.json", "report.json"])
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try result.output.write(to: dir, command: ["specgd", "compare"])
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))) as! [String: Any]
        #expect(record["status"] as? String == "interrupted" && record["stopDetail"] as? String == "SIGTERM")
    }

    /// A token cancelled while the simulation runs: that method is compared on the steps both
    /// sides reached, and it is the last one.
    @Test func compareCancelledDuringTheSimulationComparesTheStepsReached() throws {
        let token = CancellationToken()
        let request = Self.compareRequest(methods: [.gd, .specgd], steps: 400)
        let result = try CompareExperiment.run(request, cancellation: token) { label, total in
            token.cancel(reason: "test")
            return nil
        }
        #expect(result.outcome.status == .interrupted)
        #expect(result.summary.methods.map(\.method) == ["gd"])
        let report = try #require(result.summary.methods.first)
        #expect(report.theoryStatus.status == .completed && report.simulationStatus.status == .interrupted)
        #expect(report.commonSteps >= 1 && report.commonSteps < 41)
        #expect(result.output.fileNames.first == "compare-gd.csv")
    }

    @Test func figureSetRequestIsCodableAndNamesItsFigures() throws {
        var request = FigureSetRequest.quick
        request.lambda = 4
        // muonScale is not a coded key (the other figures' sidecars stay as they were; the
        // muon-at-scale sidecar stores it on its own): it decodes to its default.
        request.muonScale = MuonAtScaleSizes()
        #expect(try Self.roundTrip(request) == request)
        var full = FigureSetRequest.full
        full.muonScale = MuonAtScaleSizes()
        #expect(try Self.roundTrip(FigureSetRequest.full) == full)
        #expect(!String(decoding: try JSONOutput.encode(FigureSetRequest.quick), as: UTF8.self).contains("muonScale"))
        #expect(FigureSet.names.count == 7)
    }
}

/// Writing stopped during a conversion (`figures` interrupted): the records list only the PNGs
/// that exist (issue 21: they listed every figure's conversion, written or not).
@Suite struct InterruptedWritingTests {
    static let converter = ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"].map { $0 + "/rsvg-convert" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: converter != nil)) func recordsListOnlyTheConversionsMade() throws {
        func recipe(_ name: String) -> FigureRecipe {
            FigureRecipe(name: name, title: name, description: "", columns: 1, sharedLegend: false,
                         panels: [PanelRecipe(title: "", xLabel: "x", yLabel: "y", series: [.line("\(name).csv", x: "x", y: "y", label: nil, color: .blue)])])
        }
        var table = Table(columns: ["x", "y"])
        for k in 0..<5 { table.append([Double(k), Double(k * k)]) }
        var output = ExperimentOutput()
        for name in ["one", "two"] {
            output.add("\(name).csv", table: table)
            output.add("\(name).json", kind: "figures", configuration: ["figure": name], summary: ["rows": 5])
            output.add(recipe(name), tables: ["\(name).csv": table])
        }
        let formats = try FigureFormats([.svg, .png], path: (Self.converter! as NSString).deletingLastPathComponent)
        let dir = try ExperimentsTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Cancelled before the first conversion ends: figure "one" is dropped, nothing after it is written.
        let token = CancellationToken()
        token.cancel(reason: "SIGINT")
        #expect(throws: RunInterrupted.self) { try output.write(to: dir, command: ["specgd", "figures"], formats: formats, cancellation: token) }
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(files == ["one.csv", "one.json"])
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/one.json"))) as! [String: Any]
        let listed = record["convertedFigures"] as? [String] ?? []
        #expect(listed.allSatisfy { files.contains($0) }, "\(listed)")
        // Uninterrupted, every record lists both conversions, and they exist.
        let full = try ExperimentsTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: full) }
        try output.write(to: full, command: ["specgd", "figures"], formats: formats)
        let complete = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: full + "/two.json"))) as! [String: Any]
        #expect(complete["convertedFigures"] as? [String] == ["one.png", "two.png"])
        #expect(FileManager.default.fileExists(atPath: full + "/one.png") && FileManager.default.fileExists(atPath: full + "/two.png"))
    }
}
