import Foundation
import Testing
import Model
@testable import Theory
import NumericKit
import SpecgdSupport
import TestSupport

/// docs/model.md §6 transcribed rule by rule on plain arrays, with nothing shared with the
/// library: its own gradient (docs/model.md §3), its own coefficient tables (copied from the
/// spec's text, not from NumericKit) and its own learning-rate scales. Each expression is
/// written in the association the library documents (the gradient as `ManifoldGradient`, the
/// polynomial as x·((b x² + c x⁴) + a), x = U·(1/(f‖U‖ + ε))), so the two must agree bit for
/// bit: any difference is a different rule, not rounding. (The textbook form a x + b x³ + c x⁵
/// is checked against that association to rounding in NewtonSchulzScheduleTests.)
private struct NaiveMap {
    enum Rule {
        case gradient
        case sign
        case newtonSchulz(rows: [(Double, Double, Double)], factor: Double, epsilon: Double)
        case adam(beta1: Double, beta2: Double, epsilon: Double)
        /// The registered rules (Sources/Model/Rules), from their papers' update formulas:
        /// Lion's sign of the interpolated moment (state in m), PolarGrad's nuclear-norm-scaled
        /// sign, Shampoo's L^(−1/4) G R^(−1/4) with diagonal L = R (state in v, from ε).
        case lion(beta1: Double, beta2: Double)
        case polarGrad
        case shampoo(epsilon: Double)
    }
    var sigma: [Double], p: [Double], target: [Double]
    var rule: Rule
    var beta = 0.0, nesterov = false, weightDecay = 0.0
    var lr: Double
    var s: [Double]
    var buffer: [Double], m: [Double], v: [Double]
    var t = 0

    init(model: GroupedModel, rule: Rule, lr: Double, start: [Double]) {
        sigma = model.groups.map(\.eigenvalue)
        p = model.groups.map { Double($0.multiplicity) }
        target = model.groups.map(\.target)
        self.rule = rule
        self.lr = lr
        s = start
        buffer = start.map { _ in 0 }
        m = buffer
        v = buffer
    }

    mutating func step() {
        t += 1
        let n = s.count
        var trace = 0.0
        for g in 0..<n { trace += p[g] * sigma[g] * (s[g] * s[g] - target[g]) }
        var gradient = [Double](repeating: 0, count: n)
        for g in 0..<n { gradient[g] = sigma[g] * s[g] * (2 * sigma[g] * (s[g] * s[g] - target[g]) + trace) }
        var u = gradient
        if case .lion(let b1, let b2) = rule {
            for g in 0..<n {
                let c = b1 * m[g] + (1 - b1) * gradient[g]
                u[g] = c > 0 ? 1 : (c < 0 ? -1 : 0)
                m[g] = b2 * m[g] + (1 - b2) * gradient[g]
            }
        } else if case .shampoo(let e) = rule {
            if t == 1 { v = v.map { _ in e } }
            for g in 0..<n {
                v[g] += gradient[g] * gradient[g]
                let quarter = 1 / v[g].squareRoot().squareRoot()  // L^(−1/4) = R^(−1/4) on group g
                u[g] = (quarter * gradient[g]) * quarter
            }
        } else if case .adam(let b1, let b2, let e) = rule {
            for g in 0..<n {
                m[g] = b1 * m[g] + (1 - b1) * gradient[g]
                v[g] = b2 * v[g] + (1 - b2) * (gradient[g] * gradient[g])
                let mHat = m[g] / (1 - pow(b1, Double(t)))
                let vHat = v[g] / (1 - pow(b2, Double(t)))
                u[g] = mHat / (vHat.squareRoot() + e)
            }
        } else {
            if beta > 0 {
                for g in 0..<n {
                    buffer[g] = beta * buffer[g] + gradient[g]
                    u[g] = nesterov ? gradient[g] + beta * buffer[g] : buffer[g]
                }
            }
            switch rule {
            case .gradient, .adam, .lion, .shampoo: break
            case .polarGrad:
                var nuclear = 0.0
                for g in 0..<n { nuclear += p[g] * abs(u[g]) }
                u = u.map { nuclear * ($0 > 0 ? 1 : ($0 < 0 ? -1 : 0)) }
            case .sign: u = u.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
            case .newtonSchulz(let rows, let f, let e):
                var normSquared = 0.0
                for g in 0..<n { normSquared += p[g] * (u[g] * u[g]) }
                let scale = 1 / (f * normSquared.squareRoot() + e)
                for g in 0..<n {
                    var x = u[g] * scale
                    for (a, b, c) in rows { x = x * ((b * (x * x) + c * ((x * x) * (x * x))) + a) }
                    u[g] = x
                }
            }
        }
        for g in 0..<n { s[g] = (1 - lr * weightDecay) * s[g] - lr * u[g] }
    }
}

/// The coefficient rows as docs/model.md §6 prints them.
private let muonQuintic = (3.4445, -4.7750, 2.0315)
private let polarExpressRows: [(Double, Double, Double)] = [
    (8.28721201814563, -23.595886519098837, 17.300387312530933),
    (4.107059111542203, -2.9478499167379106, 0.5448431082926601),
    (3.9486908534822946, -2.908902115962949, 0.5518191394370137),
    (3.3184196573706015, -2.488488024314874, 0.51004894012372),
    (2.300652019954817, -1.6689039845747493, 0.4188073119525673),
    (1.891301407787398, -1.2679958271945868, 0.37680408948524835),
    (1.8750014808534479, -1.2500016453999487, 0.3750001645474248),
    (1.875, -1.25, 0.375),
]

/// Polar Express's K rows with safety factor f: all tuples but the last divided by (f, f³, f⁵),
/// then the last repeated.
private func polarExpress(_ k: Int, _ f: Double) -> [(Double, Double, Double)] {
    let damped = polarExpressRows.dropLast().map { ($0.0 / f, $0.1 / (f * f * f), $0.2 / (f * f * f * f * f)) } + [polarExpressRows.last!]
    return (0..<k).map { damped[min($0, damped.count - 1)] }
}

/// One optimizer, its naive rule, and the run parameters of the transcription test.
private struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var optimizer: Optimizer
    var lr: Double
    var testDescription: String { name }

    func naive(_ model: GroupedModel, start: [Double]) -> NaiveMap {
        let o = optimizer
        let rule: NaiveMap.Rule
        switch o.method {
        case .gd: rule = .gradient
        case .signgd: rule = .sign
        case .adam: rule = .adam(beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.adamEpsilon ?? 1e-8)
        case .rule(let name) where name.word == "lion": rule = .lion(beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.99)
        case .rule(let name) where name.word == "polargrad": rule = .polarGrad
        case .rule(let name) where name.word == "shampoo": rule = .shampoo(epsilon: o.preconditionerEpsilon ?? 1e-8)
        case .rule(let name): preconditionFailure("no transcription of \(name.word)")
        case .specgd:
            let k = o.newtonSchulzSteps ?? 5, e = o.newtonSchulzEpsilon ?? 1e-7
            switch o.polar ?? .svd {
            case .svd, .gram: rule = .sign
            case .ns3: rule = .newtonSchulz(rows: Array(repeating: (1.5, -0.5, 0), count: k), factor: 1, epsilon: e)
            case .ns5: rule = .newtonSchulz(rows: Array(repeating: muonQuintic, count: k), factor: 1, epsilon: e)
            case .polarExpress:
                let f = o.safetyFactor ?? 1.01
                rule = .newtonSchulz(rows: polarExpress(k, f), factor: f, epsilon: e)
            case .custom:
                let rows = o.coefficients!.map { ($0.a, $0.b, $0.c) }
                rule = .newtonSchulz(rows: (0..<k).map { rows[min($0, rows.count - 1)] }, factor: 1, epsilon: e)
            }
        }
        let d = Double(model.dimension)
        let scale: Double
        switch o.learningRateScale {
        case .none: scale = 1
        case .muon: scale = 1  // √max(1, d/m) at m = d
        case .adamwRMS: scale = 0.2 * d.squareRoot()
        }
        var map = NaiveMap(model: model, rule: rule, lr: lr * scale, start: start)
        map.beta = o.momentum
        map.nesterov = o.nesterov
        map.weightDecay = o.weightDecay
        return map
    }
}

private let transcriptionCases: [Case] = [
    Case(name: "gd", optimizer: Optimizer(method: .gd), lr: 0.01),
    Case(name: "gd momentum", optimizer: Optimizer(method: .gd, momentum: 0.9), lr: 0.002),
    Case(name: "gd nesterov decay", optimizer: Optimizer(method: .gd, momentum: 0.8, nesterov: true, weightDecay: 0.5), lr: 0.002),
    Case(name: "specgd", optimizer: Optimizer(method: .specgd), lr: 1e-3),
    Case(name: "specgd momentum decay adamw-rms", optimizer: Optimizer(method: .specgd, momentum: 0.9, weightDecay: 0.1,
                                                                       learningRateScale: .adamwRMS), lr: 1e-4),
    Case(name: "specgd ns3", optimizer: Optimizer(method: .specgd, polar: .ns3, newtonSchulzSteps: 7), lr: 1e-3),
    Case(name: "muon", optimizer: .muon, lr: 1e-3),
    Case(name: "muon K=8 ε=0 decay muon-scale", optimizer: Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 8,
                                                                   newtonSchulzEpsilon: 0, momentum: 0.95, nesterov: true,
                                                                   weightDecay: 0.1, learningRateScale: .muon), lr: 1e-3),
    Case(name: "polar-express K=10", optimizer: Optimizer(method: .specgd, polar: .polarExpress, newtonSchulzSteps: 10), lr: 1e-3),
    Case(name: "polar-express f=1.05 momentum", optimizer: Optimizer(method: .specgd, polar: .polarExpress, safetyFactor: 1.05,
                                                                   momentum: 0.9), lr: 1e-3),
    Case(name: "custom rows K=4", optimizer: Optimizer(method: .specgd, polar: .custom, newtonSchulzSteps: 4,
                                                      coefficients: [NewtonSchulzStep(3, -3.2, 1.2), NewtonSchulzStep(1.5, -0.5, 0)]),
         lr: 1e-3),
    Case(name: "signgd", optimizer: Optimizer(method: .signgd), lr: 1e-3),
    Case(name: "signum nesterov", optimizer: Optimizer(method: .signgd, momentum: 0.9, nesterov: true), lr: 1e-3),
    Case(name: "adam", optimizer: Optimizer(method: .adam), lr: 1e-3),
    Case(name: "adamw β", optimizer: Optimizer(method: .adam, weightDecay: 0.01, beta1: 0.8, beta2: 0.99, adamEpsilon: 1e-6), lr: 1e-3),
    Case(name: "lion", optimizer: Optimizer(method: Method(rawValue: "lion")!), lr: 1e-3),
    Case(name: "lion β decay", optimizer: Optimizer(method: Method(rawValue: "lion")!, weightDecay: 0.1, beta1: 0.5, beta2: 0.9), lr: 1e-3),
    Case(name: "polargrad", optimizer: Optimizer(method: Method(rawValue: "polargrad")!), lr: 1e-5),
    Case(name: "polargrad nesterov adamw-rms", optimizer: Optimizer(method: Method(rawValue: "polargrad")!, momentum: 0.9, nesterov: true,
                                                                   learningRateScale: .adamwRMS), lr: 1e-7),
    Case(name: "shampoo", optimizer: Optimizer(method: Method(rawValue: "shampoo")!), lr: 1e-2),
    Case(name: "shampoo ε decay", optimizer: Optimizer(method: Method(rawValue: "shampoo")!, weightDecay: 0.1, preconditionerEpsilon: 1e-3), lr: 1e-2),
]

@Suite struct OptimizerMapTests {
    static let spiked = try! GroupedModel.spiked(lambda: 8, dimension: 200)
    static let powerLaw = try! GroupedModel.powerLaw(beta: 1, dimension: 40, signalIndex: 3)

    /// Every combination against the naive transcription, step for step over 3000 steps, on
    /// the spiked model and on a power-law model (one group per eigenvalue): bit-identical
    /// coefficients and state, by the association argument at the top of the file.
    @Test(arguments: transcriptionCases)
    fileprivate func matchesNaiveTranscription(_ c: Case) throws {
        for model in [Self.spiked, Self.powerLaw] {
            let start = model.identityStart(alpha: 0.01)
            let map = try OptimizerMap(model: model, optimizer: c.optimizer, learningRate: c.lr)
            var naive = c.naive(model, start: start)
            var mismatch: String?
            _ = try map.iterate(from: OptimizerState(coefficients: start, optimizer: c.optimizer), steps: 3000) { k, state in
                if k > 0 { naive.step() }
                guard mismatch == nil else { return }
                if Array(state.coefficients) != naive.s { mismatch = "s at step \(k): \(Array(state.coefficients)) vs \(naive.s)" }
                if c.optimizer.momentum > 0, Array(state.momentum) != naive.buffer { mismatch = "B at step \(k)" }
                if c.optimizer.method == .adam, Array(state.firstMoment) != naive.m || Array(state.secondMoment) != naive.v {
                    mismatch = "m, v at step \(k)"
                }
                if let rule = c.optimizer.method.updateRule, k > 0 {
                    let expected = rule == Lion.self ? naive.m : rule == Shampoo.self ? naive.v : []
                    if Array(state.ruleState) != expected { mismatch = "rule state at step \(k)" }
                }
            }
            #expect(mismatch == nil, "\(c.name), \(model.count) groups: \(mismatch ?? "")")
            // The run moved: a test that cannot fail would pass on a map that never steps.
            #expect(naive.s != start)
        }
    }

    /// `step` (the allocating convenience) and `iterate` are the same map.
    @Test func stepEqualsIterate() throws {
        let map = try OptimizerMap(model: Self.spiked, optimizer: .muon, learningRate: 1e-3)
        var state = OptimizerState(coefficients: Self.spiked.identityStart(alpha: 0.01))
        for _ in 0..<50 { map.step(&state) }
        let iterated = try map.final(from: OptimizerState(coefficients: Self.spiked.identityStart(alpha: 0.01)), steps: 50)
        #expect(state == iterated)
        #expect(state.step == 50)
    }

    // MARK: hand-computed first steps

    /// Spiked λ = 8, d = 10 (p = 8 bulk coordinates), W₀ = 0.1·I. By hand (docs/model.md §3):
    ///   T = (0.01 − 1) + 9·0.01 + 8·0.01 = −0.82
    ///   G_a = 0.1·(2·(−0.99) − 0.82) = −0.28
    ///   G_b = 9·0.1·(2·9·0.01 − 0.82) = −0.576
    ///   G_c = 0.1·(2·0.01 − 0.82) = −0.08
    ///   ‖G‖²_F = 0.28² + 0.576² + 8·0.08² = 0.461376, ‖G‖_F = 0.679246641508075474…
    static let handModel = try! GroupedModel.spiked(lambda: 8, dimension: 10)
    static let handStart = [0.1, 0.1, 0.1]

    func firstStep(_ optimizer: Optimizer, lr: Double) throws -> OptimizerState {
        let map = try OptimizerMap(model: Self.handModel, optimizer: optimizer, learningRate: lr)
        var state = OptimizerState(coefficients: Self.handStart)
        map.step(&state)
        return state
    }

    /// |x − expected| within 64 roundings of `magnitude`: one step does fewer than 64 roundings
    /// (gradient ≤ 12, normalisation 5, 5 polynomial steps × 6, update 3) of quantities no
    /// larger than the state and the NS/Adam intermediates (≤ 2 here); the decimal constants
    /// below are the exact values rounded to 18 digits.
    func expectClose(_ x: [Double], _ expected: [Double], magnitude: Double = 2, _ label: String) {
        for g in x.indices {
            #expect(abs(x[g] - expected[g]) <= gammaBound(64) * magnitude, "\(label) group \(g): \(x[g]) vs \(expected[g])")
        }
    }

    @Test func handComputedFirstSteps() throws {
        // GD, η̃ = 0.01: s − η̃G = (0.1028, 0.10576, 0.1008).
        expectClose(try firstStep(Optimizer(method: .gd), lr: 0.01).coefficients, [0.1028, 0.10576, 0.1008], "gd")
        // Heavy ball: B₁ = G, U = B₁ — the first step is GD's. Nesterov: U = G + 0.9·G = 1.9·G:
        // 0.1 + 0.01·1.9·(0.28, 0.576, 0.08) = (0.10532, 0.110944, 0.10152).
        let heavy = try firstStep(Optimizer(method: .gd, momentum: 0.9), lr: 0.01)
        expectClose(heavy.coefficients, [0.1028, 0.10576, 0.1008], "heavy ball")
        expectClose(heavy.momentum, [-0.28, -0.576, -0.08], "heavy ball B")
        expectClose(try firstStep(Optimizer(method: .gd, momentum: 0.9, nesterov: true), lr: 0.01).coefficients,
                    [0.10532, 0.110944, 0.10152], "nesterov")
        // Exact SpecGD and SignGD, η = 0.01: every G < 0, s + η = 0.11.
        for method in [Method.specgd, .signgd] {
            let state = try firstStep(Optimizer(method: method), lr: 0.01)
            expectClose(state.coefficients, [0.11, 0.11, 0.11], method.rawValue)
            #expect(state.update == [-1, -1, -1])
        }
        // Decoupled decay ω = 0.1: (1 − 0.01·0.1)·0.1 + 0.01 = 0.1099.
        expectClose(try firstStep(Optimizer(method: .specgd, weightDecay: 0.1), lr: 0.01).coefficients,
                    [0.1099, 0.1099, 0.1099], "decay")
        // adamw-rms at d = m = 10: η' = 0.01·0.2·√10 = 0.00632455532033675902; s = 0.10632455532033675902.
        // muon at m = d: η' = η.
        expectClose(try firstStep(Optimizer(method: .specgd, learningRateScale: .adamwRMS), lr: 0.01).coefficients,
                    [0.106324555320336759, 0.106324555320336759, 0.106324555320336759], "adamw-rms")
        expectClose(try firstStep(Optimizer(method: .specgd, learningRateScale: .muon), lr: 0.01).coefficients,
                    [0.11, 0.11, 0.11], "muon scale")
        // NS5, K = 1, ε = 0: x = G/‖G‖ = (−0.412221397780251103, −0.847998304005087983, −0.117777542222928887),
        // φ(x) = 3.4445x − 4.775x³ + 2.0315x⁵ = (−1.10960133135193422, −0.899975375660188887, −0.397929593864137994),
        // s = 0.1 − 0.01·φ(x).
        let ns = try firstStep(Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 1, newtonSchulzEpsilon: 0), lr: 0.01)
        expectClose(ns.update, [-1.10960133135193422, -0.899975375660188887, -0.397929593864137994], "ns5 φ(x)")
        expectClose(ns.coefficients, [0.111096013313519342, 0.108999753756601889, 0.103979295938641380], "ns5")
        // Polar Express, K = 1, f = 1.01, ε = 0: x = G/(1.01‖G‖) = (−0.408139997802228815, −0.839602281193156419,
        // −0.116611427943493947); first tuple divided by (1.01, 1.01³, 1.01⁵):
        // y = (−1.97823554163173360, −0.202064727715925261, −0.920854620218651733).
        let pe = try firstStep(Optimizer(method: .specgd, polar: .polarExpress, newtonSchulzSteps: 1, newtonSchulzEpsilon: 0), lr: 0.01)
        expectClose(pe.update, [-1.97823554163173360, -0.202064727715925261, -0.920854620218651733], magnitude: 24, "polar express y")
        // Adam, step 1: m̂ = G, v̂ = G², u = G/(|G| + 1e-8); s = 0.1 + 0.01·|G|/(|G| + 1e-8) =
        // (0.109999999642857156, 0.109999999826388892, 0.109999998750000156).
        let adam = try firstStep(Optimizer(method: .adam), lr: 0.01)
        expectClose(adam.coefficients, [0.109999999642857156, 0.109999999826388892, 0.109999998750000156], "adam")
        expectClose(adam.firstMoment, [-0.028, -0.0576, -0.008], magnitude: 0.1, "adam m")
        // v = 0.001·G² = (7.84e-5, 3.31776e-4, 6.4e-6).
        expectClose(adam.secondMoment, [7.84e-5, 3.31776e-4, 6.4e-6], magnitude: 1e-3, "adam v")
    }

    /// Adam's first step is η·sign(G) up to ε: u = ĝ/(|ĝ| + ε) with ĝ = m/(1 − β₁) = G to rounding,
    /// so |u − sign G| ≤ ε/|G| + rounding (the bias corrections, a square root: ≤ 8 roundings).
    @Test(arguments: [Self.spiked, Self.powerLaw])
    func adamFirstStepIsSignLike(model: GroupedModel) throws {
        let start = model.identityStart(alpha: 0.01)
        let gradient = model.gradient(start)
        let epsilon = 1e-8, lr = 1e-3
        let map = try OptimizerMap(model: model, optimizer: Optimizer(method: .adam, adamEpsilon: epsilon), learningRate: lr)
        var state = OptimizerState(coefficients: start)
        map.step(&state)
        for g in start.indices {
            let sign: Double = gradient[g] > 0 ? 1 : -1
            #expect(abs(state.update[g] - sign) <= epsilon / abs(gradient[g]) + gammaBound(8), "group \(g)")
            #expect(abs((start[g] - state.coefficients[g]) - lr * sign) <= lr * (epsilon / abs(gradient[g]) + gammaBound(8)) + gammaBound(2) * abs(start[g]))
        }
    }

    // MARK: equalities

    /// docs/model.md §6: SignGD equals SpecGD exactly on the manifold (the polar factor of a
    /// diagonal is its sign), with and without momentum, decay and scale.
    @Test(arguments: [Optimizer(method: .signgd), Optimizer(method: .signgd, momentum: 0.9, nesterov: true),
                      Optimizer(method: .signgd, momentum: 0.5, weightDecay: 0.2, learningRateScale: .adamwRMS)])
    func signGDEqualsSpecGD(_ sign: Optimizer) throws {
        var spectral = sign
        spectral.method = .specgd
        for model in [Self.spiked, Self.powerLaw] {
            let start = OptimizerState(coefficients: model.identityStart(alpha: 1e-3))
            var a: [[Double]] = [], b: [[Double]] = []
            _ = try OptimizerMap(model: model, optimizer: sign, learningRate: 1e-3).iterate(from: start, steps: 2000) { _, s in a.append(Array(s.coefficients)) }
            _ = try OptimizerMap(model: model, optimizer: spectral, learningRate: 1e-3).iterate(from: start, steps: 2000) { _, s in b.append(Array(s.coefficients)) }
            #expect(a == b)
        }
    }

    /// Plain GD and exact SpecGD are `DiscreteMap` bit for bit (1·s = s and η·(±1) = ±η are
    /// exact, the gradient is the same expression), over 5000 steps on both model shapes.
    @Test(arguments: [Method.gd, .specgd])
    func plainOptimizerIsDiscreteMap(method: Method) throws {
        let lr = method == .gd ? 0.01 : 1e-3
        for model in [Self.spiked, Self.powerLaw] {
            let start = model.identityStart(alpha: 1e-3)
            var plain: [[Double]] = [], optimized: [[Double]] = []
            _ = try DiscreteMap(model: model, method: method, learningRate: lr).iterate(from: start, steps: 5000) { _, s in plain.append(s) }
            _ = try OptimizerMap(model: model, optimizer: Optimizer(method: method), learningRate: lr)
                .iterate(from: OptimizerState(coefficients: start), steps: 5000) { _, s in optimized.append(Array(s.coefficients)) }
            #expect(plain == optimized)
            let metrics = try DiscreteMap(model: model, method: method, learningRate: lr).escapeMetrics(from: start, steps: 5000)
            let optimizerMetrics = try OptimizerMap(model: model, optimizer: Optimizer(method: method), learningRate: lr)
                .escapeMetrics(from: start, steps: 5000)
            #expect(metrics == optimizerMetrics)
        }
    }

    /// `runOptimizerTheory` with a plain optimizer is `runTheory`: same table (columns, rows,
    /// values) and summary.
    @Test(arguments: [Method.gd, .specgd], [CovarianceKind.spiked, .powerLaw])
    func plainRunIsRunTheory(method: Method, covariance: CovarianceKind) throws {
        var config = TheoryConfiguration(method: method, lambda: 8, dimension: 100, alpha: 1e-3,
                                         learningRate: covariance == .powerLaw ? 1e-4 : 2e-3, steps: 3000, every: 7)
        config.covariance = covariance
        let plain = try runTheory(config)
        let optimized = try runOptimizerTheory(config, optimizer: Optimizer(method: method)).requireCompleted()
        #expect(optimized.table == plain.table)
        #expect(optimized.summary == plain.summary)
        #expect(optimized.final == plain.final)
    }

    // MARK: the trajectory table

    /// The usual columns, then the state: momentum_<g>, adam_m_<g>, adam_v_<g>, update_<g>; the
    /// summary's escape equals `escapeMetrics` (the same tracker over every step up to escape).
    @Test func tableHasStateColumnsAndEscapeMetrics() throws {
        let config = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 1000, alpha: 1e-3, learningRate: 2e-3, steps: 600, every: 50)
        let plain = try runTheory(config)
        let muon = try runOptimizerTheory(config, optimizer: .muon).requireCompleted()
        let names = ["a", "b", "c"]
        #expect(muon.table.columns == plain.table.columns + names.map { "momentum_\($0)" } + names.map { "update_\($0)" }
            + names.map { "phi_\($0)" })
        #expect(muon.table.rows.count == plain.table.rows.count)
        #expect(muon.summary.method == .specgd)
        #expect(muon.summary.predictions == nil)  // exact SpecGD's closed forms do not describe NS5
        let map = try OptimizerMap(model: muon.model, optimizer: .muon, learningRate: 2e-3)
        let metrics = try map.escapeMetrics(from: muon.model.identityStart(alpha: 1e-3), steps: 600)
        #expect(muon.summary.escape == metrics)
        #expect(metrics.escapeStep != nil)
        // The recorded state is the map's: the last row's columns against `final`.
        let final = try map.final(from: OptimizerState(coefficients: muon.model.identityStart(alpha: 1e-3)), steps: 600)
        let last = muon.table.rows.last!
        let column = { (name: String) in last[muon.table.columns.firstIndex(of: name)!] }
        #expect(column("a_signed") == final.coefficients[0])
        #expect(column("momentum_b") == final.momentum[1])
        #expect(column("update_c") == final.update[2])

        let adam = try runOptimizerTheory(config, optimizer: Optimizer(method: .adam)).requireCompleted()
        #expect(adam.table.columns == plain.table.columns + names.map { "adam_m_\($0)" } + names.map { "adam_v_\($0)" }
            + names.map { "update_\($0)" })
        #expect(adam.summary.method == .adam)
        // SignGD keeps exact SpecGD's predictions (it is exact SpecGD on the manifold).
        let sign = try runOptimizerTheory(config, optimizer: Optimizer(method: .signgd)).requireCompleted()
        #expect(sign.summary.predictions == plain.summary.predictions)
        #expect(sign.summary.escape == plain.summary.escape)
    }

    /// A diverging run keeps its rows and names the step, as `runTheory` does.
    @Test func divergenceKeepsRows() throws {
        let config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 100, alpha: 0.5, learningRate: 5, steps: 100, every: 1)
        let result = try runOptimizerTheory(config, optimizer: Optimizer(method: .gd, momentum: 0.9))
        #expect(result.outcome.status == .diverged)
        #expect(result.divergence != nil)
        #expect(result.table.rows.count >= 1)
    }

    /// Other dynamics: a plain optimizer runs them, any other is refused in one line.
    @Test func otherDynamics() throws {
        var config = TheoryConfiguration(method: .gd, steps: 100, every: 10)
        config.dynamics = .flow
        #expect(try runOptimizerTheory(config, optimizer: Optimizer(method: .gd)).table == runTheory(config).table)
        #expect(throws: InputError("the flows and the large-d map run plain gd and exact specgd; method specgd with these options runs on the exact map only (not the flow dynamics)")) {
            try runOptimizerTheory(config, optimizer: .muon)
        }
    }

    // MARK: cost

    /// d is only a multiplicity: d = 10⁸ runs the same instructions as d = 10² (no buffer, no
    /// loop depends on d). Measured as this thread's CPU time (robust to the preemption of a
    /// loaded machine), runs interleaved, best of 5 over 10⁵ NS5 + momentum steps in the escape
    /// stage (η·steps = 0.01: no coefficient reaches the subnormal range, which is slower for
    /// reasons unrelated to d). The larger d may take at most 3× the smaller + 20 ms; a path
    /// that touched d coordinates would take ≥ 10⁶× longer.
    @Test func costIndependentOfDimension() throws {
        func threadSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        func run(_ d: Int, alpha: Double) throws -> () throws -> Double {
            let model = try GroupedModel.spiked(lambda: 8, dimension: d)
            let map = try OptimizerMap(model: model, optimizer: .muon, learningRate: 1e-7)
            let start = OptimizerState(coefficients: model.identityStart(alpha: alpha))
            return {
                let before = threadSeconds()
                let final = try map.final(from: start, steps: 100_000)
                let elapsed = threadSeconds() - before
                let normal = final.coefficients.allSatisfy { $0.isNormal }
                #expect(normal)
                return elapsed
            }
        }
        let small = try run(100, alpha: 1e-3), large = try run(100_000_000, alpha: 1e-6)
        var smallBest = Double.infinity, largeBest = Double.infinity
        for _ in 0..<5 {
            smallBest = min(smallBest, try small())
            largeBest = min(largeBest, try large())
        }
        #expect(largeBest <= 3 * smallBest + 0.02, "d = 10⁸: \(largeBest) s, d = 10²: \(smallBest) s")
    }

    // MARK: Newton–Schulz on the manifold

    /// The normalisation counts multiplicities: ‖U‖²_F = Σ_g p_g U_g². With K = 1 and the cubic
    /// (φ(x) = 1.5x − 0.5x³), ε = 0, one group of the bulk's size p and U all equal, the bulk
    /// entries are x = U/√(Σ p U²); checked against the update column.
    @Test func normalisationCountsMultiplicities() throws {
        let model = Self.handModel
        let map = try OptimizerMap(model: model, optimizer: Optimizer(method: .specgd, polar: .ns3, newtonSchulzSteps: 1,
                                                                      newtonSchulzEpsilon: 0), learningRate: 0.01)
        var state = OptimizerState(coefficients: Self.handStart)
        map.step(&state)
        // ‖G‖ = √0.461376 (8 bulk coordinates, not 1): x_c = −0.08/0.679246641508075474 = −0.117777542222928887.
        let x = -0.117777542222928887
        #expect(abs(state.update[2] - (1.5 * x - 0.5 * x * x * x)) <= gammaBound(16))
    }

    /// U = 0 gives no update with ε = 0 (no 0/0): the sign(0) = 0 convention carries over.
    @Test func zeroGradientStaysPut() throws {
        // s = 0 in every group but the signal: G_g = σ_g s_g (…) = 0 there.
        let model = Self.handModel
        for optimizer in [Optimizer(method: .specgd, polar: .ns5, newtonSchulzEpsilon: 0), Optimizer(method: .adam), Optimizer(method: .signgd)] {
            let map = try OptimizerMap(model: model, optimizer: optimizer, learningRate: 0.01)
            var state = OptimizerState(coefficients: [0.1, 0, 0])
            map.step(&state)
            #expect(state.coefficients[1] == 0 && state.coefficients[2] == 0, "\(optimizer.method)")
            #expect(state.update[1] == 0 && state.update[2] == 0)
            #expect(state.update[0] != 0)
        }
        let map = try OptimizerMap(model: model, optimizer: Optimizer(method: .specgd, polar: .ns5, newtonSchulzEpsilon: 0), learningRate: 0.01)
        var state = OptimizerState(coefficients: [1, 0, 0])  // the teacher: G = 0 everywhere
        map.step(&state)
        #expect(state.coefficients == [1, 0, 0])
    }

    /// `phi_<g>` is |φ_K(x_g)|, x_g = U_g/(f‖U‖_F + ε): recomputed here from the recorded state —
    /// U = G at the previous step's coefficients without momentum (the gradient in rawStep's
    /// association), U = B (the recorded buffer) with heavy ball — with the same expressions as the
    /// map (‖U‖²_F summed over g in order, x = U·(1/denominator), `NewtonSchulzSchedule.apply`), so
    /// bit for bit. Every Newton–Schulz rule, at steps 1, 10, 100 and 400; only those rules get the columns.
    @Test(arguments: [PolarMethod.ns3, .ns5, .polarExpress, .custom], [0.0, 0.9])
    func phiColumnsAreTheScheduleOfTheNormalisedDirection(polar: PolarMethod, momentum: Double) throws {
        let model = Self.spiked
        let rows = polar == .custom ? [NewtonSchulzStep(3, -3.2, 1.2), NewtonSchulzStep(1.5, -0.5, 0)] : nil
        let optimizer = Optimizer(method: .specgd, polar: polar, coefficients: rows, momentum: momentum)
        let schedule = try #require(optimizer.schedule)
        let map = try OptimizerMap(model: model, optimizer: optimizer, learningRate: 1e-3)
        let names = model.groups.map(\.name)
        #expect(Array(map.stateColumns.suffix(3)) == names.map { "phi_\($0)" })
        var previous = model.identityStart(alpha: 0.01)
        var checked = 0
        _ = try map.iterate(from: OptimizerState(coefficients: previous, optimizer: optimizer), steps: 400) { k, state in
            defer { previous = Array(state.coefficients) }
            guard [1, 10, 100, 400].contains(k) else { return }
            var row: [Double] = []
            map.appendState(state, to: &row)
            let phi = Array(row.suffix(3))
            let direction: [Double]
            if momentum > 0 {
                direction = Array(state.momentum)
            } else {
                direction = model.gradient(previous)  // `ManifoldGradient`, rawStep's association
            }
            var squared = 0.0
            for (g, group) in model.groups.enumerated() { squared += Double(group.multiplicity) * (direction[g] * direction[g]) }
            let scale = 1 / (schedule.normalisationFactor * squared.squareRoot() + schedule.epsilon)
            let expected = direction.map { abs(schedule.apply($0 * scale)) }
            #expect(phi == expected, "\(polar) β = \(momentum) step \(k): \(phi) vs \(expected)")
            #expect(phi == state.update.map { abs($0) })
            checked += 1
        }
        #expect(checked == 4)
        for other in [Optimizer(method: .specgd, momentum: 0.9), Optimizer(method: .adam), Optimizer(method: .signgd)] {
            let plainColumns = try OptimizerMap(model: model, optimizer: other, learningRate: 1e-3).stateColumns
            #expect(!plainColumns.contains { $0.hasPrefix("phi_") }, "\(other.method)")
        }
    }

    /// At large d the bulk's normalised entries are O(d^(−1/2)) and a fixed K lifts them only by
    /// ≤ a₁^K (docs/model.md §6): Muon's c moves by η·φ₅(x_c) ≤ η·3.4445⁵·|x_c|, far less than exact
    /// SpecGD's η. Checked on the first step at d = 10⁸ against that bound.
    @Test func muonBulkStepIsSmallAtLargeD() throws {
        let d = 100_000_000
        let model = try GroupedModel.spiked(lambda: 8, dimension: d)
        let start = model.identityStart(alpha: 1 / Double(d))
        let gradient = model.gradient(start)
        var norm = 0.0
        for g in 0..<3 { norm += Double(model.groups[g].multiplicity) * gradient[g] * gradient[g] }
        let xc = abs(gradient[2]) / (norm.squareRoot() + 1e-7)
        let map = try OptimizerMap(model: model, optimizer: Optimizer(method: .specgd, polar: .ns5), learningRate: 1e-4)
        var state = OptimizerState(coefficients: start)
        map.step(&state)
        #expect(xc < 1e-3)
        #expect(abs(state.update[2]) <= pow(3.4445, 5) * xc * (1 + gammaBound(40)))
        #expect(abs(state.update[2]) < 0.5)
    }
}

/// Field-by-field validation: one line naming the field.
@Suite struct OptimizerValidationTests {
    static let cases: [(Optimizer, String)] = [
        (Optimizer(method: .gd, polar: .ns5), "polar applies to method specgd only (got method gd)"),
        (Optimizer(method: .signgd, polar: .svd), "polar applies to method specgd only (got method signgd)"),
        (Optimizer(method: .specgd, newtonSchulzSteps: 3),
         "newtonSchulzSteps applies to Newton–Schulz polar rules only (ns3, ns5, polar-express, custom; got polar svd)"),
        (Optimizer(method: .specgd, polar: .gram, newtonSchulzEpsilon: 1e-6),
         "newtonSchulzEpsilon applies to Newton–Schulz polar rules only (ns3, ns5, polar-express, custom; got polar gram)"),
        (Optimizer(method: .specgd, polar: .ns5, safetyFactor: 1.1), "safetyFactor applies to polar polar-express only (got polar ns5)"),
        (Optimizer(method: .specgd, polar: .ns5, coefficients: [NewtonSchulzStep(1.5, -0.5, 0)]),
         "coefficients apply to polar custom only (got polar ns5)"),
        (Optimizer(method: .specgd, polar: .custom), "polar custom needs coefficients (one 'a b c' row per Newton–Schulz step)"),
        (Optimizer(method: .specgd, polar: .custom, coefficients: [NewtonSchulzStep(.nan, 1, 0)]),
         "coefficients row 1 must be finite (got nan 1.0 0.0)"),
        (Optimizer(method: .adam, momentum: 0.9), "momentum and nesterov apply to methods gd, specgd and signgd only (adam's momentum is beta1)"),
        (Optimizer(method: .specgd, beta1: 0.8), "beta1 applies to method adam or lion only (got method specgd)"),
        (Optimizer(method: .gd, adamEpsilon: 1e-6), "adamEpsilon applies to method adam only (got method gd)"),
        (Optimizer(method: .gd, momentum: 1.2), "momentum must be in [0, 1) (got 1.2)"),
        (Optimizer(method: .gd, momentum: -0.1), "momentum must be in [0, 1) (got -0.1)"),
        (Optimizer(method: .gd, momentum: .nan), "momentum must be in [0, 1) (got nan)"),
        (Optimizer(method: .gd, nesterov: true), "nesterov needs momentum > 0 (Nesterov momentum with β = 0 is the plain method)"),
        (Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 0), "newtonSchulzSteps must be >= 1 (got 0)"),
        (Optimizer(method: .specgd, polar: .ns5, newtonSchulzEpsilon: -1), "newtonSchulzEpsilon must be >= 0 (got -1.0)"),
        (Optimizer(method: .specgd, polar: .polarExpress, safetyFactor: 0), "safetyFactor must be > 0 (got 0.0)"),
        (Optimizer(method: .gd, weightDecay: -0.1), "weightDecay must be >= 0 (got -0.1)"),
        (Optimizer(method: .adam, beta1: 1), "beta1 must be in [0, 1) (got 1.0)"),
        (Optimizer(method: .adam, beta2: -0.5), "beta2 must be in [0, 1) (got -0.5)"),
        (Optimizer(method: .adam, adamEpsilon: 0), "adamEpsilon must be > 0 (got 0.0)"),
    ]

    @Test func eachBadOptimizerHasItsMessage() {
        for (optimizer, message) in Self.cases {
            #expect(throws: InputError(message)) { try optimizer.validate() }
            // The map refuses it with the same line.
            #expect(throws: InputError(message)) { try OptimizerMap(model: OptimizerMapTests.spiked, optimizer: optimizer, learningRate: 0.01) }
        }
        #expect(throws: InputError("lr must be > 0 (got 0.0)")) {
            try OptimizerMap(model: OptimizerMapTests.spiked, optimizer: Optimizer(method: .gd), learningRate: 0)
        }
    }

    @Test func goodOptimizersPass() throws {
        for optimizer in [Optimizer.muon, Optimizer(method: .adam, weightDecay: 0.1, beta1: 0.5, beta2: 0, adamEpsilon: 1e-12),
                          Optimizer(method: .specgd, polar: .polarExpress, newtonSchulzSteps: 8, newtonSchulzEpsilon: 0, safetyFactor: 1),
                          Optimizer(method: .specgd, polar: .gram, momentum: 0.5),
                          Optimizer(method: .signgd, momentum: 0.9, nesterov: true, learningRateScale: .adamwRMS)] {
            try optimizer.validate()
        }
    }

    /// The older paths refuse the new methods in one line.
    @Test func olderPathsRefuseNewMethods() {
        let model = OptimizerMapTests.spiked
        #expect(throws: InputError("method adam is not available in DiscreteMap yet (it runs gd and specgd; OptimizerMap runs every method)")) {
            try DiscreteMap(model: model, method: .adam, learningRate: 0.01)
        }
        #expect(throws: InputError("method signgd is not available in the large-d map yet (it runs gd and specgd)")) {
            try LargeDimensionMap(lambda: 8, method: .signgd, learningRate: 0.01, bulkCount: nil)
        }
        var flow = TheoryConfiguration(method: .signgd)
        flow.dynamics = .flow
        #expect(throws: InputError("the flows and the large-d map run plain gd and exact specgd; method signgd with these options runs on the exact map only (not the flow dynamics)")) { try runTheory(flow) }
    }

    /// The record form: any subset of fields, defaults for the rest, unknown keys refused;
    /// a round trip is the identity.
    @Test func decoding() throws {
        let decoder = JSONDecoder()
        let muon = try decoder.decode(Optimizer.self, from: Data(#"{"method":"specgd","polar":"ns5","momentum":0.95,"nesterov":true}"#.utf8))
        #expect(muon == .muon)
        let custom = Optimizer(method: .specgd, polar: .custom, newtonSchulzSteps: 4, coefficients: [NewtonSchulzStep(3, -3.2, 1.2)],
                               weightDecay: 0.1, learningRateScale: .adamwRMS)
        let customData = try JSONEncoder().encode(custom)
        #expect(try decoder.decode(Optimizer.self, from: customData) == custom)
        let adam = Optimizer(method: .adam, beta1: 0.8, beta2: 0.99, adamEpsilon: 1e-6)
        let adamData = try JSONEncoder().encode(adam)
        #expect(try decoder.decode(Optimizer.self, from: adamData) == adam)
        #expect(throws: InputError("unknown key 'momentun' (expected: method, polar, newtonSchulzSteps, newtonSchulzEpsilon, safetyFactor, coefficients, momentum, nesterov, weightDecay, learningRateScale, beta1, beta2, adamEpsilon, preconditionerEpsilon)")) {
            try decoder.decode(Optimizer.self, from: Data(#"{"method":"gd","momentun":0.9}"#.utf8))
        }
        // polar-express and adamw-rms spell as on the command line.
        let text = String(decoding: try JSONEncoder().encode(Optimizer(method: .specgd, polar: .polarExpress, learningRateScale: .adamwRMS)), as: UTF8.self)
        #expect(text.contains(#""polar":"polar-express""#) && text.contains(#""learningRateScale":"adamw-rms""#))
    }
}
