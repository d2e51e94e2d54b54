import Model
import Simulation
import SpecgdSupport

/// What a sweep measures in each cell (docs/model.md §5). Each becomes one column of cells.csv.
public enum Metric: String, Sendable, Codable, CaseIterable {
    /// a² / ‖W‖²_F at the escape step; NaN when the run does not escape.
    case alignmentAtEscape = "alignment_at_escape"
    /// a² / ‖W‖²_F after all `steps` steps.
    case finalAlignment = "final_alignment"
    /// First step with a ≥ escape-threshold; NaN when there is none within `steps`.
    case escapeStep = "escape_step"
    /// Population loss after all `steps` steps.
    case finalLoss = "final_loss"
    /// (b/a at escape) / (b/a at step 0): how much the spike outgrew the signal; NaN without escape.
    case amplification
    /// max over steps 0…escape of |b/a| / |b/a|₀; NaN when the run does not escape (a max
    /// "up to escape" has no escape to stop at, docs/model.md §7). Does not fall back below 1
    /// after saturation, so it marks λ_c crisply: GD above λ_c ≫ 1 (ρᵏ growth through the
    /// linear window), below λ_c exactly 1 (the max is step 0), SpecGD ≈ 1.
    case peakAmplification = "peak_amplification"
    /// GD escape step / SpecGD escape step at the cell's lr (runs both methods);
    /// NaN unless both escape. > 1 means SpecGD escapes sooner.
    case escapeRatio = "escape_ratio"
    /// |a| = ‖Wᵀθ*‖ after all `steps` steps.
    case finalSignal = "final_signal"
    /// |b| = ‖Wᵀv‖ after all `steps` steps.
    case finalSpike = "final_spike"
    /// max over steps 0…steps (every step, escape or not) of |b|.
    case maxSpike = "max_spike"
    /// c = ‖P⊥W‖_F/√p, the bulk's RMS coefficient, after all `steps` steps.
    case finalBulk = "final_bulk"
    /// q90 − q10 of the escape step over seeds, predicted from the law of W₀ alone
    /// (`SpreadPrediction`: `ModelPoint.lawDraws` draws of the projected start through the exact map;
    /// the cell's initialization and width, Gaussian with m = d when the sweep sets none); NaN
    /// unless every draw escapes. The same in both modes: no dense run is involved.
    case predictedEscapeSpread = "predicted_escape_spread"

    public static func parseList(_ texts: [String]) throws -> [Metric] {
        var metrics = [Metric]()
        for text in texts {
            for piece in text.split(separator: ",") {
                let name = piece.trimmingCharacters(in: .whitespaces)
                guard let metric = Metric(rawValue: name) else {
                    throw InputError("unknown metric '\(name)'; metrics: \(allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard !metrics.contains(metric) else { throw InputError("metric '\(name)' is listed twice") }
                metrics.append(metric)
            }
        }
        guard !metrics.isEmpty else { throw InputError("\(InputError.field("metrics")) needs at least one metric name") }
        return metrics
    }

    /// The statistics over a cell's repetitions (`--seeds S`, S > 1, simulate mode), each a
    /// column `<metric>_<statistic>`: the mean and the 10/50/90 % quantiles (`Aggregate`'s).
    public static let statistics = ["mean", "q10", "q50", "q90"]

    /// cells.csv's metric columns: one per metric, or with several repetitions one per metric
    /// and statistic (`escape_step_mean, escape_step_q10, …`).
    public static func columns(_ metrics: [Metric], seeds: Int?) -> [String] {
        guard let seeds, seeds > 1 else { return metrics.map(\.rawValue) }
        return metrics.flatMap { m in statistics.map { "\(m.rawValue)_\($0)" } }
    }

    /// The statistics of one metric over repetitions, in `statistics` order. A repetition
    /// without a value (no escape) leaves the cell without one: a mean or quantile over the
    /// repetitions that escaped would read as data about all of them (docs/sweep.md).
    static func summary(_ values: [Double]) -> [Double] {
        guard !values.isEmpty, !values.contains(where: \.isNaN) else { return statistics.map { _ in .nan } }
        let sorted = values.sorted()
        let mean = values.reduce(0, +) / Double(values.count)
        return [mean] + [0.1, 0.5, 0.9].map { Aggregate.quantile(sorted, $0) }
    }

    /// Metrics that come out of one run of the cell's own method.
    var needsPrimaryRun: Bool { self != .escapeRatio && self != .predictedEscapeSpread }

    /// The metric in words, for titles and colour bars.
    public var displayName: String {
        switch self {
        case .alignmentAtEscape: return "alignment a²/‖W‖² at escape"
        case .finalAlignment: return "final alignment a²/‖W‖²"
        case .escapeStep: return "escape step (first a ≥ the escape threshold)"
        case .finalLoss: return "final population loss"
        case .amplification: return "spike amplification (b/a at escape) / (b/a)₀"
        case .peakAmplification: return "peak spike amplification max |b/a| / |b/a|₀ to escape"
        case .escapeRatio: return "escape-step ratio GD / SpecGD"
        case .finalSignal: return "final signal |a| = ‖Wᵀθ*‖"
        case .finalSpike: return "final spike |b| = ‖Wᵀv‖"
        case .maxSpike: return "largest spike max |b| over the run"
        case .finalBulk: return "final bulk c = ‖P⊥W‖/√p"
        case .predictedEscapeSpread: return "predicted escape-step spread q90 − q10 over seeds (law of W₀)"
        }
    }

    /// Whether two sweeps are compared by their ratio or (for alignments, fractions in
    /// [0, 1] whose ratio says little) by their difference.
    var comparison: Comparison {
        switch self {
        case .alignmentAtEscape, .finalAlignment: return .difference
        default: return .ratio
        }
    }

    public enum Comparison: String, Sendable { case ratio, difference }

    /// Metrics defined through the escape (an escape step, a value at or up to it): a run that
    /// does not escape within its steps has none (docs/model.md §7), and a phase diagram
    /// marks such a cell "no escape" instead of colouring it.
    var needsEscape: Bool {
        switch self {
        case .alignmentAtEscape, .escapeStep, .amplification, .peakAmplification, .escapeRatio, .predictedEscapeSpread: return true
        case .finalAlignment, .finalLoss, .finalSignal, .finalSpike, .maxSpike, .finalBulk: return false
        }
    }

    /// Metrics read off the trajectory itself (its last state, its largest spike), not the
    /// escape statistics.
    var needsTrajectory: Bool {
        switch self {
        case .finalSignal, .finalSpike, .maxSpike, .finalBulk: return true
        default: return false
        }
    }
}
