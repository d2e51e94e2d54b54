import Model
import SpecgdSupport

/// The exact discrete map of docs/model.md §3 — the ground truth of the toolkit.
///
/// The inner loop runs on raw buffers over flat copies of p_gσ_g, σ_g and t_g (no array of
/// structs, no allocation per step), so a 3-group map runs at ~10⁷–10⁸ steps/s in release.
public struct DiscreteMap: Sendable {
    public let model: GroupedModel
    public let method: Method
    public let learningRate: Double
    /// |s_g| beyond this counts as divergence (the loss grows like s⁴, so 1e75 already
    /// overflows it).
    public var explosionLimit: Double = 1e60

    /// p_g σ_g, σ_g, t_g.
    let weight: [Double]
    let sigma: [Double]
    let target: [Double]

    public init(model: GroupedModel, method: Method, learningRate: Double) throws {
        try Validate.positive(learningRate, "lr")
        try method.requirePaperMethod(in: "DiscreteMap", note: "OptimizerMap runs every method")
        self.model = model
        self.method = method
        self.learningRate = learningRate
        weight = model.groups.map { Double($0.multiplicity) * $0.eigenvalue }
        sigma = model.groups.map(\.eigenvalue)
        target = model.groups.map(\.target)
    }

    /// One step in place; `gradient` is scratch space of `model.count` entries.
    public func step(_ s: inout [Double], gradient: inout [Double]) {
        weight.withUnsafeBufferPointer { w in
            sigma.withUnsafeBufferPointer { sg in
                target.withUnsafeBufferPointer { tg in
                    s.withUnsafeMutableBufferPointer { sp in
                        gradient.withUnsafeMutableBufferPointer { gp in
                            rawStep(sp.baseAddress!, gp.baseAddress!, w.baseAddress!, sg.baseAddress!, tg.baseAddress!, sp.count)
                        }
                    }
                }
            }
        }
    }

    /// T = Σ p_gσ_g(s_g² − t_g); G_g = σ_g s_g (2σ_g(s_g² − t_g) + T); then the update.
    /// The same expressions as `ManifoldGradient` (the reference), on raw buffers; pinned to it
    /// bit for bit by ManifoldGradientTests.
    @inline(__always)
    func rawStep(_ s: UnsafeMutablePointer<Double>, _ gradient: UnsafeMutablePointer<Double>,
                 _ w: UnsafePointer<Double>, _ sg: UnsafePointer<Double>, _ tg: UnsafePointer<Double>, _ n: Int) {
        var t = 0.0
        for g in 0..<n { t += w[g] * (s[g] * s[g] - tg[g]) }
        for g in 0..<n { gradient[g] = sg[g] * s[g] * (2 * sg[g] * (s[g] * s[g] - tg[g]) + t) }
        let lr = learningRate
        switch method {
        case .gd:
            for g in 0..<n { s[g] -= lr * gradient[g] }
        case .specgd:
            for g in 0..<n {
                let grad = gradient[g]
                s[g] -= grad > 0 ? lr : (grad < 0 ? -lr : 0)
            }
        case .signgd, .adam, .rule:
            break  // refused by init
        }
    }

    /// Iterates `steps` times from `start`, calling `record(k, s)` at k = 0, every `every`
    /// steps, at the last step, and at any step where `watch(s)` returns true (a cheap
    /// per-step probe, e.g. "a just crossed the escape threshold"). Throws
    /// `DivergenceError` naming the first step whose state is non-finite or beyond
    /// `explosionLimit`. `poll(k, s)` runs every `pollInterval` steps (the run's owner checks
    /// for cancellation or reports progress there; whatever it throws ends the iteration).
    public func iterate(from start: [Double], steps: Int, every: Int = 1,
                        watch: ((UnsafeBufferPointer<Double>) -> Bool)? = nil,
                        poll: ((Int, UnsafeBufferPointer<Double>) throws -> Void)? = nil,
                        record: (Int, [Double]) throws -> Void) throws -> [Double] {
        try Validate.atLeast(steps, 0, "steps")
        try Validate.atLeast(every, 1, "every")
        guard start.count == model.count else {
            throw InputError("start has \(start.count) coefficients for \(model.count) groups")
        }
        for value in start { try Validate.finite(value, "initial coefficient") }
        try record(0, start)
        if steps == 0 { return start }
        let n = model.count
        let s = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let gradient = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { s.deallocate(); gradient.deallocate() }
        for g in 0..<n { s[g] = start[g] }
        let limit = explosionLimit
        return try weight.withUnsafeBufferPointer { w in
            try sigma.withUnsafeBufferPointer { sg in
                try target.withUnsafeBufferPointer { tg in
                    var k = 1
                    var untilRecord = every
                    var untilPoll = Self.pollInterval
                    while k <= steps {
                        rawStep(s, gradient, w.baseAddress!, sg.baseAddress!, tg.baseAddress!, n)
                        // Checked every step (a few compares) so the reported step is the exact one.
                        for g in 0..<n where !(abs(s[g]) <= limit) {  // false for NaN too
                            throw DivergenceError(step: k, detail: "coefficient \(model.groups[g].name) = \(s[g]); lower the learning rate")
                        }
                        untilRecord -= 1
                        if untilRecord == 0 || k == steps || (watch?(UnsafeBufferPointer(start: s, count: n)) ?? false) {
                            if untilRecord == 0 { untilRecord = every }
                            try record(k, Array(UnsafeBufferPointer(start: s, count: n)))
                        }
                        untilPoll -= 1
                        if untilPoll == 0, let poll {
                            untilPoll = Self.pollInterval
                            try poll(k, UnsafeBufferPointer(start: s, count: n))
                        }
                        k += 1
                    }
                    return Array(UnsafeBufferPointer(start: s, count: n))
                }
            }
        }
    }

    /// Steps between two `poll` calls: a few ms of a small map (~10⁷–10⁸ steps/s), so a
    /// cancellation is seen at once while the check costs nothing per step.
    package static let pollInterval = 1 << 16

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
