import Model
import SpecgdSupport

extension DiscreteMap {
    /// Runs `steps` steps from `start` and measures the escape metrics with |a| ≥ `threshold`
    /// (`EscapeTracker.escapes`, tested at every step).
    /// The spike is the group named "b" when there is one, else the non-signal group with
    /// the largest eigenvalue.
    public func escapeMetrics(from start: [Double], steps: Int, threshold: Double = 0.5) throws -> EscapeMetrics {
        try Validate.positive(threshold, "escape threshold")
        var tracker = EscapeTracker(start: model.observables(start), threshold: threshold)
        var probe = EscapeProbe(model: model, threshold: threshold)
        // watch sees every step but the recorded ones (0, the escape step, the last), which
        // `observe` covers: together the peak is over every step up to escape.
        _ = try iterate(from: start, steps: steps, every: max(steps, 1), watch: { probe.watch($0, tracker: &tracker) }) { k, s in
            tracker.observe(step: k, model.observables(s))
        }
        return tracker.metrics(steps: steps)
    }
}

/// The per-step escape probe of every exact-map loop (`DiscreteMap`, `OptimizerMap`, the
/// recorded runs of `runTheory`): it catches the escape step on a (the loop then records that
/// step) and, before it, feeds each unrecorded step's |b/a| to the tracker's peak, so both are
/// exact however sparsely the loop records.
struct EscapeProbe {
    let signal: Int
    let spike: Int?
    let threshold: Double
    private(set) var escaped = false

    init(model: GroupedModel, threshold: Double) {
        signal = model.signalIndex
        spike = model.spikeIndex
        self.threshold = threshold
    }

    /// True at the escape step (once); false before it and after.
    @inline(__always)
    mutating func watch(_ s: UnsafeBufferPointer<Double>, tracker: inout EscapeTracker) -> Bool {
        if escaped { return false }
        if EscapeTracker.escapes(signal: s[signal], threshold: threshold) { escaped = true; return true }
        if let spike { tracker.notePeak(signal: s[signal], spike: s[spike]) }
        return false
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
