import Model
import Foundation
import NumericKit
import SpecgdSupport

/// The state of the optimizer map after some steps: per group g the coefficient s_g, the
/// momentum buffer B_g, Adam's moments m_g, v_g and the direction u_g of the last step
/// (s ← (1 − η'ω)s − η'u; 0 before the first step), and the step count t.
/// Buffers a method does not use stay 0.
public struct OptimizerState: Sendable, Equatable {
    public var coefficients: [Double]
    public var momentum: [Double]
    public var firstMoment: [Double]
    public var secondMoment: [Double]
    var update: [Double]
    /// A registered rule's state buffers (`UpdateRule.stateNames`), one after another, a value
    /// per group each; empty for the built-in methods.
    public var ruleState: [Double]
    public var step: Int

    /// The start of a run: s = `coefficients`, every buffer 0, t = 0.
    public init(coefficients: [Double]) {
        let zeros = [Double](repeating: 0, count: coefficients.count)
        self.coefficients = coefficients
        momentum = zeros
        firstMoment = zeros
        secondMoment = zeros
        update = zeros
        ruleState = []
        step = 0
    }

    /// The start of a run of `optimizer`: as `init(coefficients:)`, with a registered rule's
    /// state at its `initialState` (a preconditioner at εI, say).
    public init(coefficients: [Double], optimizer: Optimizer) {
        self.init(coefficients: coefficients)
        if let rule = optimizer.method.updateRule {
            ruleState = rule.init(optimizer).initialState.flatMap { [Double](repeating: $0, count: coefficients.count) }
        }
    }
}

/// The exact grouped map of the optimizer family (docs/model.md §6) on the invariant manifold
/// W = diag(s)·O: GD, SpecGD (exact sign or a Newton–Schulz schedule), SignGD and Adam, with
/// momentum (and Nesterov), decoupled weight decay and a learning-rate scale.
///
/// Per step, with G_g the gradient coefficient of `ManifoldGradient` (same expression and
/// association as `DiscreteMap.rawStep`) and η' = η·scale (the scale at m = d):
///   U = G, or with momentum B ← βB + G, U = B (Nesterov: U = G + βB);
///   u = U (gd), sign U (specgd with an exact polar; signgd), φ_K(U/(f‖U‖_F + ε)) with
///   ‖U‖²_F = Σ_g p_g U_g² (specgd with Newton–Schulz), or Adam's bias-corrected ratio;
///   s ← (1 − η'ω)s − η'u.
/// SignGD with momentum is Signum (sign of the buffer); on the manifold it equals SpecGD with
/// the same momentum exactly, as plain SignGD equals exact SpecGD.
///
/// The inner loop runs on one raw buffer (no allocation, no bounds checks) and costs O(groups)
/// per step whatever d is: d enters only as the multiplicities p_g. With plain GD or exact
/// SpecGD (`Optimizer.isPlain`), every step rounds exactly as `DiscreteMap`'s (1·s = s and
/// η·(±1) = ±η are exact), so the trajectories are bit-identical.
public struct OptimizerMap: Sendable {
    public let model: GroupedModel
    public let optimizer: Optimizer
    /// η as given (η̃ for GD).
    public let learningRate: Double
    /// η' = η · `optimizer.learningRateScale` at m = d.
    let effectiveLearningRate: Double
    /// |s_g| beyond this counts as divergence (as `DiscreteMap.explosionLimit`).
    public var explosionLimit: Double = 1e60

    /// How u is formed, resolved once.
    enum Direction: Sendable { case gradient, sign, newtonSchulz, adam, rule(any UpdateRule) }
    let direction: Direction
    /// p_g σ_g, σ_g, t_g, p_g.
    let weight: [Double]
    let sigma: [Double]
    let target: [Double]
    let multiplicity: [Double]
    /// The Newton–Schulz steps flattened as a₁ b₁ c₁ a₂ b₂ c₂ … (empty unless Newton–Schulz).
    let schedule: [Double]
    let normalisationFactor: Double
    let normalisationEpsilon: Double
    let beta: Double
    let nesterov: Bool
    /// 1 − η'ω (exactly 1 without decay).
    let decay: Double
    let beta1: Double
    let beta2: Double
    let adamEpsilon: Double

    public init(model: GroupedModel, optimizer: Optimizer, learningRate: Double) throws {
        try Validate.positive(learningRate, "lr")
        try optimizer.validate()
        self.model = model
        self.optimizer = optimizer
        self.learningRate = learningRate
        let d = model.dimension
        effectiveLearningRate = learningRate * optimizer.learningRateFactor(rows: d, columns: d)
        weight = model.groups.map { Double($0.multiplicity) * $0.eigenvalue }
        sigma = model.groups.map(\.eigenvalue)
        target = model.groups.map(\.target)
        multiplicity = model.groups.map { Double($0.multiplicity) }
        let ns = optimizer.schedule
        schedule = ns.map { $0.steps.flatMap { [$0.a, $0.b, $0.c] } } ?? []
        normalisationFactor = ns?.normalisationFactor ?? 1
        normalisationEpsilon = ns?.epsilon ?? 0
        switch optimizer.method {
        case .gd: direction = .gradient
        case .specgd: direction = ns == nil ? .sign : .newtonSchulz
        case .signgd: direction = .sign
        case .adam: direction = .adam
        case .rule: direction = .rule(optimizer.method.updateRule!.init(optimizer))
        }
        beta = optimizer.momentum
        nesterov = optimizer.nesterov
        decay = 1 - effectiveLearningRate * optimizer.weightDecay
        beta1 = optimizer.resolvedBeta1
        beta2 = optimizer.resolvedBeta2
        adamEpsilon = optimizer.resolvedAdamEpsilon
    }

    /// The buffers of one run of `cells` independent trajectories (one, or a batch of learning
    /// rates), one allocation. Per-group arrays are struct-of-arrays, entry g·cells + j for group
    /// g of cell j: s, G (scratch), B, m, v, u. Per cell: η', 1 − η'ω and one scratch sum.
    struct Buffers {
        let base: UnsafeMutablePointer<Double>
        let count: Int
        let cells: Int
        /// A registered rule's state buffers (count·cells each), after the per-cell arrays.
        let ruleBuffers: Int

        /// One trajectory from `state`, stepped with the map's own η' and decay.
        init(_ state: OptimizerState, map: OptimizerMap) {
            self.init(count: state.coefficients.count, cells: 1, ruleBuffers: map.ruleStateCount)
            for i in 0..<min(state.ruleState.count, ruleBuffers * count) { ruleState[i] = state.ruleState[i] }
            for g in 0..<count {
                s[g] = state.coefficients[g]
                b[g] = state.momentum[g]
                m[g] = state.firstMoment[g]
                v[g] = state.secondMoment[g]
                u[g] = state.update[g]
            }
            learningRate[0] = map.effectiveLearningRate
            decay[0] = map.decay
        }

        /// `maps.count` trajectories from the same coefficients, every buffer 0.
        init(start: [Double], maps: [OptimizerMap]) {
            self.init(count: start.count, cells: maps.count, ruleBuffers: maps.first?.ruleStateCount ?? 0)
            for g in 0..<count { for j in 0..<cells { s[g * cells + j] = start[g] } }
            if case .rule(let rule) = maps.first?.direction {
                for (k, value) in rule.initialState.enumerated() {
                    for i in 0..<(count * cells) { ruleState[k * count * cells + i] = value }
                }
            }
            for (j, map) in maps.enumerated() {
                learningRate[j] = map.effectiveLearningRate
                decay[j] = map.decay
            }
        }

        private init(count: Int, cells: Int, ruleBuffers: Int) {
            self.count = count
            self.cells = cells
            self.ruleBuffers = ruleBuffers
            let capacity = max((6 * count + 3 + ruleBuffers * count) * cells, 1)
            base = .allocate(capacity: capacity)
            base.initialize(repeating: 0, count: capacity)
        }

        func deallocate() { base.deallocate() }
        var s: UnsafeMutablePointer<Double> { base }
        var gradient: UnsafeMutablePointer<Double> { base + count * cells }
        var b: UnsafeMutablePointer<Double> { base + 2 * count * cells }
        var m: UnsafeMutablePointer<Double> { base + 3 * count * cells }
        var v: UnsafeMutablePointer<Double> { base + 4 * count * cells }
        var u: UnsafeMutablePointer<Double> { base + 5 * count * cells }
        var learningRate: UnsafeMutablePointer<Double> { base + 6 * count * cells }
        var decay: UnsafeMutablePointer<Double> { base + (6 * count + 1) * cells }
        var sum: UnsafeMutablePointer<Double> { base + (6 * count + 2) * cells }
        var ruleState: UnsafeMutablePointer<Double> { base + (6 * count + 3) * cells }
        /// Cell j's coefficients (a copy; the batched escape's observations).
        func coefficients(cell j: Int) -> [Double] { (0..<count).map { s[$0 * cells + j] } }
        /// The state of a one-cell run (`cells == 1`: the arrays are contiguous per group).
        func view(step: Int) -> StateView {
            StateView(step: step, coefficients: UnsafeBufferPointer(start: s, count: count),
                      momentum: UnsafeBufferPointer(start: b, count: count),
                      firstMoment: UnsafeBufferPointer(start: m, count: count),
                      secondMoment: UnsafeBufferPointer(start: v, count: count),
                      update: UnsafeBufferPointer(start: u, count: count),
                      ruleState: UnsafeBufferPointer(start: ruleState, count: ruleBuffers * count))
        }
    }

    /// The state after a step, lent to `record` (valid only during the call; `copy()` keeps it).
    public struct StateView {
        package let step: Int
        package let coefficients: UnsafeBufferPointer<Double>
        package let momentum: UnsafeBufferPointer<Double>
        package let firstMoment: UnsafeBufferPointer<Double>
        package let secondMoment: UnsafeBufferPointer<Double>
        let update: UnsafeBufferPointer<Double>
        let ruleState: UnsafeBufferPointer<Double>

        package func copy() -> OptimizerState {
            var state = OptimizerState(coefficients: Array(coefficients))
            state.momentum = Array(momentum)
            state.firstMoment = Array(firstMoment)
            state.secondMoment = Array(secondMoment)
            state.update = Array(update)
            state.ruleState = Array(ruleState)
            state.step = step
            return state
        }
    }

    /// The number of cells `rawStep` steps, as a type: `SingleCell` makes it the constant 1, so
    /// a one-trajectory run compiles to straight-line per-group code (the batched loops over
    /// cells cost a single trajectory ~30 % otherwise).
    protocol CellCount { var count: Int { get } }
    struct SingleCell: CellCount { var count: Int { 1 } }
    struct CellBatch: CellCount { let count: Int }

    /// Buffers of a registered rule's state (0 for the built-in methods).
    var ruleStateCount: Int {
        if case .rule(let rule) = direction { return type(of: rule).stateNames.count }
        return 0
    }

    /// Pointers to the model's constants for the duration of a run.
    struct Constants {
        let w, sg, tg, p, ns: UnsafePointer<Double>
        let nsCount: Int
    }

    /// One step t (1-based, for Adam's bias correction) of every cell on raw buffers. Each cell
    /// sees the same expressions in the same order whatever the number of cells (sums over
    /// groups run g = 0, 1, … per cell), so a batched cell equals its one-cell run bit for bit;
    /// the cells only make the inner loops independent, vectorisable work.
    @inline(__always)
    func rawStep<Cells: CellCount>(_ x: Buffers, _ k: Constants, _ batch: Cells, step t: Int) {
        let n = x.count, cells = batch.count, total = n * cells
        assert(cells == x.cells, "the buffers' layout is for \(x.cells) cells")
        let s = x.s, grad = x.gradient, u = x.u, sum = x.sum
        // The gradient: `ManifoldGradient` in `DiscreteMap.rawStep`'s association.
        for j in 0..<cells { sum[j] = 0 }
        for g in 0..<n {
            let w = k.w[g], tg = k.tg[g], row = s + g * cells
            for j in 0..<cells { sum[j] += w * (row[j] * row[j] - tg) }
        }
        for g in 0..<n {
            let sg = k.sg[g], tg = k.tg[g], row = s + g * cells, out = grad + g * cells
            for j in 0..<cells { out[j] = sg * row[j] * (2 * sg * (row[j] * row[j] - tg) + sum[j]) }
        }
        if case .adam = direction {
            let m = x.m, v = x.v
            let correction1 = 1 - Foundation.pow(beta1, Double(t)), correction2 = 1 - Foundation.pow(beta2, Double(t))
            for i in 0..<total {
                m[i] = beta1 * m[i] + (1 - beta1) * grad[i]
                v[i] = beta2 * v[i] + (1 - beta2) * (grad[i] * grad[i])
                u[i] = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + adamEpsilon)
            }
        } else {
            // U into u; the direction then replaces it in place.
            if beta > 0 {
                let b = x.b
                for i in 0..<total {
                    b[i] = beta * b[i] + grad[i]
                    u[i] = nesterov ? grad[i] + beta * b[i] : b[i]
                }
            } else {
                for i in 0..<total { u[i] = grad[i] }
            }
            switch direction {
            case .gradient, .adam:
                break
            case .rule(let rule):
                rule.groupedDirection(GroupedStep(groups: n, cells: cells, step: t, gradient: grad, direction: u,
                                                  stateBase: x.ruleState, multiplicity: k.p, scratch: sum))
            case .sign:
                for i in 0..<total { u[i] = u[i] > 0 ? 1 : (u[i] < 0 ? -1 : 0) }
            case .newtonSchulz:
                // sum ← ‖U‖²_F per cell, then the scale 1/(f‖U‖_F + ε).
                for j in 0..<cells { sum[j] = 0 }
                for g in 0..<n {
                    let p = k.p[g], row = u + g * cells
                    for j in 0..<cells { sum[j] += p * (row[j] * row[j]) }
                }
                for j in 0..<cells {
                    let denominator = normalisationFactor * sum[j].squareRoot() + normalisationEpsilon
                    // U = 0 with ε = 0: no direction (the sign(0) = 0 convention), not 0/0.
                    sum[j] = denominator > 0 ? 1 / denominator : 0
                }
                for g in 0..<n {
                    let row = u + g * cells
                    for j in 0..<cells { row[j] = row[j] * sum[j] }
                }
                // The polynomial round by round over every entry (the rounds outermost, so the
                // entry loop vectorises; each entry still sees y ← y·((b y² + c y⁴) + a) in order).
                var r = 0
                while r < k.nsCount {
                    let a = k.ns[r], b = k.ns[r + 1], c = k.ns[r + 2]
                    for i in 0..<total {
                        let y = u[i], y2 = y * y
                        u[i] = y * ((b * y2 + c * (y2 * y2)) + a)
                    }
                    r += 3
                }
            }
        }
        let lr = x.learningRate, keep = x.decay
        for g in 0..<n {
            let row = s + g * cells, direction = u + g * cells
            for j in 0..<cells { row[j] = keep[j] * row[j] - lr[j] * direction[j] }
        }
    }

    /// Runs `body` with the constants' pointers.
    func withConstants<R>(_ body: (Constants) throws -> R) rethrows -> R {
        try weight.withUnsafeBufferPointer { w in
            try sigma.withUnsafeBufferPointer { sg in
                try target.withUnsafeBufferPointer { tg in
                    try multiplicity.withUnsafeBufferPointer { p in
                        try schedule.withUnsafeBufferPointer { ns in
                            // An empty array's base address may be nil; the pointer is then never read.
                            let nsBase = ns.baseAddress ?? w.baseAddress!
                            return try body(Constants(w: w.baseAddress!, sg: sg.baseAddress!, tg: tg.baseAddress!,
                                                      p: p.baseAddress!, ns: nsBase, nsCount: ns.count))
                        }
                    }
                }
            }
        }
    }

    /// One step in place (tests and small drivers; `iterate` is the fast path).
    public func step(_ state: inout OptimizerState) {
        let x = Buffers(state, map: self)
        defer { x.deallocate() }
        withConstants { rawStep(x, $0, SingleCell(), step: state.step + 1) }
        state = x.view(step: state.step + 1).copy()
    }

    /// Iterates `steps` times from `start` with `DiscreteMap.iterate`'s contract: `record(k, state)`
    /// at k = 0, every `every` steps, at the last step and wherever `watch(s)` returns true;
    /// `poll(k, state)` every `DiscreteMap.pollInterval` steps; `DivergenceError` naming the first step
    /// whose coefficients are non-finite or beyond `explosionLimit`. Returns the final state.
    public func iterate(from start: OptimizerState, steps: Int, every: Int = 1,
                        watch: ((UnsafeBufferPointer<Double>) -> Bool)? = nil,
                        poll: ((Int, StateView) throws -> Void)? = nil,
                        record: (Int, StateView) throws -> Void) throws -> OptimizerState {
        try Validate.atLeast(steps, 0, "steps")
        try Validate.atLeast(every, 1, "every")
        let n = model.count
        for buffer in [start.coefficients, start.momentum, start.firstMoment, start.secondMoment, start.update] where buffer.count != n {
            throw InputError("start has \(buffer.count) values for \(n) groups")
        }
        for value in start.coefficients { try Validate.finite(value, "initial coefficient") }
        guard start.ruleState.count == ruleStateCount * n else {
            throw InputError("start has \(start.ruleState.count) rule-state values for \(ruleStateCount) buffers of \(n) groups (OptimizerState(coefficients:optimizer:))")
        }
        let x = Buffers(start, map: self)
        defer { x.deallocate() }
        let first = start.step
        try record(first, x.view(step: first))
        if steps == 0 { return start }
        let limit = explosionLimit
        return try withConstants { constants in
            var k = 1
            var untilRecord = every
            var untilPoll = DiscreteMap.pollInterval
            let coefficients = UnsafeBufferPointer(start: x.s, count: n)
            while k <= steps {
                rawStep(x, constants, SingleCell(), step: first + k)
                for g in 0..<n where !(abs(x.s[g]) <= limit) {  // false for NaN too
                    throw DivergenceError(step: first + k, detail: "coefficient \(model.groups[g].name) = \(x.s[g]); lower the learning rate")
                }
                untilRecord -= 1
                if untilRecord == 0 || k == steps || (watch?(coefficients) ?? false) {
                    if untilRecord == 0 { untilRecord = every }
                    try record(first + k, x.view(step: first + k))
                }
                untilPoll -= 1
                if untilPoll == 0, let poll {
                    untilPoll = DiscreteMap.pollInterval
                    try poll(first + k, x.view(step: first + k))
                }
                k += 1
            }
            return x.view(step: first + steps).copy()
        }
    }

    /// The state after `steps` steps from `start` (no recording).
    public func final(from start: OptimizerState, steps: Int) throws -> OptimizerState {
        try iterate(from: start, steps: steps, every: max(steps, 1)) { _, _ in }
    }

    // MARK: state columns

    /// Whether the table carries the state columns: every optimizer but the plain ones, whose
    /// table is `DiscreteMap`'s (`runTheory`) column for column.
    public var hasStateColumns: Bool { !optimizer.isPlain }

    /// Whether u is a Newton–Schulz schedule's output (specgd with ns3, ns5, polar-express, custom).
    var isNewtonSchulz: Bool {
        if case .newtonSchulz = direction { return true }
        return false
    }

    /// The optimizer-state columns after the usual ones: `momentum_<g>` (B_g, with momentum),
    /// `adam_m_<g>` and `adam_v_<g>` (Adam), `update_<g>` (u_g, the direction of the last
    /// step: s ← (1 − η'ω)s − η'u), and with Newton–Schulz `phi_<g>` = |φ_K(x_g)|, the singular
    /// value the schedule gives group g's p_g directions, x_g = U_g/(f‖U‖_F + ε) (docs/model.md §6;
    /// `update_<g>` keeps the sign); none for a plain optimizer.
    var stateColumns: [String] {
        guard hasStateColumns else { return [] }
        let names = model.groups.map(\.name)
        var columns: [String] = []
        if optimizer.momentum > 0 { columns += names.map { "momentum_\($0)" } }
        if optimizer.method == .adam { columns += names.map { "adam_m_\($0)" } + names.map { "adam_v_\($0)" } }
        for buffer in optimizer.method.updateRule?.stateNames ?? [] { columns += names.map { "\(buffer)_\($0)" } }
        return columns + names.map { "update_\($0)" } + (isNewtonSchulz ? names.map { "phi_\($0)" } : [])
    }

    /// The `stateColumns` values of `state`, appended to a row under construction.
    func appendState(_ state: StateView, to row: inout [Double]) {
        guard hasStateColumns else { return }
        if optimizer.momentum > 0 { row.append(contentsOf: state.momentum) }
        if optimizer.method == .adam {
            row.append(contentsOf: state.firstMoment)
            row.append(contentsOf: state.secondMoment)
        }
        row.append(contentsOf: state.ruleState)
        row.append(contentsOf: state.update)
        // u_g = φ_K(x_g) exactly (rawStep), and the odd polynomials are odd in floating point
        // too (x² is the same for ±x), so |u_g| = φ_K(|x_g|) when that is ≥ 0.
        if isNewtonSchulz { for u in state.update { row.append(abs(u)) } }
    }

    // MARK: escape

    /// `DiscreteMap.escapeMetrics` for this optimizer: every step up to escape feeds the peak.
    /// `cancellation` and `progress` as in `DiscreteMap.escapeMetrics`.
    public func escapeMetrics(from start: [Double], steps: Int, threshold: Double = 0.5,
                              cancellation: CancellationToken? = nil, progress: SpecgdSupport.Progress? = nil) throws -> EscapeMetrics {
        try Validate.positive(threshold, "escape threshold")
        var tracker = EscapeTracker(start: model.observables(start), threshold: threshold)
        var probe = EscapeProbe(model: model, threshold: threshold)
        let poll = MapPoll(cancellation: cancellation, progress: progress)
        _ = try iterate(from: OptimizerState(coefficients: start, optimizer: optimizer), steps: steps, every: max(steps, 1),
                        watch: { probe.watch($0, tracker: &tracker) }, poll: poll.active ? { k, _ in try poll(k) } : nil) { k, state in
            tracker.observe(step: k, model.observables(Array(state.coefficients)))
        }
        return tracker.metrics(steps: steps)
    }

    /// The method whose docs/model.md §5 closed forms describe this optimizer's trajectory:
    /// plain GD, exact SpecGD, and SignGD without momentum, decay or scale (equal to exact
    /// SpecGD on the manifold); nil for every other optimizer (no closed form here).
    var closedFormMethod: Method? {
        if optimizer.isPlain { return optimizer.method }
        let o = optimizer
        if o.method == .signgd && o.momentum == 0 && o.weightDecay == 0 && o.learningRateScale == .none { return .specgd }
        return nil
    }
}

/// `runTheoryKeepingRows` with `optimizer` in place of the configuration's: the exact optimizer
/// map's table (runTheory's columns, then `OptimizerMap.stateColumns`) unless the optimizer is
/// plain GD or exact SpecGD, which run the discrete map itself.
package func runOptimizerTheory(_ config: TheoryConfiguration, optimizer: Optimizer, cancellation: CancellationToken? = nil,
                               progress: SpecgdSupport.Progress? = nil) throws -> TheoryResult {
    var config = config
    config.optimizer = optimizer
    return try runTheoryKeepingRows(config, cancellation: cancellation, progress: progress)
}

extension TheoryRunner {
    /// `runMap` with the optimizer map: the same recording (rows, escape probe, polls, stop),
    /// the same columns, then the optimizer state.
    func runOptimizerMap(_ optimizer: Optimizer) throws -> TheoryResult {
        let map = try OptimizerMap(model: model, optimizer: optimizer, learningRate: config.learningRate)
        let start = config.startCoefficients(model)
        var recording = MapRecording(self, start: start, extraColumns: map.stateColumns)
        // Predictions only where docs/model.md §5's closed forms describe this optimizer.
        let closedForm = map.closedFormMethod != nil
        do {
            _ = try map.iterate(from: OptimizerState(coefficients: start, optimizer: optimizer), steps: config.steps, every: config.every,
                                watch: { recording.watch($0) },
                                poll: { k, state in
                                    try recording.poll(k, state: Array(state.coefficients)) { map.appendState(state, to: &$0) }
                                }) { k, state in
                recording.record(k, Array(state.coefficients)) { map.appendState(state, to: &$0) }
            }
        } catch {
            return try recording.result(stoppedBy: error, keepPredictions: closedForm)
        }
        return try recording.result(stoppedBy: nil, keepPredictions: closedForm)
    }
}
