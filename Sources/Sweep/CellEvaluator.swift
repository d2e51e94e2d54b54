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
}

extension CellEvaluator {
    /// `evaluate`, with divergence turned into a recorded outcome rather than an error.
    public func outcome(_ point: ModelPoint, metrics: [Metric]) throws -> CellOutcome {
        do {
            return CellOutcome(values: try evaluate(point, metrics: metrics))
        } catch let error as DivergenceError {
            return CellOutcome(values: metrics.map { _ in .nan }, status: .diverged, divergedStep: error.step)
        }
    }
}

/// Shared by both modes: turns the escape statistics of the cell's method (and, for
/// escape_ratio, of the other method) into metric values.
struct MetricAssembler {
    static func values(_ metrics: [Metric], primary: EscapeMetrics?, gdEscape: () throws -> Int?,
                       specgdEscape: () throws -> Int?) throws -> [Double] {
        var out = [Double]()
        out.reserveCapacity(metrics.count)
        for metric in metrics {
            switch metric {
            case .alignmentAtEscape: out.append(primary!.alignmentAtEscape)
            case .finalAlignment: out.append(primary!.finalAlignment)
            case .escapeStep: out.append(primary!.escapeStep.map(Double.init) ?? .nan)
            case .finalLoss: out.append(primary!.finalLoss)
            case .amplification: out.append(primary!.amplification)
            case .escapeRatio:
                let gd = try gdEscape(), spec = try specgdEscape()
                if let gd, let spec, spec > 0 { out.append(Double(gd) / Double(spec)) } else { out.append(.nan) }
            }
        }
        return out
    }
}

/// Theory mode: the exact summary map of MODEL.md §3 from W₀ = αI on the spiked model
/// (3 coefficients, so a cell costs O(steps) whatever d is).
public struct TheoryEvaluator: CellEvaluator {
    public init() {}

    public func evaluate(_ point: ModelPoint, metrics: [Metric]) throws -> [Double] {
        let model = try GroupedModel.spiked(lambda: point.lambda, dimension: point.dim)
        let start = model.identityStart(alpha: point.alpha)
        func run(_ method: Method) throws -> EscapeMetrics {
            try DiscreteMap(model: model, method: method, learningRate: point.lr)
                .escapeMetrics(from: start, steps: point.steps, threshold: point.escapeThreshold)
        }
        let primary = metrics.contains(where: \.needsPrimaryRun) ? try run(point.method) : nil
        func escape(_ method: Method) throws -> Int? {
            if method == point.method, let primary { return primary.escapeStep }
            return try run(method).escapeStep
        }
        return try MetricAssembler.values(metrics, primary: primary,
                                          gdEscape: { try escape(.gd) }, specgdEscape: { try escape(.specgd) })
    }
}

extension SweepMode {
    /// The evaluator for this mode, or a clear error when it is not built in.
    public func evaluator() throws -> any CellEvaluator {
        switch self {
        case .theory: return TheoryEvaluator()
        case .simulate:
            throw InputError("--mode simulate is not available in this build yet; use --mode theory")
        }
    }
}
