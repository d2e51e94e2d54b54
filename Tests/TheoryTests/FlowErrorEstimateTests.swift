import Foundation
import Testing
import Model
import SpecgdSupport
@testable import Theory

/// `--error-estimate`: the flow's global error estimated by a second solve 100× tighter, held to
/// the error measured against a reference solved 10⁴× tighter still.
///
/// Why a factor of 2 either way: with a proportional step-size controller the global error of a
/// fixed problem scales with the tolerance, e(τ) ≈ C·τ (τ ≫ the ε-floor), so the estimate is
/// e(τ) − e(τ/100) = 0.99·C·τ, and the reference difference e(τ) − e(τ/10⁴) = 0.9999·C·τ: their
/// ratio is 0.99. Controllers are only asymptotically proportional (step rejections, the
/// output grid's interpolation), so the ratio is allowed [½, 2], which still tells an estimate
/// from a value off by an order of magnitude or from zero.
@Suite struct FlowErrorEstimateTests {
    static func configuration(_ absolute: Double, _ relative: Double, estimate: Bool) -> TheoryConfiguration {
        var c = TheoryConfiguration(method: .gd, lambda: 32, dimension: 1_000_000, alpha: 1e-4, learningRate: 1e-3,
                                    steps: 10_000, every: 10, escapeThreshold: 0.5)
        c.dynamics = .flow
        c.flow.absoluteTolerance = absolute
        c.flow.relativeTolerance = relative
        if estimate { c.flow.estimateError = true }
        return c
    }

    @Test func theEstimateIsTheErrorAgainstATighterReference() throws {
        let run = try runTheory(Self.configuration(1e-10, 1e-10, estimate: true))
        let estimate = try #require(run.summary.flowErrorEstimate)
        let reference = try runTheory(Self.configuration(1e-14, 1e-14, estimate: false))
        let measured = ["a", "b", "c", "loss"].map { name -> Double in
            let x = run.table.column(name)!, y = reference.table.column(name)!
            let largest = zip(x, y).map { abs($0 - $1) }.max()!, scale = y.map(abs).max()!
            return largest / scale
        }
        // b is the statistic the tolerance limits here (a and c sit at the ε-floor, ~1e-15).
        #expect(measured[1] > 1e-13, "the reference must differ from the run beyond rounding: \(measured[1])")
        let ratio = estimate.b / measured[1]
        #expect(ratio >= 0.5 && ratio <= 2, "estimate \(estimate.b) vs measured \(measured[1])")
        #expect(estimate.tighterBy == 100)
    }

    @Test func withoutTheOptionThereIsNoEstimate() throws {
        let run = try runTheory(Self.configuration(1e-10, 1e-10, estimate: false))
        #expect(run.summary.flowErrorEstimate == nil)
        let encoded = String(decoding: try JSONOutput.encode(Self.configuration(1e-10, 1e-10, estimate: false)), as: UTF8.self)
        #expect(!encoded.contains("estimateError"))
    }
}
