import Foundation
import Testing
import Model
@testable import Theory
import TestSupport

@Suite struct EscapeAnalyticsTests {
    /// ρ^k against the exact map's b/a growth over the linear window (b ≤ 0.1 b*, a ≤ 0.1),
    /// d = 1000, α = 10⁻³, η̃ = 10⁻³ (docs/model.md §5: agreement to ~1%).
    @Test(arguments: [1.0, 4.0, 16.0])
    func rhoPowerMatchesTheMapOverTheLinearWindow(lambda: Double) throws {
        let d = 1000, alpha = 1e-3, lr = 1e-3
        let model = try GroupedModel.spiked(lambda: lambda, dimension: d)
        let q0 = Double(d - 2) * alpha * alpha
        let rho = EscapeAnalytics.rho(lambda: lambda, lr: lr, q: q0)
        let bStar = EscapeAnalytics.saturationSpike(lambda: lambda, a: 0, q: q0)
        var window: (k: Int, ratio: Double)?
        var last = (k: 0, ratio: 1.0)
        _ = try DiscreteMap(model: model, method: .gd, learningRate: lr).iterate(from: model.identityStart(alpha: alpha), steps: 5000) { k, s in
            if window == nil && (s[0] > 0.1 || s[1] > 0.1 * bStar) { window = last }
            last = (k, s[1] / s[0])
        }
        let (k, ratio) = try #require(window)
        #expect(k > 100)
        let predicted = pow(rho, Double(k))
        #expect(abs(ratio / predicted - 1) < 0.015, "λ = \(lambda): map \(ratio) vs ρ^k \(predicted) at k = \(k)")
    }

    /// GD's spike at escape against the quasi-static saturation b* = √((1 − a_esc² − q₀)/(3(1+λ))),
    /// and b/a against b*/a_esc. (docs/model.md quotes b: 0.167 vs 0.169 at λ = 8, 0.121 vs 0.122 at λ = 16.)
    @Test(arguments: [8.0, 16.0])
    func saturationPredictsTheSpikeAtEscape(lambda: Double) throws {
        let d = 1000, alpha = 1e-3
        let model = try GroupedModel.spiked(lambda: lambda, dimension: d)
        let q0 = Double(d - 2) * alpha * alpha
        let metrics = try DiscreteMap(model: model, method: .gd, learningRate: 1e-3)
            .escapeMetrics(from: model.identityStart(alpha: alpha), steps: 5000)
        _ = try #require(metrics.escapeStep)
        let spike = try #require(metrics.spikeAtEscape), signal = try #require(metrics.signalAtEscape)
        let bStar = EscapeAnalytics.saturationSpike(lambda: lambda, a: 0.5, q: q0)
        #expect(abs(spike / bStar - 1) < 0.03, "b at escape \(spike) vs b* \(bStar)")
        let ratio = spike / signal
        #expect(abs(ratio / EscapeAnalytics.saturationRatio(lambda: lambda, a: 0.5, q: q0) - 1) < 0.03)
    }

    @Test func lambdaCriticalIsWhereRhoHasModulusOne() {
        for lr in [1e-3, 0.1, 0.5] {
            for q in [0.0, 0.001, 0.5, 0.9] {
                let lc = EscapeAnalytics.lambdaCritical(lr: lr, q: q)
                // λ_c (≲ 6 roundings) fed to ρ (≲ 8): ρ's relative sensitivity to λ is
                // η̃(1−q)λ/(1 + η̃(1+λ)(1−q)) < 1, so |ρ(λ_c) − 1| ≤ 14 ε; 32 ε with margin for
                // the division's conditioning (|denominator| ≥ 1 here).
                #expect(abs(EscapeAnalytics.rho(lambda: lc, lr: lr, q: q) - 1) < 32 * eps)
                #expect(EscapeAnalytics.rho(lambda: lc * 1.01 + 0.01, lr: lr, q: q) > 1)
                #expect(EscapeAnalytics.rho(lambda: lc * 0.99 - 0.01, lr: lr, q: q) < 1)
            }
            // q > 1: b's factor turns negative at large λ; the boundary is |ρ| = 1 with ρ = −1.
            for q in [1.5, 2.5] {
                let lc = EscapeAnalytics.lambdaCritical(lr: lr, q: q)
                #expect(abs(EscapeAnalytics.rho(lambda: lc, lr: lr, q: q) + 1) < 32 * eps)  // as above
                #expect(abs(EscapeAnalytics.rho(lambda: lc + 0.5, lr: lr, q: q)) > 1)
            }
        }
        #expect(EscapeAnalytics.lambdaCritical(lr: 1e-3, q: 0) == 2)
        #expect(EscapeAnalytics.lambdaCritical(lr: 1e-3, q: 1) == .infinity)
    }

    @Test func predictedEscapeStepsMatchTheirDefinitions() throws {
        // SpecGD: a moves by exactly η per step while below 1, so the prediction is exact.
        let model = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let metrics = try DiscreteMap(model: model, method: .specgd, learningRate: 1e-3).escapeMetrics(from: model.identityStart(alpha: 1e-3), steps: 1000)
        #expect(metrics.escapeStep == EscapeAnalytics.specgdEscapeStep(alpha: 1e-3, threshold: 0.5, lr: 1e-3))
        // GD: (1 + η̃(3 − q))^k ≥ a_esc/α at the predicted k and not one step earlier.
        let k = try #require(EscapeAnalytics.gdEscapeStep(alpha: 1e-3, threshold: 0.5, lr: 1e-3, q: 0.001))
        #expect(pow(1 + 1e-3 * 2.999, Double(k)) * 1e-3 >= 0.5)
        #expect(pow(1 + 1e-3 * 2.999, Double(k - 1)) * 1e-3 < 0.5)
    }
}
