import Foundation
import Testing
import SpecgdSupport
@testable import Sweep
import Model
import Theory

/// The word axes next to `method` and `polar` (docs/sweep.md "Word axes"): `nesterov` (true,
/// false) and `covariance` (spiked, power-law, diagonal). Every cell is a single `theory` run of
/// the same experiment, and an axis no cell can read is refused in one line.
@Suite struct WordAxesTests {
    static let metrics: [Metric] = [.escapeStep, .alignmentAtEscape, .finalLoss, .peakAmplification]

    @Test func nesterovAxisMatchesSingleRuns() throws {
        var base = ModelPoint(method: .specgd, lambda: 8, dimension: 50, alpha: 1e-3, learningRate: 1e-3, steps: 1500, escapeThreshold: 0.5)
        base.optimizerOptions = Optimizer(method: .specgd, polar: .ns5, momentum: 0.9)
        let grid = try Grid.parse(["nesterov=true,false", "lr=1e-3,1e-2"], mode: .theory)
        var pinned = base
        for axis in grid.axes { pinned.set(axis, axis.values[0]) }
        let configuration = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: grid, base: pinned, derived: [])
        try configuration.checkOptimizer()
        #expect(try CovarianceSweepTests.expectCellsMatchSingleRuns(configuration) == 4)
        // The axis reaches the optimizer, and its cells differ (Nesterov changes the trajectory).
        #expect(configuration.point(at: 0).optimizer.nesterov && !configuration.point(at: 2).optimizer.nesterov)
        let on = try runTheory(TheoryConfiguration(configuration.point(at: 1).experiment)).summary.escape
        let off = try runTheory(TheoryConfiguration(configuration.point(at: 3).experiment)).summary.escape
        #expect(on.alignmentAtEscape != off.alignmentAtEscape)
    }

    /// A rule that does not read Nesterov momentum is refused, with the library's own message.
    @Test func nesterovAxisOnAdamIsRefused() throws {
        var base = ModelPoint(method: .adam, lambda: 8, dimension: 50, alpha: 1e-3, learningRate: 1e-3, steps: 100, escapeThreshold: 0.5)
        let grid = try Grid.parse(["nesterov=true,false"], mode: .theory)
        for axis in grid.axes { base.set(axis, axis.values[0]) }
        let configuration = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: grid, base: base, derived: [])
        #expect(throws: InputError.self) { try configuration.checkOptimizer() }
    }

    /// spiked and power-law cells side by side: each cell runs its own covariance (the power
    /// law with the base's β and signal index), as a single theory run does.
    @Test func covarianceAxisMatchesSingleRuns() throws {
        var base = ModelPoint(method: .gd, lambda: 8, dimension: 50, alpha: 1e-3, learningRate: 1e-3, steps: 4000, escapeThreshold: 0.5)
        base.covariance = .powerLaw
        base.beta = 1.5
        base.signalIndex = 2
        let grid = try Grid.parse(["covariance=spiked,power-law", "lr=1e-3,1e-2"], mode: .theory)
        for axis in grid.axes { base.set(axis, axis.values[0]) }
        let configuration = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: grid, base: base, derived: [])
        #expect(try CovarianceSweepTests.expectCellsMatchSingleRuns(configuration) >= 3)
        #expect(try configuration.point(at: 0).groupedModel().groups.count == 3)
        #expect(try configuration.point(at: 2).groupedModel().groups.count == 50)
        // beta is read by the power-law cells, so it may be an axis next to the covariance axis.
        let withBeta = try Grid.parse(["covariance=spiked,power-law", "beta=1,2"], mode: .theory)
        _ = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: withBeta, base: base, derived: [])
    }

    @Test func covarianceAxisRefusesWhatNoCellCanRun() throws {
        let base = ModelPoint(method: .gd, lambda: 8, dimension: 50, alpha: 1e-3, learningRate: 1e-3, steps: 100, escapeThreshold: 0.5)
        func refusal(_ specs: [String], _ point: ModelPoint = base) -> String? {
            do {
                let grid = try Grid.parse(specs, mode: .theory)
                _ = try SweepConfiguration(mode: .theory, metrics: Self.metrics, grid: grid, base: point, derived: [])
                return nil
            } catch let error as InputError { return error.message } catch { return "\(error)" }
        }
        #expect(refusal(["covariance=spiked,diagonal"])?.contains("value diagonal needs spectrum FILE") == true)
        var spikes = base
        spikes.spikes = [8, 2]
        #expect(refusal(["covariance=spiked,power-law"], spikes)?.contains("takes spiked only") == true)
        #expect(refusal(["covariance=spiked", "beta=1,2"])?.contains("applies to covariance power-law only") == true)
        #expect(refusal(["covariance=custom"])?.contains("values: spiked, power-law, diagonal") == true)
        #expect(refusal(["nesterov=yes"])?.contains("values: true, false") == true)
        // An axis naming no field lists the valid ones, in every mode and every path (--grid, --derive).
        for mode in SweepMode.allCases {
            for parse in [{ _ = try Grid.parse(["foo=1,2"], mode: mode) }, { _ = try DerivedParameter.parse("foo=1", mode: mode) }] as [() throws -> Void] {
                do { try parse(); Issue.record("an axis named foo was accepted") } catch let error as InputError {
                    #expect(error.message.contains("unknown grid axis 'foo'") && error.message.contains("method, polar, nesterov, covariance"), "\(error.message)")
                }
            }
        }
    }
}
