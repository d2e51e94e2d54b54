import Foundation
import Testing
import SpecgdSupport
@testable import Sweep
import Model
import Simulation
import Theory

/// Sweeps over the covariance (docs/sweep.md "Other covariances"): a power law's exponent β and
/// signal index, the strengths of several spikes. Every cell is what a single `theory` run of
/// the same experiment gives, and the runner's batched rows are the cell-by-cell values.
@Suite struct CovarianceSweepTests {
    static let metrics: [Metric] = [.escapeStep, .alignmentAtEscape, .finalLoss, .peakAmplification]

    static func powerLawBase() -> ModelPoint {
        var base = ModelPoint(method: .gd, lambda: 8, dimension: 120, alpha: 1e-3, learningRate: 1e-3, steps: 6000, escapeThreshold: 0.5)
        base.covariance = .powerLaw
        base.beta = 1
        base.signalIndex = 4
        return base
    }

    static func twoSpikeBase(_ method: Method) -> ModelPoint {
        var base = ModelPoint(method: method, lambda: 8, dimension: 200, alpha: 1e-3, learningRate: 1e-3, steps: 4000, escapeThreshold: 0.5)
        base.spikes = [8, 2]
        return base
    }

    /// Each cell's metrics against `runTheory` of the cell's experiment: the escape step and
    /// the final loss are the same map's, bit for bit.
    static func expectCellsMatchSingleRuns(_ configuration: SweepConfiguration) throws -> Int {
        let rows = try RowBatchingTests.cells(configuration, TheoryEvaluator(), jobs: 2)
        #expect(rows == (try RowBatchingTests.cells(configuration, RowBatchingTests.CellByCell(), jobs: 1)))
        let lines = rows.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        let escape = header.firstIndex(of: "escape_step")!, loss = header.firstIndex(of: "final_loss")!
        var escaped = 0
        for line in lines.dropFirst() {
            let point = configuration.point(at: Int(line[0])!)
            var theory = TheoryConfiguration(point.experiment)
            theory.every = point.steps
            let result = try runTheory(theory)
            let step = result.summary.escape.escapeStep
            #expect(line[escape] == (step.map(String.init) ?? "nan"), "cell \(line[0]): \(line[escape]) vs \(String(describing: step))")
            #expect(Double(line[loss]) == result.summary.escape.finalLoss, "cell \(line[0]) final loss")
            if step != nil { escaped += 1 }
        }
        return escaped
    }

    @Test func powerLawBetaAndLearningRateMatchSingleRuns() throws {
        let grid = try Grid.parse(["beta=0.5:2:4", "lr=1e-4:3e-3:4:log"], mode: .theory)
        let configuration = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: grid, base: Self.powerLawBase(), derived: [])
        // Real dynamics: most cells escape (the slowest β and η do not within the budget).
        #expect(try Self.expectCellsMatchSingleRuns(configuration) >= 8)
    }

    @Test func signalIndexAxisMatchesSingleRuns() throws {
        let grid = try Grid.parse(["signal-index=1,4,16", "lr=3e-4,1e-3"], mode: .theory)
        let configuration = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: grid, base: Self.powerLawBase(), derived: [])
        _ = try Self.expectCellsMatchSingleRuns(configuration)
    }

    @Test(arguments: [Method.gd, .specgd])
    func secondSpikeAxisMatchesSingleRuns(_ method: Method) throws {
        let grid = try Grid.parse(["spike2=0.5,4,16", "lr=1e-3,3e-3"], mode: .theory)
        let configuration = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: grid, base: Self.twoSpikeBase(method), derived: [])
        #expect(try Self.expectCellsMatchSingleRuns(configuration) == 6)
        // The axis reaches the model: the second spike's group has the cell's strength.
        let model = try configuration.point(at: 5).groupedModel()
        #expect(model.groups.first { $0.name == "b2" }?.eigenvalue == 17)
    }

    /// A dense sweep over β runs each cell's power law: cell by cell, its escape step is a
    /// `Simulator` run of the same configuration.
    @Test func simulateModeRunsTheCellsCovariance() throws {
        var base = Self.powerLawBase()
        base.dimension = 12
        base.steps = 1500
        base.learningRate = 3e-3
        let grid = try Grid.parse(["beta=0.5,1.5"], mode: .simulate)
        let configuration = try SweepConfiguration(mode: .simulate, metrics: [.escapeStep], grid: grid, base: base, derived: [])
        let evaluator = SimulationEvaluator()
        var steps = Set<Double>()
        for cell in 0..<2 {
            let point = configuration.point(at: cell)
            let config = SimulationEvaluator.configuration(point)
            #expect(config.covariance == .powerLaw && config.beta == point.beta && config.signalIndex == 4)
            let table = try runSimulation(config).perSeed[0]
            let expected = try EscapeTracker.metrics(of: table, threshold: 0.5).escapeStep.map(Double.init) ?? .nan
            let value = try evaluator.evaluate(point, metrics: [.escapeStep])[0]
            #expect(value == expected || (value.isNaN && expected.isNaN))
            steps.insert(value)
        }
        #expect(steps.count == 2)  // β reaches the dense problem
    }

    /// Axes the base covariance does not read are refused in one line, naming the axis.
    @Test func axesTheCovarianceDoesNotReadAreRefused() throws {
        let spiked = ModelPoint(method: .gd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3, steps: 10, escapeThreshold: 0.5)
        func refusal(_ axis: String, _ base: ModelPoint) -> String? {
            do {
                _ = try SweepConfiguration(mode: .theory, metrics: [.escapeStep], grid: try Grid.parse([axis], mode: .theory), base: base, derived: [])
                return nil
            } catch let error as InputError { return error.message }
            catch { return "\(error)" }
        }
        #expect(refusal("beta=1,2", spiked)?.hasPrefix("grid axis beta applies to covariance power-law only") == true,
                "\(refusal("beta=1,2", spiked) ?? "accepted")")
        #expect(refusal("spike2=1,2", spiked)?.contains("give spikes with at least 2 values") == true)
        #expect(refusal("lambda=1,2", Self.twoSpikeBase(.gd))?.contains("vary spike1, spike2") == true)
        #expect(refusal("lambda=1,2", Self.powerLawBase())?.contains("spiked only") == true)
        #expect(refusal("signal-index=1,2", Self.powerLawBase()) == nil)
    }
}
