import SpecgdSupport

/// The escape-stage statistics of docs/model.md §5 for one run, measured on the exact map.
/// One definition shared by `theory`, `check-escape` and `sweep`.
public struct EscapeMetrics: Sendable, Codable, Equatable {
    /// First step k with a ≥ threshold, nil if the run never escapes within its budget.
    public var escapeStep: Int?
    /// |a|, |b| at escape; nil when the run never escapes (docs/model.md §7: no "at escape" values
    /// without an escape, never the last step's under that name).
    public var signalAtEscape: Double?
    public var spikeAtEscape: Double?
    /// a² / ‖W‖²_F at escape (nil without escape).
    public var alignmentAtEscape: Double?
    /// a² / (a² + b²) at escape (nil without escape).
    public var signalSpikeAlignmentAtEscape: Double?
    /// (b/a at escape) / (b/a at step 0): how much the uninformative spike was amplified
    /// relative to the signal through the escape stage. nil without escape; NaN when b₀ or
    /// a₀ is 0.
    public var amplification: Double?
    /// max over steps 0…escape (inclusive; the whole run without escape) of |b/a| / |b/a|₀.
    /// Unlike `amplification` it does not fall back below 1 once the spike saturates: GD above
    /// λ_c reaches ≫ 1 (ρᵏ growth through the linear window), below λ_c it is exactly 1
    /// (attained at step 0), SpecGD stays ≈ 1. NaN when b₀ or a₀ is 0 (or no spike group).
    /// Exact (every step) on the map paths — `escapeMetrics`, the batched version, `theory`
    /// with the map or the large-d map; for the flows it is the max over the output times.
    public var peakAmplification: Double
    /// State after all `steps` steps (the run continues past escape).
    public var finalAlignment: Double
    public var finalLoss: Double
    public var steps: Int
}

extension DiscreteMap {
    /// Runs `steps` steps from `start` and measures the escape metrics with a ≥ `threshold`.
    /// The spike is the group named "b" when there is one, else the non-signal group with
    /// the largest eigenvalue.
    public func escapeMetrics(from start: [Double], steps: Int, threshold: Double = 0.5) throws -> EscapeMetrics {
        try Validate.positive(threshold, "escape threshold")
        let signal = model.signalIndex, spike = model.spikeIndex
        var tracker = EscapeTracker(start: model.observables(start), threshold: threshold)
        var escaped = false
        // watch sees every step but the recorded ones (0, the escape step, the last), which
        // `observe` covers: together the peak is over every step up to escape.
        _ = try iterate(from: start, steps: steps, every: max(steps, 1), watch: { s in
            if escaped { return false }
            if s[signal] >= threshold { escaped = true; return true }
            if let spike { tracker.notePeak(signal: s[signal], spike: s[spike]) }
            return false
        }) { k, s in tracker.observe(step: k, model.observables(s)) }
        return tracker.metrics(steps: steps)
    }
}

extension GroupedModel {
    /// The "spike" group: the one named "b", else the non-signal group with the largest
    /// eigenvalue; nil for a model with only the signal group.
    public var spikeIndex: Int? {
        if let named = groups.firstIndex(where: { $0.name == "b" }) { return named }
        return groups.indices.filter { $0 != signalIndex }.max { groups[$0].eigenvalue < groups[$1].eigenvalue }
    }
}
