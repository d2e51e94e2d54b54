import Foundation
import SpecgdSupport
import Theory

/// The closed-form escape-stage predictions of docs/model.md §5, as the checks use them. The
/// formulas themselves live in `Theory.EscapeAnalytics` (one definition for the toolkit);
/// this adapter fixes the forms the checks need (b/a at the measured a_esc, Double steps).
public enum EscapeFormulas {
    /// ρ(λ, η̃, q) = (1 + η̃(1+λ)(1−q)) / (1 + η̃(3−q)): per-step growth of b/a under GD.
    public static func rho(lambda: Double, learningRate: Double, q: Double) -> Double {
        EscapeAnalytics.rho(lambda: lambda, lr: learningRate, q: q)
    }

    /// λ_c where ρ = 1: 2/(1 − q) for q < 1, independent of η̃.
    public static func criticalLambda(learningRate: Double, q: Double) -> Double {
        EscapeAnalytics.lambdaCritical(lr: learningRate, q: q)
    }

    /// b/a at escape from the quasi-static saturation b*² = (1 − a² − q)/(3(1+λ)), at the
    /// measured a_esc and q: √((1 − a_esc² − q)/(3(1+λ))) / a_esc (NaN without a saturation point).
    public static func saturationRatio(lambda: Double, signalAtEscape a: Double, q: Double) -> Double {
        guard a > 0 else { return .nan }
        return EscapeAnalytics.saturationSpike(lambda: lambda, a: a, q: q) / a
    }

    /// SpecGD reaches a_esc after ⌈(a_esc − a₀)/η⌉ steps (a moves by exactly η per step);
    /// NaN for a₀ ≤ 0, where a never moves up.
    public static func specgdEscapeStep(signal a0: Double, threshold: Double, learningRate: Double) -> Double {
        EscapeAnalytics.specgdEscapeStep(alpha: a0, threshold: threshold, lr: learningRate).map(Double.init) ?? .nan
    }
}
