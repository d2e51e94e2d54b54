import SpecgdSupport
import Model
import Theory

/// What one evaluated cell produced.
public struct CellOutcome: Sendable, Equatable {
    public enum Status: String, Sendable { case ok, diverged }
    /// One value per requested metric, in the configuration's order (NaN when diverged).
    public var values: [Double]
    public var status: Status
    /// The step where the run blew up; nil when status is ok.
    public var divergedStep: Int?

    init(values: [Double], status: Status = .ok, divergedStep: Int? = nil) {
        self.values = values
        self.status = status
        self.divergedStep = divergedStep
    }

    /// The values `evaluate` computes, or a diverged outcome (NaN in every column) when it
    /// throws `DivergenceError`.
    static func catchingDivergence(_ metrics: [Metric], point: ModelPoint, _ evaluate: () throws -> [Double]) throws -> CellOutcome {
        do {
            return CellOutcome(values: try evaluate())
        } catch let error as DivergenceError {
            return CellOutcome(values: Metric.columns(metrics, seeds: point.seeds).map { _ in .nan }, status: .diverged,
                               divergedStep: error.step)
        }
    }
}

/// What the runs of a cell poll while they step: the sweep's stop request and the cell's share
/// of the sweep's progress (a `Progress.part` counting its steps), so a cell of 10⁹ steps stops
/// within a poll of a signal and moves the progress while it runs. `.none`: neither.
public struct CellControl: Sendable {
    /// Cancelled: the cell's run throws `RunInterrupted` at its next poll (the cell is not kept).
    public var cancellation: CancellationToken?
    /// Advanced by the steps of the cell's runs (one unit per step of one trajectory).
    var progress: SpecgdSupport.Progress?

    init(cancellation: CancellationToken? = nil, progress: SpecgdSupport.Progress? = nil) {
        self.cancellation = cancellation
        self.progress = progress
    }

    public static let none = CellControl()

    /// The theory maps' poll for `cells` trajectories stepped together.
    func poll(cells: Int = 1) -> MapPoll { MapPoll(cancellation: cancellation, progress: progress, cells: cells) }
}

/// Computes a cell's metrics. One implementation per `SweepMode`; the runner only sees this,
/// so the parallel/resumable machinery is the same for theory and simulation.
public protocol CellEvaluator: Sendable {
    /// The values of cells.csv's metric columns (`Metric.columns`); `ratio` is what
    /// escape_ratio compares (the configuration's). Throws `DivergenceError` when the run
    /// diverges (the runner records that cell as diverged), `InputError` for a cell that
    /// cannot be run at all and `RunInterrupted` when `control`'s token is cancelled.
    func evaluate(_ point: ModelPoint, metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [Double]
    /// Refuses, before anything runs, a cell that could never be evaluated (InputError),
    /// escape_ratio's two optimizers included when `ratio` is given (nil: no escape_ratio).
    func validate(_ point: ModelPoint, ratio: EscapeRatio?) throws
    /// Cells whose keys are equal (non-nil) may be evaluated together by `outcomes`; nil (the
    /// default) evaluates every cell on its own.
    func rowKey(_ point: ModelPoint) -> ModelPoint?
    /// The outcomes of cells that share a `rowKey`, in order: each exactly what `outcome` gives
    /// for that cell alone (the default computes them so).
    func outcomes(_ points: [ModelPoint], metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [CellOutcome]
    /// The cell's cost relative to the sweep's other cells, for the progress ETA (a grid over
    /// steps or d has cells of very unequal cost); the default is its step count.
    func work(_ point: ModelPoint) -> Double
}

extension CellEvaluator {
    public func validate(_ point: ModelPoint, ratio: EscapeRatio?) throws {}

    public func rowKey(_ point: ModelPoint) -> ModelPoint? { nil }

    public func work(_ point: ModelPoint) -> Double { Double(point.steps) }

    public func outcomes(_ points: [ModelPoint], metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [CellOutcome] {
        try points.map { try outcome($0, metrics: metrics, ratio: ratio, control: control) }
    }

    /// `outcomes` with nothing to poll.
    func outcomes(_ points: [ModelPoint], metrics: [Metric], ratio: EscapeRatio) throws -> [CellOutcome] {
        try outcomes(points, metrics: metrics, ratio: ratio, control: .none)
    }

    /// `evaluate` with nothing to poll.
    func evaluate(_ point: ModelPoint, metrics: [Metric], ratio: EscapeRatio) throws -> [Double] {
        try evaluate(point, metrics: metrics, ratio: ratio, control: .none)
    }

    /// `evaluate` with the paper's escape ratio (GD / SpecGD).
    func evaluate(_ point: ModelPoint, metrics: [Metric]) throws -> [Double] {
        try evaluate(point, metrics: metrics, ratio: .paper)
    }

    public func validate(_ point: ModelPoint) throws { try validate(point, ratio: nil) }

    /// `evaluate`, with divergence turned into a recorded outcome rather than an error.
    public func outcome(_ point: ModelPoint, metrics: [Metric], ratio: EscapeRatio = .paper,
                        control: CellControl = .none) throws -> CellOutcome {
        try CellOutcome.catchingDivergence(metrics, point: point) { try evaluate(point, metrics: metrics, ratio: ratio, control: control) }
    }
}

/// The end of one run's trajectory, for the metrics that are not escape statistics
/// (docs/sweep.md): magnitudes, as every path reports a, b, c (docs/model.md §7).
package struct TrajectoryEnd: Sendable, Equatable {
    /// |a|, |b|, c after the last step.
    package var signal, spike, bulk: Double
    /// max over every step 0…last of |b|.
    package var maxSpike: Double

    package init(signal: Double, spike: Double, bulk: Double, maxSpike: Double) {
        self.signal = signal
        self.spike = spike
        self.bulk = bulk
        self.maxSpike = maxSpike
    }
}

/// What a sweep reads off one run: Model's escape metrics, and the trajectory's end when a
/// metric needs it (`trajectory` is nil otherwise, so theory cells skip the extra pass).
package struct RunMeasurement: Sendable {
    package var escape: EscapeMetrics
    package var trajectory: TrajectoryEnd?

    package init(escape: EscapeMetrics, trajectory: TrajectoryEnd? = nil) {
        self.escape = escape
        self.trajectory = trajectory
    }
}

/// Shared by both modes: runs the cell's optimizer once (when any metric needs it) and, for
/// escape_ratio, the ratio's two optimizers (`EscapeRatio`; a side equal to the cell's own
/// optimizer reuses its run), then lays the values out in metric order. Both modes measure a
/// run with the one `EscapeMetrics` definition (docs/model.md §5, §7). `run`'s Bool: whether
/// the trajectory's end is wanted.
struct MetricAssembler {
    /// `Metric.predictedEscapeSpread` of one cell: the law of its W₀ through the exact map.
    static func predictedEscapeSpread(_ point: ModelPoint, control: CellControl = .none) throws -> Double {
        let law = StartLaw(initialization: point.initialization ?? .gaussian, width: point.width ?? point.dimension, alpha: point.alpha)
        let prediction = try SpreadPrediction.predict(
            model: try point.groupedModel(), optimizer: point.optimizer, learningRate: point.learningRate, steps: point.steps,
            threshold: point.escapeThreshold, law: law, draws: point.resolvedLawDraws, seed: point.seed, stream: 1,
            cancellation: control.cancellation)
        return prediction.escapeStep?.width ?? .nan
    }

    static func values(_ metrics: [Metric], point: ModelPoint, ratio: EscapeRatio, control: CellControl,
                       run: (ModelPoint, Bool) throws -> RunMeasurement) throws -> [Double] {
        let wantsTrajectory = metrics.contains(where: \.needsTrajectory)
        let primary = metrics.contains(where: \.needsPrimaryRun) ? try run(point, wantsTrajectory) : nil
        func escape(_ side: OptimizerPreset) throws -> Int? {
            let other = side.point(point)
            if other.optimizer == point.optimizer, let primary { return primary.escape.escapeStep }
            return try run(other, false).escape.escapeStep
        }
        var out = [Double]()
        out.reserveCapacity(metrics.count)
        for metric in metrics {
            switch metric {
            case .alignmentAtEscape: out.append(primary!.escape.alignmentAtEscape ?? .nan)
            case .finalAlignment: out.append(primary!.escape.finalAlignment)
            case .escapeStep: out.append(primary!.escape.escapeStep.map(Double.init) ?? .nan)
            case .finalLoss: out.append(primary!.escape.finalLoss)
            case .amplification: out.append(primary!.escape.amplification ?? .nan)
            case .peakAmplification:
                // Model keeps the whole run's max when there is no escape; a sweep's metric
                // is "up to escape", so without one it has no value (docs/model.md §7).
                out.append(primary!.escape.escapeStep == nil ? .nan : primary!.escape.peakAmplification)
            case .escapeRatio:
                let a = try escape(ratio.numerator), b = try escape(ratio.denominator)
                if let a, let b, b > 0 { out.append(Double(a) / Double(b)) } else { out.append(.nan) }
            case .finalSignal: out.append(primary!.trajectory!.signal)
            case .finalSpike: out.append(primary!.trajectory!.spike)
            case .maxSpike: out.append(primary!.trajectory!.maxSpike)
            case .finalBulk: out.append(primary!.trajectory!.bulk)
            case .predictedEscapeSpread: out.append(try predictedEscapeSpread(point, control: control))
            }
        }
        return out
    }
}

/// Theory mode: the exact summary map of docs/model.md §3 from W₀ = αI on the cell's covariance
/// (the spiked model's 3 coefficients, so a cell costs O(steps) whatever d is; a power law or a
/// spectrum has a group per distinct eigenvalue). Plain GD and exact SpecGD run
/// `DiscreteMap` (as always); every other optimizer its exact map `OptimizerMap` (§6).
package struct TheoryEvaluator: CellEvaluator {
    package init() {}

    package func evaluate(_ point: ModelPoint, metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [Double] {
        let model = try point.groupedModel()
        let start = model.identityStart(alpha: point.alpha)
        let (stop, progress) = (control.cancellation, control.progress)
        return try MetricAssembler.values(metrics, point: point, ratio: ratio, control: control) { cell, wantsTrajectory in
            let optimizer = cell.optimizer
            if optimizer.isPlain {
                let map = try DiscreteMap(model: model, method: optimizer.method, learningRate: cell.learningRate)
                let escape = try map.escapeMetrics(from: start, steps: cell.steps, threshold: cell.escapeThreshold,
                                                   cancellation: stop, progress: progress)
                return RunMeasurement(escape: escape, trajectory: wantsTrajectory
                                      ? try Self.trajectoryEnd(map, from: start, steps: cell.steps, poll: control.poll()) : nil)
            }
            let map = try OptimizerMap(model: model, optimizer: optimizer, learningRate: cell.learningRate)
            let escape = try map.escapeMetrics(from: start, steps: cell.steps, threshold: cell.escapeThreshold,
                                               cancellation: stop, progress: progress)
            return RunMeasurement(escape: escape, trajectory: wantsTrajectory
                                  ? try Self.trajectoryEnd(map, from: start, steps: cell.steps, poll: control.poll()) : nil)
        }
    }

    /// A step of the map costs O(groups): the spiked model's few, a power law's or a
    /// spectrum's one per distinct eigenvalue.
    package func work(_ point: ModelPoint) -> Double {
        Double(point.steps) * Double((try? point.groupedModel().groups.count) ?? 1)
    }

    /// Cells that differ only in lr (and the seed, which theory does not read) form a row.
    package func rowKey(_ point: ModelPoint) -> ModelPoint? {
        var key = point
        key.learningRate = 0
        key.seed = 0
        return key
    }

    /// A row of cells at once: the escape metrics of each optimizer the metrics need (the
    /// cell's own, escape_ratio's two sides) come from one batched map over the row's learning
    /// rates — `DiscreteMap.escapeResults(model:method:learningRates:…)` for plain GD and exact
    /// SpecGD, `OptimizerMap.escapeResults(model:optimizer:learningRates:…)` otherwise, each
    /// bit for bit the per-cell run, a diverging cell with its own run's error — so a row costs
    /// about one cell's latency instead of one per cell. Trajectory metrics need a second pass
    /// per cell: those sweeps are evaluated cell by cell.
    package func outcomes(_ points: [ModelPoint], metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [CellOutcome] {
        guard points.count > 1, let first = points.first, !metrics.contains(where: \.needsTrajectory) else {
            return try points.map { try outcome($0, metrics: metrics, ratio: ratio, control: control) }
        }
        let model = try first.groupedModel()
        let start = model.identityStart(alpha: first.alpha)
        let learningRates = points.map(\.learningRate)
        var batches: [(optimizer: Optimizer, results: [Result<EscapeMetrics, any Error>])] = []
        func batch(_ optimizer: Optimizer) throws -> [Result<EscapeMetrics, any Error>] {
            if let done = batches.first(where: { $0.optimizer == optimizer }) { return done.results }
            let results = optimizer.isPlain
                ? try DiscreteMap.escapeResults(model: model, method: optimizer.method, learningRates: learningRates,
                                                from: start, steps: first.steps, threshold: first.escapeThreshold,
                                                cancellation: control.cancellation, progress: control.progress)
                : try OptimizerMap.escapeResults(model: model, optimizer: optimizer, learningRates: learningRates,
                                                 from: start, steps: first.steps, threshold: first.escapeThreshold,
                                                 cancellation: control.cancellation, progress: control.progress)
            batches.append((optimizer, results))
            return results
        }
        return try points.indices.map { j in
            try CellOutcome.catchingDivergence(metrics, point: points[j]) {
                try MetricAssembler.values(metrics, point: points[j], ratio: ratio, control: control) { cell, _ in
                    RunMeasurement(escape: try batch(cell.optimizer)[j].get())
                }
            }
        }
    }

    /// A second pass of the map (only when a trajectory metric is asked for, so the escape
    /// statistics stay Model's single-pass `escapeMetrics`): `watch` sees every step that is
    /// not recorded and `record` the recorded ones (0 and the last), so the max is over all.
    static func trajectoryEnd(_ map: DiscreteMap, from start: [Double], steps: Int, poll: MapPoll = MapPoll()) throws -> TrajectoryEnd {
        let model = map.model
        guard let spike = model.spikeIndex else { throw InputError("the model has no spike group") }
        var maxSpike = 0.0
        let last = try map.iterate(from: start, steps: steps, every: max(steps, 1), watch: { s in
            maxSpike = max(maxSpike, abs(s[spike]))
            return false
        }, poll: poll.active ? { k, _ in try poll(k) } : nil) { _, s in maxSpike = max(maxSpike, abs(s[spike])) }
        let o = model.observables(last)
        return TrajectoryEnd(signal: abs(o.a), spike: abs(o.b), bulk: abs(o.c), maxSpike: maxSpike)
    }

    /// The same pass on the optimizer map.
    static func trajectoryEnd(_ map: OptimizerMap, from start: [Double], steps: Int, poll: MapPoll = MapPoll()) throws -> TrajectoryEnd {
        let model = map.model
        guard let spike = model.spikeIndex else { throw InputError("the model has no spike group") }
        var maxSpike = 0.0
        let last = try map.iterate(from: OptimizerState(coefficients: start, optimizer: map.optimizer), steps: steps, every: max(steps, 1), watch: { s in
            maxSpike = max(maxSpike, abs(s[spike]))
            return false
        }, poll: poll.active ? { k, _ in try poll(k) } : nil) { _, state in maxSpike = max(maxSpike, abs(state.coefficients[spike])) }
        let o = model.observables(last.coefficients)
        return TrajectoryEnd(signal: abs(o.a), spike: abs(o.b), bulk: abs(o.c), maxSpike: maxSpike)
    }

    /// The cell's theory configuration, with the library's checks (α > 0, d ≥ 3, the
    /// optimizer's options, …), for the cell and for escape_ratio's two optimizers.
    package func validate(_ point: ModelPoint, ratio: EscapeRatio?) throws {
        for cell in [point] + (ratio.map { [$0.numerator, $0.denominator] } ?? []).map({ $0.point(point) }) {
            var configuration = TheoryConfiguration(method: cell.method, lambda: cell.lambda, dimension: cell.dimension, alpha: cell.alpha,
                                                    learningRate: cell.learningRate, steps: cell.steps, every: 1,
                                                    escapeThreshold: cell.escapeThreshold)
            configuration.optimizer = cell.optimizer
            try configuration.validate()
        }
    }
}

extension SweepMode {
    /// The evaluator for this mode, or a clear error when it is not built in. `memoryLimit`
    /// bounds one cell's planned memory (simulate mode; theory cells keep O(1) state).
    public func evaluator(memoryLimit: MemoryLimit = .default) throws -> any CellEvaluator {
        switch self {
        case .theory: return TheoryEvaluator()
        case .simulate: return SimulationEvaluator(memoryLimit: memoryLimit)
        }
    }
}
