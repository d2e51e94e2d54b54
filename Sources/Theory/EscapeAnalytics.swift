import Model
import Foundation
import NumericKit

/// Closed-form escape-stage predictions of docs/model.md §5 for the spiked model.
///
/// Linear window (a, b small, q = p c² the bulk mass, T ≈ q − 1): one GD step multiplies
/// a by A = 1 + η̃(3 − q) and b by B = 1 + η̃(1+λ)(1 − q).
public enum EscapeAnalytics {
    /// ρ = B / A: the per-step growth of b/a in the linear window (signed; its modulus is
    /// what matters when a factor is negative at large η̃).
    public static func rho(lambda: Double, lr: Double, q: Double) -> Double {
        (1 + lr * (1 + lambda) * (1 - q)) / (1 + lr * (3 - q))
    }

    /// λ_c(η̃, q): the spike strength beyond which |ρ| > 1 for every larger λ (GD amplifies
    /// the spike faster than the signal).
    /// - q < 1: B ≥ 1 grows with λ and A > 1, so |ρ| = 1 ⇔ B = A ⇔ λ_c = 2/(1 − q),
    ///   independent of η̃ (= 2 at q = 0).
    /// - q = 1: B ≡ 1 < |A|: never amplified, λ_c = +∞.
    /// - q > 1: B = 1 − η̃(1+λ)(q − 1) decreases with λ; |B| exceeds |A| for good once
    ///   B < −|A|, i.e. λ_c = (1 + |A|)/(η̃(q − 1)) − 1 (clamped at −1). When |A| < 1 there
    ///   is also a window near λ = −1 with |ρ| > 1, which this boundary deliberately ignores.
    ///   A = 0 (ρ infinite) gives −1.
    public static func lambdaCritical(lr: Double, q: Double) -> Double {
        if q < 1 { return 2 / (1 - q) }
        if q == 1 { return .infinity }
        let a = abs(1 + lr * (3 - q))
        if a == 0 { return -1 }
        return max(-1, (1 + a) / (lr * (q - 1)) - 1)
    }

    /// Predicted GD escape step: a grows by A = 1 + η̃(3 − q) per step from α to a_esc,
    /// k = ⌈ln(a_esc/α) / ln A⌉ (nil when A ≤ 1: no growth). The window ignores the
    /// slow-down as a² becomes O(1), so it is a lower estimate.
    public static func gdEscapeStep(alpha: Double, threshold: Double, lr: Double, q: Double) -> Int? {
        gdEscapeStepEstimate(alpha: alpha, threshold: threshold, lr: lr, q: q).flatMap(Int.init(exactly:))
    }

    /// `gdEscapeStep` as a Double (no Int overflow for tiny learning rates).
    public static func gdEscapeStepEstimate(alpha: Double, threshold: Double, lr: Double, q: Double) -> Double? {
        let growth = 1 + lr * (3 - q)
        guard growth > 1, alpha > 0 else { return nil }
        if alpha >= threshold { return 0 }
        return (log(threshold / alpha) / log(growth)).rounded(.up)
    }

    /// Predicted SpecGD escape step: a moves up by exactly η per step while its gradient
    /// coefficient is negative, k = ⌈(a_esc − α)/η⌉ (nil for α ≤ 0: a = 0 never moves,
    /// sign(0) = 0, and a < 0 runs to −1).
    public static func specgdEscapeStep(alpha: Double, threshold: Double, lr: Double) -> Int? {
        specgdEscapeStepEstimate(alpha: alpha, threshold: threshold, lr: lr).flatMap(Int.init(exactly:))
    }

    /// `specgdEscapeStep` as a Double (no Int overflow for tiny learning rates).
    public static func specgdEscapeStepEstimate(alpha: Double, threshold: Double, lr: Double) -> Double? {
        guard alpha > 0 else { return nil }
        return alpha >= threshold ? 0 : ((threshold - alpha) / lr).rounded(.up)
    }

    /// When exact SpecGD's escape step is an integer boundary the map's rounding can decide:
    /// the n with (a_esc − α)/η within the rounding error of n, else nil (docs/model.md §5,
    /// "Rounding at an integer boundary"). Error model, u = 2⁻⁵³: r̂ = fl(fl(a_esc − α)/η) is
    /// two roundings from r = (a_esc − α)/η, |r̂ − r| ≤ 2u|r| + u²|r| ≤ 3u|r̂|; the map's
    /// â_k = fl(â_{k−1} + η) is one rounding per step, |â_k − (α + kη)| ≤ u·Σ_{j≤k}|â_j| ≤
    /// k·u·(|a_esc| + η) up to the escape (every â_j < a_esc before it, â_K < a_esc + η(1 + u)),
    /// so the test â_k ≥ a_esc can differ from α + kη ≥ a_esc only when |k − r| ≤ k·u(|a_esc| + η)/η.
    /// Both the predicted ⌈r̂⌉ and the measured first crossing are then n or n + 1. The bound is
    /// doubled for the second-order terms (k·u ≪ 1 wherever it matters).
    public static func specgdEscapeStepBoundary(alpha: Double, threshold: Double, lr: Double) -> (step: Int, ratio: Double, margin: Double)? {
        guard alpha > 0, alpha < threshold, lr > 0 else { return nil }
        let u = Double.ulpOfOne / 2
        let ratio = (threshold - alpha) / lr
        let n = ratio.rounded()
        guard n < 1e15 else { return nil }
        let margin = 2 * (3 * u * abs(ratio) + (n + 1) * u * (abs(threshold) + lr) / lr)
        return abs(ratio - n) <= margin ? (Int(n), ratio, margin) : nil
    }

    /// Quasi-static saturation of the spike, b*² = (1 − a² − q)/(3(1+λ)): where
    /// 2(1+λ)b² + T = 0 with T ≈ a² − 1 + (1+λ)b² + q. NaN when 1 − a² − q ≤ 0.
    public static func saturationSpike(lambda: Double, a: Double, q: Double) -> Double {
        let numerator = 1 - a * a - q
        return numerator > 0 ? sqrt(numerator / (3 * (1 + lambda))) : .nan
    }

    /// The top of exact SpecGD's post-escape 2-cycle band for the bulk coefficient c on the
    /// manifold (docs/model.md §5, "SpecGD past escape"): every coefficient moves by ±η per
    /// step, so past escape a alternates between a₋ < 1 and a₋ + η, T alternates sign, and the
    /// bulk locks into a 2-cycle (c₋, c₋ + η) wherever 2c² + T changes sign with it. The two
    /// sign conditions, 3(a₊² − 1) + p c₊² > 0 (a turns down) and (a₋² − 1) + (p + 2) c₋² < 0
    /// (c turns up), with a₊² − a₋² ≤ 2η + η², give (p + 3) c₋² − pη c₋ − (pη² + 6η + 3η²)/2 < 0
    /// (the spike's (1+λ)b² dropped: b chatters about 0). Returns that root plus η: the largest
    /// c either phase can take, ≈ √(3η/(p + 3)) for small η. p = d − 2 bulk coordinates.
    /// `spikeEnergy` = (1+λ)b₊², the spike's share of T at the top phase: with it the a-condition
    /// reads 3(a₊² − 1) + (1+λ)b₊² + p c₊² > 0 and the constant becomes (pη² + 6η + 3η² + (1+λ)b₊²)/2.
    /// b does not always chatter about 0 (it can lock off 0 like the bulk, |b| up to ≈ 4η measured),
    /// so the overlays pass the map's own largest (1+λ)b² past escape; 0 gives the bound without it.
    public static func specgdBulkChatterCeiling(lr eta: Double, bulkDimension p: Int, spikeEnergy: Double = 0) -> Double {
        let pd = Double(p)
        let lower = (pd * eta + (pd * pd * eta * eta + 2 * (pd + 3) * (pd * eta * eta + 6 * eta + 3 * eta * eta + spikeEnergy)).squareRoot())
            / (2 * (pd + 3))
        return lower + eta
    }

    /// The multiplier of GD's spike plateau b* (docs/model.md §5, "Stability of the plateau"):
    /// with a and c frozen (they move at rate η̃, b at η̃(1+λ)), b ↦ b − η̃ s b (2 s b² + T(b)),
    /// s = 1 + λ and T = a² − 1 + s b² + q, has derivative 1 − η̃ s (2 s b² + T + 6 s b²), which at
    /// the plateau (2 s b*² + T = 0, b*² = (1 − a² − q)/(3s)) is μ = 1 − 2η̃(1+λ)(1 − a² − q).
    /// The plateau attracts iff |μ| < 1, i.e. 0 < η̃(1+λ)(1 − a² − q) < 1; for μ ≤ −1 b oscillates
    /// about it (period doubling, then chaos).
    public static func plateauMultiplier(lambda: Double, lr: Double, a: Double, q: Double) -> Double {
        1 - 2 * lr * (1 + lambda) * (1 - a * a - q)
    }

    /// GD's b/a at escape, b*(a)/a: at the nominal a = a_esc (`theory`'s predictions) or at the
    /// measured |a| of the escape step (`check-escape`). NaN for a ≤ 0 or without a saturation
    /// point.
    public static func saturationRatio(lambda: Double, a: Double, q: Double) -> Double {
        guard a > 0 else { return .nan }
        return saturationSpike(lambda: lambda, a: a, q: q) / a
    }
}

/// The predictions for one configuration, recorded in the JSON sidecar next to what the
/// run measured.
public struct EscapePredictions: Sendable, Codable, Equatable {
    /// Initial bulk mass q₀ = Σ_bulk p_g s_g(0)², the q used below.
    public var q0: Double
    public var rho: Double
    public var lambdaCritical: Double
    public var predictedEscapeStep: Int?
    /// b* = √((1 − a_esc² − q₀)/(3(1+λ))).
    public var saturationSpike: Double
    /// b*/a_esc.
    public var saturationRatio: Double

    public init(method: Method, lambda: Double, lr: Double, alpha: Double, threshold: Double, q0: Double) {
        self.q0 = q0
        rho = EscapeAnalytics.rho(lambda: lambda, lr: lr, q: q0)
        lambdaCritical = EscapeAnalytics.lambdaCritical(lr: lr, q: q0)
        switch method {
        case .gd: predictedEscapeStep = EscapeAnalytics.gdEscapeStep(alpha: alpha, threshold: threshold, lr: lr, q: q0)
        // SignGD equals exact SpecGD on the identity manifold (docs/model.md §6).
        case .specgd, .signgd: predictedEscapeStep = EscapeAnalytics.specgdEscapeStep(alpha: alpha, threshold: threshold, lr: lr)
        // No closed form for Adam's escape here, nor for a registered rule's (`UpdateRule.noPredictionReason`).
        case .adam, .rule: predictedEscapeStep = nil
        }
        saturationSpike = EscapeAnalytics.saturationSpike(lambda: lambda, a: threshold, q: q0)
        saturationRatio = saturationSpike / threshold
    }
}

/// Early-time predictions for the optimizer family on the spiked manifold (docs/model.md §6),
/// from the closed-form gradient at W₀ = αI — a transcription independent of the map's.
extension EscapeAnalytics {
    /// The gradient coefficients at s = (α, α, α) of the spiked model with one spike:
    /// G_g = σ_g α (2σ_g(α² − t_g) + T), T = Σ_g p_g σ_g (α² − t_g) (signal σ = 1, t = 1; spike
    /// σ = 1 + λ; bulk σ = 1, p = d − 2), and ‖G‖_F = √(Σ_g p_g G_g²).
    public static func identityGradient(lambda: Double, dimension d: Int, alpha: Double)
        -> (signal: Double, spike: Double, bulk: Double, norm: Double) {
        let s2 = alpha * alpha, p = Double(d - 2), spike = 1 + lambda
        let trace = (s2 - 1) + spike * s2 + p * s2
        let ga = alpha * (2 * (s2 - 1) + trace)
        let gb = spike * alpha * (2 * spike * s2 + trace)
        let gc = alpha * (2 * s2 + trace)
        return (ga, gb, gc, (ga * ga + gb * gb + p * gc * gc).squareRoot())
    }

    /// x_a = |U_a| / (f‖U‖_F + ε) at the first step (U = G, or (1 + β)G with Nesterov momentum:
    /// B₁ = G), the normalised signal coordinate the Newton–Schulz schedule acts on.
    public static func newtonSchulzFirstInput(lambda: Double, dimension d: Int, alpha: Double,
                                              schedule: NewtonSchulzSchedule, nesterovBeta: Double = 0) -> Double {
        let g = identityGradient(lambda: lambda, dimension: d, alpha: alpha)
        let scale = 1 + nesterovBeta
        return abs(scale * g.signal) / (schedule.normalisationFactor * (scale * g.norm) + schedule.epsilon)
    }

    /// [min, max] of φ_K over [x₀, 1]: where the signal's per-step move η·φ_K(x_a) lies while x_a
    /// stays between its first value and 1 (|U_a| ≤ ‖U‖_F). φ_K is sampled on 20 001 evenly spaced
    /// points and both ends; the escape-step tolerance covers the sampling (a polynomial's extremum
    /// between samples is off by at most max|φ_K'|·h/2).
    public static func newtonSchulzMoveBand(_ schedule: NewtonSchulzSchedule, from x0: Double) -> (min: Double, max: Double) {
        let lo = min(max(x0, 0), 1)
        var low = Double.infinity, high = -Double.infinity
        let n = 20_000
        for i in 0...n {
            let y = schedule.apply(lo + (1 - lo) * Double(i) / Double(n))
            low = min(low, y)
            high = max(high, y)
        }
        return (low, high)
    }

    /// A bound on the relative rounding error of φ_K(x) evaluated in floating point, with x itself
    /// carrying `inputError` (relative): each step's evaluation adds ≤ 6ε (five operations), and
    /// an error entering before step k is multiplied by the condition numbers κ_j = |p_j'(y) y / p_j(y)|
    /// of the steps after it (to first order).
    public static func newtonSchulzRelativeError(_ schedule: NewtonSchulzSchedule, at x: Double, inputError: Double) -> Double {
        let eps = Double.ulpOfOne / 2
        var y = x, bound = inputError
        for step in schedule.steps {
            let y2 = y * y, next = step(y)
            let derivative = step.a + 3 * step.b * y2 + 5 * step.c * y2 * y2
            let kappa = next != 0 ? abs(derivative * y / next) : 1
            bound = bound * kappa + 6 * eps
            y = next
        }
        return bound
    }
}
