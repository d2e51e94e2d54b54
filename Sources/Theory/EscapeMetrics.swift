import SpecgdSupport

/// The escape-stage statistics of MODEL.md §5 for one run, measured on the exact map.
/// One definition shared by `theory`, `check-escape` and `sweep`.
public struct EscapeMetrics: Sendable, Codable, Equatable {
    /// First step k with a ≥ threshold, nil if the run never escapes within its budget.
    public var escapeStep: Int?
    /// The coefficients at escape (or at the last step when there is no escape).
    public var signalAtEscape: Double
    public var spikeAtEscape: Double
    /// a² / ‖W‖²_F at escape.
    public var alignmentAtEscape: Double
    /// a² / (a² + b²) at escape.
    public var signalSpikeAlignmentAtEscape: Double
    /// (b/a at escape) / (b/a at step 0): how much the uninformative spike was amplified
    /// relative to the signal through the escape stage.
    public var amplification: Double
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
        let signal = model.signalIndex
        var tracker = EscapeTracker(start: model.observables(start), threshold: threshold)
        var escaped = false
        _ = try iterate(from: start, steps: steps, every: max(steps, 1), watch: { s in
            if !escaped && s[signal] >= threshold { escaped = true; return true }
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
