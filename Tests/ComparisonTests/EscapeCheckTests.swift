import Foundation
import Testing
import SpecgdSupport
import Model
import Theory
@testable import Comparison

@Suite struct EscapeCheckTests {
    @Test func criticalLambdaIsWhereRhoCrossesOne() {
        for (lr, q) in [(1e-3, 0.0), (1e-2, 0.05), (0.1, 0.3)] {
            let lc = EscapeAnalytics.lambdaCritical(lr: lr, q: q)
            // λ_c then ρ(λ_c): ≲ 14 roundings, ρ's relative sensitivity to λ below 1 (see
            // TheoryTests' EscapeAnalyticsTests): 32 ε.
            #expect(abs(EscapeAnalytics.rho(lambda: lc, lr: lr, q: q) - 1) < 32 * Double.ulpOfOne)
            #expect(EscapeAnalytics.rho(lambda: lc * 1.1, lr: lr, q: q) > 1)
            #expect(EscapeAnalytics.rho(lambda: lc * 0.9, lr: lr, q: q) < 1)
        }
        #expect(EscapeAnalytics.lambdaCritical(lr: 1e-3, q: 0) == 2)
        // Same closed form, a handful of correctly rounded operations each side (≤ 4 ε of 0.33).
        #expect(abs(EscapeAnalytics.saturationRatio(lambda: 8, a: 0.5, q: 0) - (0.75 / 27).squareRoot() / 0.5) < 4 * Double.ulpOfOne)
    }

    /// The window, amplification and ρ^k recomputed here by a direct scan of the trajectory.
    @Test func gdAmplificationMatchesAnIndependentComputation() throws {
        let lambda = 8.0, lr = 1e-3
        let trajectory = Fixtures.spikedTrajectory(lambda: lambda, dim: 50, steps: 2600)
        let m = try EscapeMeasurement.measure(trajectory, lambda: lambda)
        let a = trajectory.column("a")!, b = trajectory.column("b")!, q = trajectory.column("q")!
        let cap = 0.1 * ((1 - q[0]) / 27).squareRoot()
        let end = (0..<a.count).prefix { a[$0] <= 0.1 && b[$0] <= cap }.last!
        #expect(m.windowEndStep == end)
        #expect(m.amplification == (b[end] / a[end]) / (b[0] / a[0]))
        let qbar = q[0...end].reduce(0, +) / Double(end + 1)
        let predicted = pow((1 + lr * 9 * (1 - qbar)) / (1 + lr * (3 - qbar)), Double(end))
        let rows = EscapeCheck.rows(lambda: lambda, method: "gd", source: .theoryMap, measurement: m,
                                    learningRate: lr, threshold: 0.5)
        let amplification = try #require(rows.first { $0.quantity == "amplification" })
        // ρ̄^k: ρ̄ to ≲ 10 ε relative (the mean of q adds ≤ k ε on q̄, scaled by η̃ ≪ 1), raised to
        // the k-th power: relative error k · 10 ε (pow itself ≤ 1 ulp).
        #expect(abs(amplification.predicted - predicted) < Double(end) * 10 * Double.ulpOfOne * predicted)
        #expect(amplification.measured > 5, "GD amplifies the spike well above λ_c")
        #expect(amplification.passed, "\(amplification)")
        let escape = try #require(a.firstIndex { $0 >= 0.5 })
        let saturation = try #require(rows.first { $0.quantity == "ratio_at_escape" })
        #expect(saturation.measured == b[escape] / a[escape])
        // The same closed form from the same inputs: ≲ 6 correctly rounded operations each side.
        let ratio = ((1 - a[escape] * a[escape] - q[escape]) / 27).squareRoot() / a[escape]
        #expect(abs(saturation.predicted - ratio) < 12 * Double.ulpOfOne * ratio)
        #expect(saturation.passed, "\(saturation)")
    }

    @Test func specgdDoesNotAmplifyAndEscapesAtConstantSpeed() throws {
        for lambda in [1.0, 8.0, 16.0] {
            let trajectory = Fixtures.spikedTrajectory(lambda: lambda, dim: 50, specgd: true, steps: 700)
            let m = try EscapeMeasurement.measure(trajectory, lambda: lambda)
            let rows = EscapeCheck.rows(lambda: lambda, method: "specgd", source: .theoryMap, measurement: m,
                                        learningRate: 1e-3, threshold: 0.5)
            #expect(rows.allSatisfy { $0.passed }, "\(EscapeCheck.report(rows))")
            #expect(m.maxAmplification <= 1 + 1e-12)
            #expect(abs(Double(m.escapeStep!) - 499) <= 1)
        }
    }

    @Test func aWrongPredictionIsReportedWithItsNumbers() throws {
        // The trajectory ran at λ = 8 but is checked as if λ were 4: ρ^k is far off.
        let trajectory = Fixtures.spikedTrajectory(lambda: 8, dim: 50, steps: 2600)
        let m = try EscapeMeasurement.measure(trajectory, lambda: 8)
        let rows = EscapeCheck.rows(lambda: 4, method: "gd", source: .theoryMap, measurement: m, learningRate: 1e-3, threshold: 0.5)
        let row = try #require(rows.first { $0.quantity == "amplification" })
        #expect(!row.passed && row.relativeError > 0.5)
        let report = EscapeCheck.report(rows)
        #expect(report.contains("FAIL") && report.contains("FAILED"))
        let table = EscapeCheck.table(rows)
        #expect(table.column("passed")?.first == 0 && table.column("measured")?.first == row.measured)
    }

    @Test func belowCriticalGDShrinksTheSpikeAsPredicted() throws {
        let trajectory = Fixtures.spikedTrajectory(lambda: 1, dim: 50, steps: 2600)
        let m = try EscapeMeasurement.measure(trajectory, lambda: 1)
        let rows = EscapeCheck.rows(lambda: 1, method: "gd", source: .theoryMap, measurement: m, learningRate: 1e-3, threshold: 0.5)
        #expect(rows.count == 1 && rows[0].passed && rows[0].measured < 0.5)
    }
}
