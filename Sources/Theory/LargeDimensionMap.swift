import Foundation
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
package struct LargeDimensionMap: Sendable {
    package let lambda: Double
    package let method: Method
    /// η̃ for GD; η₀ (the bulk-mass step, η = η₀/√p) for SpecGD.
    package let learningRate: Double
    /// p = d − 2, or nil for the limit.
    package let bulkCount: Double?

    package init(lambda: Double, method: Method, learningRate: Double, bulkCount: Double?) throws {
        try Validate.spike(lambda)
        try Validate.positive(learningRate, "lr")
        if let bulkCount { try Validate.positive(bulkCount, "bulk count p") }
        try method.requirePaperMethod(in: "the large-d map")
        self.lambda = lambda
        self.method = method
        self.learningRate = learningRate
        self.bulkCount = bulkCount
    }

    package func trace(_ a: Double, _ b: Double, _ q: Double) -> Double {
        (a * a - 1) + (1 + lambda) * b * b + q
    }

    /// Loss ¼(2[(a²−1)² + (1+λ)²b⁴ + q²/p] + T²) (the q²/p term vanishes in the limit).
    package func loss(_ a: Double, _ b: Double, _ q: Double) -> Double {
        let t = trace(a, b, q)
        let bulk = bulkCount.map { q * q / $0 } ?? 0
        return 0.25 * (2 * ((a * a - 1) * (a * a - 1) + (1 + lambda) * (1 + lambda) * b * b * b * b + bulk) + t * t)
    }

    /// One step. ga, gb are `ManifoldGradient.coefficient` for the signal and the spike (σ = 1,
    /// 1+λ) in another association ((1+λ)·b·b), so they equal the finite-d map's to rounding
    /// only (LargeDimensionTests).
    @inline(__always)
    package func step(_ state: inout (a: Double, b: Double, q: Double)) {
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
    package func iterate(a: Double, b: Double, q: Double, steps: Int, every: Int = 1,
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
    /// The identity-start comparison (`finiteDimensionDistances`): the exact spiked map at each d
    /// from a = b = c = α_d with α_d = √(q₀/p) (q₀ fixed) and, for SpecGD, η = η₀/√p
    /// (`learningRate` is η̃ for GD, η₀ for SpecGD), against the limit map restarted from the same
    /// (α_d, α_d, q₀). Both trajectories move with d (a₀ = α_d), so the distance mixes the 1/p
    /// effect with the start's; `ownLimitDistances` separates them.
    package static func distances(method: Method, lambda: Double, q0: Double, learningRate: Double,
                                 steps: Int, dimensions: [Int]) throws -> [LargeDimensionDistance] {
        try Validate.positive(q0, "q0")
        return try dimensions.map { d in
            let alpha = (q0 / Double(d - 2)).squareRoot()
            return try distance(method: method, lambda: lambda, a0: alpha, b0: alpha, q0: q0,
                                learningRate: learningRate, steps: steps, dimension: d)
        }
    }

    /// The comparison against one limit trajectory (`ownLimitDistances`): the exact spiked map at
    /// each d from (a, b, c) = (a₀, b₀, √(q₀/p)) — the run's own (a₀, b₀, q₀), so the bulk holds
    /// the run's mass at every d — against the limit map from (a₀, b₀, q₀), which is the same
    /// trajectory for every d (the `--large-d` run's table). GD's distance is then the 2q/p term's
    /// effect alone, C/p·(1 + O(1/p)) (docs/model.md §4).
    package static func ownLimitDistances(method: Method, lambda: Double, a0: Double, b0: Double, q0: Double,
                                         learningRate: Double, steps: Int, dimensions: [Int]) throws -> [LargeDimensionDistance] {
        try Validate.positive(q0, "q0")
        return try dimensions.map {
            try distance(method: method, lambda: lambda, a0: a0, b0: b0, q0: q0, learningRate: learningRate, steps: steps, dimension: $0)
        }
    }

    /// max_k and final |q_d(k) − q_∞(k)|: the exact map at dimension d from (a₀, b₀, √(q₀/p))
    /// (η = η₀/√p for SpecGD) against the limit from (a₀, b₀, q₀).
    static func distance(method: Method, lambda: Double, a0: Double, b0: Double, q0: Double,
                         learningRate: Double, steps: Int, dimension d: Int) throws -> LargeDimensionDistance {
        let limit = try LargeDimensionMap(lambda: lambda, method: method, learningRate: learningRate, bulkCount: nil)
        let p = Double(d - 2)
        let eta = method == .gd ? learningRate : learningRate / p.squareRoot()
        let model = try GroupedModel.spiked(lambda: lambda, dimension: d)
        var finite: [Double] = []
        finite.reserveCapacity(steps + 1)
        _ = try DiscreteMap(model: model, method: method, learningRate: eta)
            .iterate(from: [a0, b0, (q0 / p).squareRoot()], steps: steps) { _, s in finite.append(p * s[2] * s[2]) }
        var worst = 0.0, last = 0.0
        try limit.iterate(a: a0, b: b0, q: q0, steps: steps) { k, _, _, q in
            last = abs(q - finite[k])
            worst = max(worst, last)
        }
        return LargeDimensionDistance(dimension: d, maximumDistance: worst, finalDistance: last)
    }
}

/// The rate at which the finite-d map approaches its own limit (`ownLimitDistances`): the
/// least-squares slope of log₁₀(max distance) against log₁₀ d, reported as `rate` = −slope
/// (distance ∝ d^(−rate); GD: 1), with the slope's standard error s/√Σ(x − x̄)², s² the residual
/// variance over n − 2. SpecGD has no rate (`noRate` says why): its sign map is discontinuous.
public struct LargeDimensionRate: Sendable, Codable, Equatable {
    /// −(fitted slope) per decade of d; nil with `noRate`.
    public var rate: Double?
    /// The fitted slope's standard error; nil with `noRate`.
    public var standardError: Double?
    /// The dimensions fitted (every positive distance).
    public var dimensions: [Int]
    /// "no rate: …" with the reason, when no rate is reported.
    public var noRate: String?

    init(rate: Double?, standardError: Double?, dimensions: [Int], noRate: String?) {
        self.rate = rate
        self.standardError = standardError
        self.dimensions = dimensions
        self.noRate = noRate
    }

    /// The least-squares fit of log₁₀ y against log₁₀ x: slope, its standard error (0 for two
    /// points), and the weights w_i = (x_i − x̄)/Σ(x − x̄)² (slope = Σ w_i y_i).
    static func fit(_ x: [Double], _ y: [Double]) -> (slope: Double, standardError: Double, weights: [Double]) {
        let lx = x.map { log10($0) }, ly = y.map { log10($0) }
        let n = Double(lx.count)
        let mx = lx.reduce(0, +) / n, my = ly.reduce(0, +) / n
        let sxx = lx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let weights = lx.map { ($0 - mx) / sxx }
        let slope = zip(weights, ly).reduce(0) { $0 + $1.0 * ($1.1 - my) }
        let residual = zip(lx, ly).reduce(0) { sum, point in
            let r = point.1 - (my + slope * (point.0 - mx))
            return sum + r * r
        }
        let standardError = lx.count > 2 ? (residual / (n - 2) / sxx).squareRoot() : 0
        return (slope, standardError, weights)
    }

    /// The rate of `distances` for `method`. `roundOff` bounds the distance that rounding alone
    /// leaves (SpecGD's report names the dimensions at or below it).
    init(method: Method, distances: [LargeDimensionDistance], roundOff: Double) {
        let positive = distances.filter { $0.maximumDistance > 0 }
        switch method {
        case .gd where positive.count >= 3:
            let fitted = Self.fit(positive.map { Double($0.dimension) }, positive.map(\.maximumDistance))
            self.init(rate: -fitted.slope, standardError: fitted.standardError, dimensions: positive.map(\.dimension), noRate: nil)
        case .gd:
            self.init(rate: nil, standardError: nil, dimensions: [],
                      noRate: "no rate: fewer than 3 dimensions with a positive distance")
        default:
            let slipping = distances.filter { $0.maximumDistance > roundOff }
            let rounding = distances.filter { $0.maximumDistance <= roundOff }
            var reason = "no rate: SpecGD's bulk step q ← q − 2η₀ sign(2q/p + T)√q + η₀² is discontinuous; at finite d the sign"
                + " of 2q/p + T flips at other steps than the limit's T (a phase slip), so the distance is O(q), not O(1/d)"
            if let last = slipping.last {
                reason += "; max |q_d − q_∞| = \(Self.shortest(slipping.map(\.maximumDistance).min()!))…\(Self.shortest(slipping.map(\.maximumDistance).max()!)) up to d = \(last.dimension)"
            }
            if let first = rounding.first {
                reason += "; from d = \(first.dimension) the sign sequences agree and only round-off remains (≤ \(Self.shortest(roundOff)))"
            }
            self.init(rate: nil, standardError: nil, dimensions: [], noRate: reason)
        }
    }

    static func shortest(_ x: Double) -> String { String(format: "%.2g", x) }
}
