import Foundation
import Testing
@testable import Sweep
import SpecgdSupport
import Model
import Theory

@Suite struct PeakAmplificationSweepTests {
    /// Theory mode over λ ∈ {1, 8} (d = 1000, α = η̃ = 1e-3, λ_c ≈ 2): below λ_c the max of
    /// |b/a|/|b/a|₀ is step 0 (exactly 1), above it GD's linear-window growth makes it ≫ 1 even
    /// though the end-point amplification has fallen below 1 by escape.
    @Test func theoryModePeakIsOneBelowAndLargeAboveCriticalLambda() throws {
        let base = ModelPoint(method: .gd, lambda: 8, dimension: 1000, alpha: 1e-3, learningRate: 1e-3, steps: 12000,
                              escapeThreshold: 0.5, seed: 0)
        let configuration = SweepConfiguration(mode: .theory, metrics: [.peakAmplification, .amplification, .escapeStep],
                                               grid: try Grid.parse(["lambda=1,8"], mode: .theory), base: base)
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        #expect(try table.numbers("lambda") == [1, 8])
        let peak = try table.numbers("peak_amplification"), end = try table.numbers("amplification")
        #expect(try table.numbers("escape_step").allSatisfy(\.isFinite))
        #expect(peak[0] == 1, "λ = 1: \(peak[0])")
        #expect(peak[1] > 10 && end[1] < 1, "λ = 8: peak \(peak[1]), end \(end[1])")
        // The same number as the Theory-level metric (one definition).
        let model = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let direct = try DiscreteMap(model: model, method: .gd, learningRate: 1e-3)
            .escapeMetrics(from: model.identityStart(alpha: 1e-3), steps: 12000)
        #expect(peak[1] == direct.peakAmplification)
    }

    @Test func metricParsesAndIsListed() throws {
        #expect(try Metric.parseList(["peak_amplification"]) == [.peakAmplification])
        #expect(Metric.allCases.contains(.peakAmplification))
    }
}
