import SpecgdSupport
import Theory

/// What one evaluated cell produced.
public struct CellOutcome: Sendable, Equatable {
    public enum Status: String, Sendable { case ok, diverged }
    /// One value per requested metric, in the configuration's order (NaN when diverged).
    public var values: [Double]
    public var status: Status
    /// The step where the run blew up; nil when status is ok.
    public var divergedStep: Int?

    public init(values: [Double], status: Status = .ok, divergedStep: Int? = nil) {
        self.values = values
        self.status = status
        self.divergedStep = divergedStep
    }
}

/// Computes a cell's metrics. One implementation per `SweepMode`; the runner only sees this,
/// so the parallel/resumable machinery is the same for theory and simulation.
public protocol CellEvaluator: Sendable {
    /// Throws `DivergenceError` when the run diverges (the runner records that cell as
    /// diverged) and `InputError` for a cell that cannot be run at all.
    func evaluate(_ point: ModelPoint, metrics: [Metric]) throws -> [Double]
    /// Refuses, before anything runs, a cell that could never be evaluated (InputError).
    func validate(_ point: ModelPoint) throws
}

extension CellEvaluator {
    public func validate(_ point: ModelPoint) throws {}

    /// `evaluate`, with divergence turned into a recorded outcome rather than an error.
    public func outcome(_ point: ModelPoint, metrics: [Metric]) throws -> CellOutcome {
        do {
            return CellOutcome(values: try evaluate(point, metrics: metrics))
        } catch let error as DivergenceError {
            return CellOutcome(values: metrics.map { _ in .nan }, status: .diverged, divergedStep: error.step)
        }
    }
}

/// Shared by both modes: runs the cell's method once (when any metric needs it) and, for
/// escape_ratio, the other method too, then lays the values out in metric order. Both modes
/// measure a run with the one `EscapeMetrics` definition (docs/model.md §5, §7).
struct MetricAssembler {
    static func values(_ metrics: [Metric], method: Method,
                       run: (Method) throws -> EscapeMetrics) throws -> [Double] {
        let primary = metrics.contains(where: \.needsPrimaryRun) ? try run(method) : nil
        func escape(_ other: Method) throws -> Int? {
            if other == method, let primary { return primary.escapeStep }
            return try run(other).escapeStep
        }
        var out = [Double]()
        out.reserveCapacity(metrics.count)
        for metric in metrics {
            switch metric {
            case .alignmentAtEscape: out.append(primary!.alignmentAtEscape ?? .nan)
            case .finalAlignment: out.append(primary!.finalAlignment)
            case .escapeStep: out.append(primary!.escapeStep.map(Double.init) ?? .nan)
            case .finalLoss: out.append(primary!.finalLoss)
            case .amplification: out.append(primary!.amplification ?? .nan)
            case .peakAmplification: out.append(primary!.peakAmplification)
            case .escapeRatio:
                let gd = try escape(.gd), spec = try escape(.specgd)
                if let gd, let spec, spec > 0 { out.append(Double(gd) / Double(spec)) } else { out.append(.nan) }
            }
        }
        return out
    }
}

/// Theory mode: the exact summary map of docs/model.md §3 from W₀ = αI on the spiked model
/// (3 coefficients, so a cell costs O(steps) whatever d is).
public struct TheoryEvaluator: CellEvaluator {
    public init() {}

    public func evaluate(_ point: ModelPoint, metrics: [Metric]) throws -> [Double] {
        let model = try GroupedModel.spiked(lambda: point.lambda, dimension: point.dim)
        let start = model.identityStart(alpha: point.alpha)
        return try MetricAssembler.values(metrics, method: point.method) { method in
            try DiscreteMap(model: model, method: method, learningRate: point.lr)
                .escapeMetrics(from: start, steps: point.steps, threshold: point.escapeThreshold)
        }
    }

    /// The cell's theory configuration, with the library's checks (α > 0, d ≥ 3, …).
    public func validate(_ point: ModelPoint) throws {
        try TheoryConfiguration(method: point.method, lambda: point.lambda, dimension: point.dim, alpha: point.alpha,
                                learningRate: point.lr, steps: point.steps, every: 1,
                                escapeThreshold: point.escapeThreshold).validate()
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
