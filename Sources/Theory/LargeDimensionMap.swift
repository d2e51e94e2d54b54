import Model
import SpecgdSupport

/// The spiked dynamics in the variables (a, b, q) with q = p c² the bulk mass, and its
/// d → ∞ limit (docs/model.md §4).
///
/// Finite p, exact (c > 0): with T = (a² − 1) + (1+λ)b² + q,
///   GD:     q ← q (1 − η̃ (2q/p + T))²
///   SpecGD: q ← q − 2η₀ sign(2q/p + T) √q + η₀²,  η₀ = η √p
/// and a, b follow their own updates of docs/model.md §3 (SpecGD moves them by η = η₀/√p).
/// The limit p → ∞ at fixed q (and fixed η̃, resp. fixed η₀) drops 2q/p; for SpecGD the
/// per-step move η₀/√p of a and b vanishes, so a and b are frozen on the q time scale.
public struct LargeDimensionMap: Sendable {
    public let lambda: Double
    public let method: Method
    /// η̃ for GD; η₀ (the bulk-mass step, η = η₀/√p) for SpecGD.
    public let learningRate: Double
    /// p = d − 2, or nil for the limit.
    public let bulkCount: Double?

    public init(lambda: Double, method: Method, learningRate: Double, bulkCount: Double?) throws {
        try Validate.spike(lambda)
        try Validate.positive(learningRate, "lr")
        if let bulkCount { try Validate.positive(bulkCount, "bulk count p") }
        try method.requirePaperMethod(in: "the large-d map")
        self.lambda = lambda
        self.method = method
        self.learningRate = learningRate
        self.bulkCount = bulkCount
    }

    public func trace(_ a: Double, _ b: Double, _ q: Double) -> Double {
        (a * a - 1) + (1 + lambda) * b * b + q
    }

    /// Loss ¼(2[(a²−1)² + (1+λ)²b⁴ + q²/p] + T²) (the q²/p term vanishes in the limit).
    public func loss(_ a: Double, _ b: Double, _ q: Double) -> Double {
        let t = trace(a, b, q)
        let bulk = bulkCount.map { q * q / $0 } ?? 0
        return 0.25 * (2 * ((a * a - 1) * (a * a - 1) + (1 + lambda) * (1 + lambda) * b * b * b * b + bulk) + t * t)
    }

    /// One step. ga, gb are `ManifoldGradient.coefficient` for the signal and the spike (σ = 1,
    /// 1+λ) in another association ((1+λ)·b·b), so they equal the finite-d map's to rounding
    /// only (LargeDimensionTests).
    @inline(__always)
    public func step(_ state: inout (a: Double, b: Double, q: Double)) {
        let (a, b, q) = state
        let t = trace(a, b, q)
        let ga = a * (2 * (a * a - 1) + t)
        let gb = (1 + lambda) * b * (2 * (1 + lambda) * b * b + t)
        let bulkFactor = t + (bulkCount.map { 2 * q / $0 } ?? 0)
        switch method {
        case .gd:
            let m = 1 - learningRate * bulkFactor
            state = (a - learningRate * ga, b - learningRate * gb, q * m * m)
        case .specgd:
            let eta = bulkCount.map { learningRate / $0.squareRoot() } ?? 0
            func sign(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }
            state = (a - eta * sign(ga), b - eta * sign(gb),
                     q - 2 * learningRate * sign(bulkFactor) * q.squareRoot() + learningRate * learningRate)
        case .signgd, .adam, .rule:
            break  // refused by init
        }
    }

    /// Iterates, recording (k, a, b, q) at k = 0, every `every` steps and at the end.
    public func iterate(a: Double, b: Double, q: Double, steps: Int, every: Int = 1,
                        record: (Int, Double, Double, Double) throws -> Void) throws {
        try Validate.atLeast(steps, 0, "steps")
        try Validate.atLeast(every, 1, "every")
        var state = (a: a, b: b, q: q)
        try record(0, a, b, q)
        guard steps > 0 else { return }
        for k in 1...steps {
            step(&state)
            guard abs(state.a) <= 1e60, abs(state.b) <= 1e60, abs(state.q) <= 1e120 else {
                throw DivergenceError(step: k, detail: "large-d state (a, b, q) = (\(state.a), \(state.b), \(state.q)); lower the learning rate")
            }
            if k % every == 0 || k == steps { try record(k, state.a, state.b, state.q) }
        }
    }
}

/// How far the finite-d exact map is from the d → ∞ limit, in the bulk mass q.
public struct LargeDimensionDistance: Sendable, Codable, Equatable {
    public var dimension: Int
    /// max over k ≤ steps of |q_d(k) − q_∞(k)|.
    public var maximumDistance: Double
    /// |q_d − q_∞| at the last step.
    public var finalDistance: Double
}

extension LargeDimensionMap {
    /// Runs the exact spiked map at each d with q₀ fixed (α = √(q₀/p), a = b = c = α) and,
    /// for SpecGD, η = η₀/√p (`learningRate` is η̃ for GD, η₀ for SpecGD), against the limit
    /// map from the same (α, α, q₀). The distances should shrink as d grows.
    public static func distances(method: Method, lambda: Double, q0: Double, learningRate: Double,
                                 steps: Int, dimensions: [Int]) throws -> [LargeDimensionDistance] {
        try Validate.positive(q0, "q0")
        let limit = try LargeDimensionMap(lambda: lambda, method: method, learningRate: learningRate, bulkCount: nil)
        return try dimensions.map { d in
            let p = Double(d - 2)
            let alpha = (q0 / p).squareRoot()
            let eta = method == .gd ? learningRate : learningRate / p.squareRoot()
            let model = try GroupedModel.spiked(lambda: lambda, dimension: d)
            var finite: [Double] = []
            finite.reserveCapacity(steps + 1)
            _ = try DiscreteMap(model: model, method: method, learningRate: eta)
                .iterate(from: [alpha, alpha, alpha], steps: steps) { _, s in finite.append(p * s[2] * s[2]) }
            var worst = 0.0, last = 0.0
            try limit.iterate(a: alpha, b: alpha, q: q0, steps: steps) { k, _, _, q in
                last = abs(q - finite[k])
                worst = max(worst, last)
            }
            return LargeDimensionDistance(dimension: d, maximumDistance: worst, finalDistance: last)
        }
    }
}
