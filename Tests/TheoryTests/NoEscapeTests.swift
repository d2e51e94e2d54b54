import Foundation
import Testing
import Model
@testable import Theory
import SpecgdSupport

/// docs/model.md §7: a run that never escapes has no escape step and no "at escape" values —
/// never the last step's values under an "at escape" name.
@Suite struct NoEscapeTests {
    @Test(arguments: [TheoryDynamics.map, .flow, .largeD])
    func summariesHaveNothingAtEscapeWithoutAnEscape(dynamics: TheoryDynamics) throws {
        var config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3, steps: 300, every: 10)
        config.dynamics = dynamics
        let summary = try runTheory(config).summary
        #expect(summary.escape.escapeStep == nil)
        #expect(summary.escape.signalAtEscape == nil && summary.escape.spikeAtEscape == nil)
        #expect(summary.escape.alignmentAtEscape == nil && summary.escape.signalSpikeAlignmentAtEscape == nil)
        #expect(summary.escape.amplification == nil && summary.spikeRatioAtEscape == nil && summary.bulkMassAtEscape == nil)
        #expect(summary.escape.finalAlignment > 0, "the final values are still there, under their own names")
        // Absent from the JSON, not NaN under the name.
        let json = String(decoding: try JSONOutput.encode(summary), as: UTF8.self)
        for key in ["signalAtEscape", "spikeAtEscape", "alignmentAtEscape", "spikeRatioAtEscape", "bulkMassAtEscape", "\"amplification\""] {
            #expect(!json.contains(key), "\(key) in \(json)")
        }
    }

    @Test func anEscapeKeepsItsValuesAsMagnitudes() throws {
        let config = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 100, alpha: 1e-3, learningRate: 1e-3, steps: 800, every: 10)
        let summary = try runTheory(config).summary
        let signal = try #require(summary.escape.signalAtEscape), spike = try #require(summary.escape.spikeAtEscape)
        #expect(summary.escape.escapeStep == 499 && signal >= 0.5 && spike >= 0)
        #expect(summary.spikeRatioAtEscape == spike / signal)
    }
}
