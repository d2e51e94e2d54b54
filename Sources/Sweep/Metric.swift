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
    /// max over steps 0…escape (the whole run without escape) of |b/a| / |b/a|₀. Does not
    /// fall back below 1 after saturation, so it marks λ_c crisply: GD above λ_c ≫ 1 (ρᵏ
    /// growth through the linear window), below λ_c exactly 1 (the max is step 0), SpecGD ≈ 1.
    case peakAmplification = "peak_amplification"
    /// GD escape step / SpecGD escape step at the cell's lr (runs both methods);
    /// NaN unless both escape. > 1 means SpecGD escapes sooner.
    case escapeRatio = "escape_ratio"

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

    /// Metrics that come out of one run of the cell's own method.
    var needsPrimaryRun: Bool { self != .escapeRatio }
}
