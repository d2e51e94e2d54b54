import Testing
@testable import Sweep
import Model
import Theory

/// Sweep cells of a run that never escapes: the "at escape" metrics are NaN, not the last
/// step's values (docs/model.md §7), nor is the peak "up to escape"; the final metrics are
/// still measured.
@Suite struct NoEscapeMetricTests {
    @Test func atEscapeMetricsAreNaNWithoutAnEscape() throws {
        let point = ModelPoint(method: .gd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3, steps: 200, escapeThreshold: 0.5)
        let values = try TheoryEvaluator().evaluate(point, metrics: [.alignmentAtEscape, .amplification, .escapeStep,
                                                                     .finalAlignment, .peakAmplification])
        #expect(values[0].isNaN && values[1].isNaN && values[2].isNaN && values[4].isNaN)
        #expect(values[3] > 0)
        var escaping = point
        escaping.steps = 5000
        let escaped = try TheoryEvaluator().evaluate(escaping, metrics: [.alignmentAtEscape, .amplification, .peakAmplification])
        #expect(escaped.allSatisfy { $0.isFinite })
    }
}
