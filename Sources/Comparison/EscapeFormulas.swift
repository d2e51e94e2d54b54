import Foundation
import SpecgdSupport

/// The closed-form escape-stage predictions of MODEL.md §5.
public enum EscapeFormulas {
    /// Per-step growth of b/a under GD in the linear window (T ≈ q − 1):
    /// ρ(λ, η̃, q) = (1 + η̃(1+λ)(1−q)) / (1 + η̃(3−q)).
    public static func rho(lambda: Double, learningRate: Double, q: Double) -> Double {
        (1 + learningRate * (1 + lambda) * (1 - q)) / (1 + learningRate * (3 - q))
    }

    /// The λ where ρ = 1: (1+λ)(1−q) = 3 − q, i.e. λ_c = 2/(1 − q) for any η̃ > 0
    /// (infinite when q ≥ 1: the bulk alone then stops the spike from growing).
    public static func criticalLambda(learningRate: Double, q: Double) -> Double {
        q < 1 ? 2 / (1 - q) : .infinity
    }

    /// Quasi-static saturation of the spike, b*² = (1 − a² − q) / (3(1+λ)), as b/a at escape:
    /// √((1 − a_esc² − q) / (3(1+λ))) / a_esc. NaN when 1 − a_esc² − q ≤ 0 (no saturation point).
    public static func saturationRatio(lambda: Double, signalAtEscape a: Double, q: Double) -> Double {
        let numerator = 1 - a * a - q
        guard numerator > 0, a > 0 else { return .nan }
        return (numerator / (3 * (1 + lambda))).squareRoot() / a
    }

    /// SpecGD moves a by exactly η per step while its gradient keeps its sign, so it reaches
    /// a_esc after ⌈(a_esc − a₀)/η⌉ steps.
    public static func specgdEscapeStep(signal a0: Double, threshold: Double, learningRate: Double) -> Double {
        ((threshold - a0) / learningRate).rounded(.up)
    }
}
