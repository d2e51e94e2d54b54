import Foundation

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

    /// Quasi-static saturation of the spike, b*² = (1 − a² − q)/(3(1+λ)): where
    /// 2(1+λ)b² + T = 0 with T ≈ a² − 1 + (1+λ)b² + q. NaN when 1 − a² − q ≤ 0.
    public static func saturationSpike(lambda: Double, a: Double, q: Double) -> Double {
        let numerator = 1 - a * a - q
        return numerator > 0 ? sqrt(numerator / (3 * (1 + lambda))) : .nan
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
        case .adam: predictedEscapeStep = nil  // no closed form for Adam's escape here
        }
        saturationSpike = EscapeAnalytics.saturationSpike(lambda: lambda, a: threshold, q: q0)
        saturationRatio = saturationSpike / threshold
    }
}
