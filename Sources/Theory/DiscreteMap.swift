import SpecgdSupport

/// The two optimisers of MODEL.md §2 restricted to the invariant manifold.
public enum Method: String, Sendable, Codable, CaseIterable {
    /// W ← W − η̃ ∇L: each coefficient is multiplied by (1 − η̃ ∇coef/s).
    case gd
    /// W ← W − η polar(∇L). On a diagonal W the polar factor is diag(sign ∇coef): every
    /// coefficient moves by exactly ±η. A zero gradient coefficient is a zero singular value,
    /// and the update has no component there (sign 0).
    case specgd
}

/// The exact discrete map of MODEL.md §3 — the ground truth of the toolkit.
public struct DiscreteMap: Sendable {
    public let model: GroupedModel
    public let method: Method
    public let learningRate: Double
    /// |s_g| beyond this counts as divergence (the loss grows like s⁴, so 1e75 already
    /// overflows it).
    public var explosionLimit: Double = 1e60

    public init(model: GroupedModel, method: Method, learningRate: Double) throws {
        try Validate.positive(learningRate, "lr")
        self.model = model
        self.method = method
        self.learningRate = learningRate
    }

    /// One step in place; `gradient` is scratch space of `model.count` entries.
    @inlinable
    public func step(_ s: inout [Double], gradient: inout [Double]) {
        model.gradient(s, into: &gradient)
        switch method {
        case .gd:
            for g in 0..<s.count { s[g] -= learningRate * gradient[g] }
        case .specgd:
            for g in 0..<s.count {
                let grad = gradient[g]
                s[g] -= grad > 0 ? learningRate : (grad < 0 ? -learningRate : 0)
            }
        }
    }

    /// Iterates `steps` times from `start`, calling `record(k, s)` at k = 0 and every
    /// `every` steps (and at the last step). Throws `DivergenceError` naming the first
    /// step whose state is non-finite or beyond `explosionLimit`.
    public func iterate(from start: [Double], steps: Int, every: Int = 1,
                        record: (Int, [Double]) throws -> Void) throws -> [Double] {
        try Validate.atLeast(steps, 0, "steps")
        try Validate.atLeast(every, 1, "every")
        guard start.count == model.count else {
            throw InputError("start has \(start.count) coefficients for \(model.count) groups")
        }
        for value in start { try Validate.finite(value, "initial coefficient") }
        var s = start
        var gradient = [Double](repeating: 0, count: model.count)
        try record(0, s)
        if steps == 0 { return s }
        for k in 1...steps {
            step(&s, gradient: &gradient)
            // Checked every step (a few compares) so the reported step is the exact one.
            try checkFinite(s, step: k)
            if k % every == 0 || k == steps { try record(k, s) }
        }
        return s
    }

    /// Runs the map and returns the state after `steps` steps (no recording).
    public func final(from start: [Double], steps: Int) throws -> [Double] {
        try iterate(from: start, steps: steps, every: max(steps, 1)) { _, _ in }
    }

    func checkFinite(_ s: [Double], step: Int) throws {
        for g in 0..<s.count where !(abs(s[g]) <= explosionLimit) {  // false for NaN too
            throw DivergenceError(step: step, detail: "coefficient \(model.groups[g].name) = \(s[g]); lower the learning rate")
        }
    }
}
