import Model
import Foundation
import NumericKit
import SpecgdSupport

/// What a theory run reports in its JSON sidecar (and to stdout).
public struct TheorySummary: Sendable, Codable, Equatable {
    public var method: Method
    public var dynamics: TheoryDynamics
    public var groups: Int
    public var dimension: Int
    /// Measured on the trajectory (flows: at the event-located escape, escape step = ⌈t_esc/lr⌉).
    public var escape: EscapeMetrics
    /// Flow only: the event-located first time with a ≥ threshold.
    public var escapeTime: Double?
    /// q = Σ_bulk p_g s_g² at escape (nil without escape).
    public var bulkMassAtEscape: Double?
    /// |b|/|a| at escape (the measured counterpart of `predictions.saturationRatio`; nil without escape).
    public var spikeRatioAtEscape: Double?
    /// Closed-form predictions of docs/model.md §5 (spiked covariance only).
    public var predictions: EscapePredictions?
    /// Flow only: accepted ODE steps and located switching events.
    public var flowStatistics: FlowStatistics?
    /// switching = both: max over the grid and over a, b, c of |Filippov − smoothed|.
    public var smoothedVersusFilippov: Double?
    /// Flow with `estimateError`: the global error estimated by a 100× tighter second solve.
    public var flowErrorEstimate: FlowErrorEstimate?
    /// Large-d only: how far the exact finite-d map from the identity start a = b = c = √(q₀/p)
    /// (same q₀, and η = η₀/√p for SpecGD) is from the limit restarted from (√(q₀/p), √(q₀/p), q₀),
    /// for d = 10², …, 10⁶ (`LargeDimensionMap.distances`).
    public var finiteDimensionDistances: [LargeDimensionDistance]?
    /// Large-d only: how far the exact finite-d map started at this run's (a₀, b₀, q₀) (c = √(q₀/p))
    /// is from this run's own limit trajectory, for d = 10², …, 10⁸ (`LargeDimensionMap.ownLimitDistances`).
    public var ownLimitDistances: [LargeDimensionDistance]?
    /// Large-d only: the rate of `ownLimitDistances` in d (GD), or "no rate: …" (SpecGD).
    public var ownLimitRate: LargeDimensionRate?
}

/// A flow's global error, estimated by a second solve at tolerances `tighterBy` times smaller:
/// for a, b, c and the loss, max over the output grid of |x − x_tight| / max |x_tight|.
public struct FlowErrorEstimate: Sendable, Codable, Equatable {
    public static let tighterBy = 100.0
    public var tighterBy = FlowErrorEstimate.tighterBy
    public var a: Double
    public var b: Double
    public var c: Double
    public var loss: Double

    init(a: Double, b: Double, c: Double, loss: Double) {
        self.a = a
        self.b = b
        self.c = c
        self.loss = loss
    }
}

public struct TheoryResult: Sendable, StoppableRunResult {
    public var table: Table
    public var summary: TheorySummary
    public var model: GroupedModel
    /// The state at the end (group coefficients; large-d: (a, b, q)); for a run stopped
    /// early the last finite state computed.
    public var final: [Double]
    /// completed, or where and why the run stopped (the table holds the rows up to there).
    public var outcome: RunOutcome
    public var divergence: DivergenceError?
}

/// Runs one configuration: the exact map, a flow, or the large-d map. The table has the
/// columns `TrajectoryColumns.theory`: the shared `step,a,b,c,q,loss,alignment,spike_alignment`,
/// then `T`, `time` (flows), `s_<name>` per group for non-spiked models, `*_smoothed` columns for
/// switching = both, and `a_signed,b_signed,c_signed`. a, b, c (and their `_smoothed` twins) are
/// magnitudes |s|, the convention every command shares (docs/model.md §7: what a dense run can
/// measure); the signed coefficients, which the map and flows do have (SpecGD's b chatters
/// around 0), come last.
/// Throws InputError for bad configurations and DivergenceError naming the step.
public func runTheory(_ config: TheoryConfiguration) throws -> TheoryResult {
    try runTheoryKeepingRows(config).requireCompleted()
}

/// `runTheory`, but a run that diverges or is cancelled (through `cancellation`, polled every
/// `DiscreteMap.pollInterval` map steps, every step of the large-d map, at every flow output
/// time) returns its rows so far, with `outcome` saying where and why it stopped; an
/// interrupted run's last row is the state it reached. The summary measures the rows kept.
/// `progress` is advanced at those polls. Throws InputError for bad configurations.
public func runTheoryKeepingRows(_ config: TheoryConfiguration, cancellation: CancellationToken? = nil,
                                 progress: SpecgdSupport.Progress? = nil) throws -> TheoryResult {
    try config.validate()
    let model = try config.model()
    let runner = TheoryRunner(config: config, model: model, cancellation: cancellation, progress: progress)
    switch config.dynamics {
    // Plain GD and exact SpecGD keep the discrete map's own loop (bit-identical to the
    // optimizer map on them, and the reference the kernels are pinned to).
    case .map: return config.optimizer.isPlain ? try runner.runMap() : try runner.runOptimizerMap(config.optimizer)
    case .flow: return try runner.runFlow()
    case .largeD: return try runner.runLargeD()
    }
}

struct TheoryRunner {
    let config: TheoryConfiguration
    let model: GroupedModel
    var cancellation: CancellationToken?
    var progress: SpecgdSupport.Progress?

    /// How a step loop that threw `error` ended (rethrows errors that are not a stop).
    static func stop(_ error: any Error) throws -> (RunOutcome, DivergenceError?) {
        (try RunOutcome(stoppedBy: error), error as? DivergenceError)
    }

    /// The groups that get an `s_<name>` column (none for the spiked layout).
    var groupNames: [String] { model.isSpikedLayout ? [] : model.groups.map(\.name) }

    /// The values of `o` for the columns after step: `TrajectoryColumns.shared`'s statistics
    /// (a, b, c as magnitudes), then T; appended to a row under construction (no temporary array).
    func append(_ o: Observables, to row: inout [Double]) {
        row.append(abs(o.a))
        row.append(abs(o.b))
        row.append(abs(o.c))
        row.append(o.q)
        row.append(o.loss)
        row.append(o.alignment)
        row.append(o.spikeAlignment)
        row.append(o.trace)
    }

    /// The `TrajectoryColumns.signed` values of `o`.
    func appendSigned(_ o: Observables, to row: inout [Double]) {
        row.append(o.a)
        row.append(o.b)
        row.append(o.c)
    }

    var predictions: EscapePredictions? {
        guard config.covariance == .spiked else { return nil }
        // From a given start the closed forms start from its a₀ and q₀ (docs/model.md §5).
        if let start = config.start {
            return EscapePredictions(method: config.method, lambda: config.leadingSpike, lr: config.learningRate,
                                     alpha: start.coefficients[model.signalIndex], threshold: config.escapeThreshold,
                                     q0: model.bulkMass(start.coefficients))
        }
        let q0 = Double(config.dimension - 1 - config.resolvedSpikes.count) * config.alpha * config.alpha
        return EscapePredictions(method: config.method, lambda: config.leadingSpike, lr: config.learningRate,
                                 alpha: config.alpha, threshold: config.escapeThreshold, q0: q0)
    }

    func summary(_ tracker: EscapeTracker, steps: Int? = nil, flow: FlowStatistics? = nil, difference: Double? = nil) -> TheorySummary {
        let metrics = tracker.metrics(steps: steps ?? config.steps)
        return TheorySummary(
            method: config.method, dynamics: config.dynamics, groups: model.count, dimension: model.dimension,
            escape: metrics, escapeTime: tracker.escapeTime, bulkMassAtEscape: tracker.bulkMassAtEscape,
            spikeRatioAtEscape: tracker.spikeRatioAtEscape,
            predictions: predictions, flowStatistics: flow, smoothedVersusFilippov: difference,
            finiteDimensionDistances: nil, ownLimitDistances: nil, ownLimitRate: nil)
    }

    /// The bookkeeping every exact-map run shares (`runMap`, `runOptimizerMap`): rows at the
    /// recorded steps, the escape tracker, the per-step escape probe and the stop on a poll.
    struct MapRecording {
        let runner: TheoryRunner
        var table: Table
        var tracker: EscapeTracker
        /// The state of the last `record` (the final state when the run completes).
        var last: [Double]
        var probe: EscapeProbe
        var lastRow = -1

        init(_ runner: TheoryRunner, start: [Double], extraColumns: [String] = []) {
            self.runner = runner
            table = Table(columns: TrajectoryColumns.theory(groups: runner.groupNames) + extraColumns)
            tracker = EscapeTracker(start: runner.model.observables(start), threshold: runner.config.escapeThreshold)
            probe = EscapeProbe(model: runner.model, threshold: runner.config.escapeThreshold)
            last = start
        }

        /// Observes step k's state s; a row at the recorded steps (or when forced), `extra`
        /// appending the columns after the shared ones.
        mutating func record(_ k: Int, _ s: [Double], force: Bool = false, extra: (inout [Double]) -> Void = { _ in }) {
            let o = runner.model.observables(s)
            tracker.observe(step: k, o)
            last = s
            guard force || k % runner.config.every == 0 || k == runner.config.steps else { return }
            var row = [Double(k)]
            row.reserveCapacity(table.columns.count)
            runner.append(o, to: &row)
            if !runner.model.isSpikedLayout { row.append(contentsOf: s) }
            runner.appendSigned(o, to: &row)
            extra(&row)
            table.append(row)
            lastRow = k
        }

        /// The per-step probe (`EscapeProbe`). True at escape.
        mutating func watch(_ s: UnsafeBufferPointer<Double>) -> Bool { probe.watch(s, tracker: &tracker) }

        /// At a poll: progress, and on cancellation the state reached as the last row, then stop.
        mutating func poll(_ k: Int, state: @autoclosure () -> [Double], extra: (inout [Double]) -> Void = { _ in }) throws {
            runner.progress?.update(k)
            guard let reason = runner.cancellation?.cancellationReason else { return }
            if lastRow != k { record(k, state(), force: true, extra: extra) }
            throw RunInterrupted(step: k, reason: reason)
        }

        /// The result of a loop that ended normally (`error` nil) or threw `error`.
        func result(stoppedBy error: (any Error)?, keepPredictions: Bool = true) throws -> TheoryResult {
            var outcome = RunOutcome.completed(runner.config.steps), divergence: DivergenceError?
            if let error { (outcome, divergence) = try TheoryRunner.stop(error) }
            let metricsSteps = outcome.status == .completed ? runner.config.steps : outcome.lastStep
            var summary = runner.summary(tracker, steps: metricsSteps)
            if !keepPredictions { summary.predictions = nil }
            return TheoryResult(table: table, summary: summary, model: runner.model, final: last,
                                outcome: outcome, divergence: divergence)
        }
    }

    func runMap() throws -> TheoryResult {
        let map = try DiscreteMap(model: model, method: config.method, learningRate: config.learningRate)
        let start = config.startCoefficients(model)
        var recording = MapRecording(self, start: start)
        do {
            recording.last = try map.iterate(from: start, steps: config.steps, every: config.every,
                                             watch: { recording.watch($0) },
                                             poll: { k, s in try recording.poll(k, state: Array(s)) }) { k, s in recording.record(k, s) }
        } catch {
            return try recording.result(stoppedBy: error)
        }
        return try recording.result(stoppedBy: nil)
    }

    /// The output times 0, dt, 2dt, … up to and including t_end.
    var flowTimes: [Double] {
        let tEnd = config.flowEnd, dt = config.flowInterval
        var times = [0.0]
        var k = 1.0
        while k * dt < tEnd * (1 - 1e-12) { times.append(k * dt); k += 1 }
        if tEnd > 0 { times.append(tEnd) }
        return times
    }

    func runFlow() throws -> TheoryResult {
        var times = flowTimes
        let start = config.startCoefficients(model)
        var states: [[Double]] = []
        states.reserveCapacity(times.count)
        let cancellation = self.cancellation, progress = self.progress, lr = config.learningRate
        // Polled at every output time: an interrupted flow keeps the states up to the last one.
        let collect: (Double, [Double]) throws -> Void = { t, s in
            states.append(s)
            progress?.update(Int((t / lr).rounded()))
            if let reason = cancellation?.cancellationReason {
                throw RunInterrupted(step: Int((t / lr).rounded()), time: t, reason: reason)
            }
        }
        // The escape (a reaching the threshold) is event-located, not read off the grid. The event
        // watches the signed s_a rising to the threshold, which is |s_a| ≥ threshold
        // (`EscapeTracker.escapes`) here: from α > 0 the flows never take s_a through 0 (a zero
        // coefficient has a zero gradient and sign(0) = 0).
        let crossing = FlowCrossing(index: model.signalIndex, threshold: config.escapeThreshold)
        var escape: (time: Double, state: [Double])?
        let onCrossing: (Double, [Double]) throws -> Void = { t, s in escape = (t, s) }
        var statistics: FlowStatistics?
        var smoothed: [[Double]]?
        var outcome = RunOutcome.completed(Int(((times.last ?? 0) / config.learningRate).rounded())), divergence: DivergenceError?
        do {
            try solveFlow(from: start, at: times, crossing: crossing, onCrossing: onCrossing, record: collect,
                          statistics: &statistics, smoothed: &smoothed)
        } catch let error as ODEError where error.status == ODEError.nonFiniteStatus {
            let divergenceError = DivergenceError(step: Int((error.time / config.learningRate).rounded()), time: error.time,
                                                  detail: "the flow's state is no longer finite (\(error.message))")
            (outcome, divergence) = try Self.stop(divergenceError)
        } catch {
            // Interrupted while the second (smoothed) flow of `both` ran: keep the Filippov rows only.
            (outcome, divergence) = try Self.stop(error)
        }
        times = Array(times.prefix(states.count))
        if outcome.status == .interrupted, let lastTime = times.last { outcome.lastStep = Int((lastTime / config.learningRate).rounded()) }
        let both = smoothed != nil
        let (table, tracker, difference) = flowTable(times: times, states: states, smoothed: smoothed, escape: escape, start: start)
        var result = TheoryResult(table: table, summary: summary(tracker, steps: Int(((times.last ?? 0) / config.learningRate).rounded()),
                                                                  flow: statistics, difference: both ? difference : nil),
                                  model: model, final: states.last ?? start, outcome: outcome, divergence: divergence)
        if config.flow.estimateError == true, outcome.status == .completed {
            // Interrupted during the second solve: the rows are complete, the estimate is left out.
            do {
                result.summary.flowErrorEstimate = try errorEstimate(states, at: times, from: start, crossing: crossing, record: collect)
            } catch is RunInterrupted {}
        }
        return result
    }

    /// The global error of a completed flow, estimated by a second solve with both tolerances
    /// 100× tighter: the largest |x − x_tight| over the output grid for x = a, b, c and the loss,
    /// relative to the largest |x_tight|. With a proportional error controller the global error
    /// scales with the tolerance, so this is the first solve's error to within about 1 %
    /// (e(tol) − e(tol/100) = 0.99 e(tol)), not a bound.
    func errorEstimate(_ states: [[Double]], at times: [Double], from start: [Double], crossing: FlowCrossing,
                       record: @escaping (Double, [Double]) throws -> Void) throws -> FlowErrorEstimate {
        var tight: [[Double]] = []
        var statistics: FlowStatistics?, smoothed: [[Double]]?
        try solveFlow(from: start, at: times, crossing: crossing, onCrossing: { _, _ in },
                      record: { t, s in tight.append(s); try record(t, s) }, statistics: &statistics, smoothed: &smoothed,
                      tighterBy: FlowErrorEstimate.tighterBy)
        func deviation(_ value: (Observables) -> Double) -> Double {
            var largest = 0.0, scale = 0.0
            for (s, r) in zip(states, tight) {
                let x = value(model.observables(s)), y = value(model.observables(r))
                largest = max(largest, abs(x - y))
                scale = max(scale, abs(y))
            }
            return scale > 0 ? largest / scale : largest
        }
        return FlowErrorEstimate(a: deviation { abs($0.a) }, b: deviation { abs($0.b) }, c: deviation { abs($0.c) },
                                 loss: deviation(\.loss))
    }

    /// Solves the configuration's flow from `start`, recording the state at every output time
    /// (`record`, which may throw to stop) and the event-located escape (`onCrossing`); with
    /// switching = both, the smoothed flow's states too (at the configured tolerances divided by
    /// `tighterBy`). Throws what the solver or `record` throws;
    /// what finished before (the Filippov flow's statistics when the smoothed one is interrupted)
    /// is already in `statistics` and `smoothed`.
    func solveFlow(from start: [Double], at times: [Double], crossing: FlowCrossing,
                   onCrossing: @escaping (Double, [Double]) throws -> Void, record collect: @escaping (Double, [Double]) throws -> Void,
                   statistics: inout FlowStatistics?, smoothed: inout [[Double]]?, tighterBy: Double = 1) throws {
        var flow = config.flow
        flow.absoluteTolerance /= tighterBy
        flow.relativeTolerance /= tighterBy
        let cancellation = self.cancellation, lr = config.learningRate
        switch (config.method, flow.switching) {
        case (.gd, _):
            statistics = try GroupedFlow(model: model, kind: .gradient).solve(
                from: start, at: times, stepper: flow.stepper, absoluteTolerance: flow.absoluteTolerance,
                relativeTolerance: flow.relativeTolerance, crossing: crossing, onCrossing: onCrossing, record: collect)
        case (.specgd, .smoothed):
            statistics = try GroupedFlow(model: model, kind: .smoothedSign(epsilon: flow.epsilon)).solve(
                from: start, at: times, stepper: flow.stepper, absoluteTolerance: flow.absoluteTolerance,
                relativeTolerance: flow.relativeTolerance, crossing: crossing, onCrossing: onCrossing, record: collect)
        case (.specgd, .filippov), (.specgd, .both):
            statistics = try FilippovSignFlow(model: model).solve(
                from: start, at: times, stepper: flow.stepper, absoluteTolerance: flow.absoluteTolerance,
                relativeTolerance: flow.relativeTolerance, crossing: crossing, onCrossing: onCrossing, record: collect)
            if flow.switching == .both {
                var other: [[Double]] = []
                try GroupedFlow(model: model, kind: .smoothedSign(epsilon: flow.epsilon)).solve(
                    from: start, at: times, stepper: flow.stepper, absoluteTolerance: flow.absoluteTolerance,
                    relativeTolerance: flow.relativeTolerance) { t, s in
                        other.append(s)
                        if let reason = cancellation?.cancellationReason {
                            throw RunInterrupted(step: Int((t / lr).rounded()), time: t, reason: reason)
                        }
                    }
                smoothed = other
            }
        case (.signgd, _), (.adam, _), (.rule, _):
            try config.method.requirePaperMethod(in: "the flows")
        }
    }

    /// The flow's table (rows at `times`, the escape event's state observed in order) and its
    /// escape tracker; with switching = both the smoothed columns and the largest |Filippov −
    /// smoothed| over a, b, c.
    func flowTable(times: [Double], states: [[Double]], smoothed: [[Double]]?, escape: (time: Double, state: [Double])?,
                   start: [Double]) -> (Table, EscapeTracker, Double) {
        var escape = escape
        let both = smoothed != nil
        // Rows and columns are built in place at their final size: with array concatenation
        // the table cost ~3% of a short spiked flow (the run itself is ~60 GSL steps).
        let spikedLayout = model.isSpikedLayout
        let columns = TrajectoryColumns.theory(flow: true, groups: groupNames, smoothed: both)
        var table = Table(columns: columns)
        table.reserveCapacity(times.count)
        var tracker = EscapeTracker(start: model.observables(start), threshold: config.escapeThreshold)
        var difference = 0.0
        for (i, t) in times.enumerated() {
            if let event = escape, event.time < t {
                tracker.observe(step: Int(snapped(event.time / config.learningRate).rounded(.up)), time: event.time,
                                model.observables(event.state))
                escape = nil
            }
            let o = model.observables(states[i])
            // t/lr, snapped to the integer it is within rounding of (0.6/0.001 → 600, not 600.0000000000001).
            let step = snapped(t / config.learningRate)
            tracker.observe(step: Int(step.rounded()), time: t, o)
            var row: [Double] = []
            row.reserveCapacity(columns.count)
            row.append(step)
            append(o, to: &row)
            row.append(t)
            if !spikedLayout { row.append(contentsOf: states[i]) }
            if let smoothed {
                let p = model.observables(smoothed[i])
                row.append(contentsOf: [abs(p.a), abs(p.b), abs(p.c), p.q, p.loss, p.alignment])  // smoothedStatistics
                difference = max(difference, abs(p.a - o.a), abs(p.b - o.b), abs(p.c - o.c))
            }
            appendSigned(o, to: &row)
            table.append(row)
        }
        return (table, tracker, difference)
    }

    /// x rounded to the nearest integer when within relative 1e-9 of it (t/lr on the grid).
    func snapped(_ x: Double) -> Double {
        abs(x - x.rounded()) <= 1e-9 * max(1, abs(x)) ? x.rounded() : x
    }

    /// What rounding alone can leave between the finite-d and the limit bulk mass after `steps`
    /// steps while their signs agree: per step the limit's (√q ∓ η₀)² rounds to γ₄(√q + η₀)² and the
    /// finite map's c ∓ η to u·c, i.e. 2u·q in q; the errors add (no amplification while the signs
    /// agree: √q moves by the same ±η₀). Bound: steps·(γ₄ + 2u)(√q_max + η₀)², q_max the largest q.
    static func bulkRoundOff(steps: Int, largestBulk: Double, step eta0: Double) -> Double {
        let u = Double.ulpOfOne / 2, gamma4 = 4 * u / (1 - 4 * u)
        let root = largestBulk.squareRoot() + eta0
        return Double(max(steps, 1)) * (gamma4 + 2 * u) * root * root
    }

    /// The d → ∞ map from a = b = α, q₀ = (d − 2)α²; SpecGD uses η₀ = η√(d − 2).
    func runLargeD() throws -> TheoryResult {
        let p = Double(config.dimension - 2)
        let lr = config.method == .gd ? config.learningRate : config.learningRate * p.squareRoot()
        let map = try LargeDimensionMap(lambda: config.leadingSpike, method: config.method, learningRate: lr, bulkCount: nil)
        var table = Table(columns: TrajectoryColumns.theory())
        func observe(_ a: Double, _ b: Double, _ q: Double) -> Observables {
            let ab = a * a + b * b
            return Observables(a: a, b: b, c: (q / p).squareRoot(), q: q, trace: map.trace(a, b, q), loss: map.loss(a, b, q),
                               alignment: ab + q > 0 ? a * a / (ab + q) : 0, spikeAlignment: ab > 0 ? a * a / ab : 0)
        }
        let alpha = config.alpha
        var tracker = EscapeTracker(start: observe(alpha, alpha, p * alpha * alpha), threshold: config.escapeThreshold)
        var final = [alpha, alpha, p * alpha * alpha]
        var largestBulk = final[2]
        let every = config.every, steps = config.steps
        var outcome = RunOutcome.completed(steps), divergence: DivergenceError?
        do {
            try map.iterate(a: alpha, b: alpha, q: p * alpha * alpha, steps: steps) { k, a, b, q in
                let o = observe(a, b, q)
                tracker.observe(step: k, o)
                let poll = k > 0 && k % DiscreteMap.pollInterval == 0
                let reason = poll ? cancellation?.cancellationReason : nil
                if k % every == 0 || k == steps || reason != nil {  // an interrupted run keeps the state reached
                    var row = [Double(k)]
                    append(o, to: &row)
                    appendSigned(o, to: &row)
                    table.append(row)
                }
                final = [a, b, q]
                largestBulk = max(largestBulk, q)
                if poll { progress?.update(k) }
                if let reason { throw RunInterrupted(step: k, reason: reason) }
            }
        } catch {
            (outcome, divergence) = try Self.stop(error)
        }
        var result = summary(tracker, steps: outcome.status == .completed ? steps : outcome.lastStep)
        if outcome.status == .completed {  // the comparison reruns every d: only for a finished run
            result.finiteDimensionDistances = try LargeDimensionMap.distances(
                method: config.method, lambda: config.leadingSpike, q0: max(p * alpha * alpha, .leastNormalMagnitude), learningRate: lr,
                steps: steps, dimensions: [100, 1000, 10_000, 100_000, 1_000_000])
            let own = try LargeDimensionMap.ownLimitDistances(
                method: config.method, lambda: config.leadingSpike, a0: alpha, b0: alpha, q0: max(p * alpha * alpha, .leastNormalMagnitude),
                learningRate: lr, steps: steps, dimensions: (2...8).map { Int(Foundation.pow(10.0, Double($0))) })
            result.ownLimitDistances = own
            result.ownLimitRate = LargeDimensionRate(method: config.method, distances: own,
                                                     roundOff: Self.bulkRoundOff(steps: steps, largestBulk: largestBulk, step: lr))
        }
        return TheoryResult(table: table, summary: result, model: model, final: final, outcome: outcome, divergence: divergence)
    }
}
