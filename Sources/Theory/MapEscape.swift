import Model
import SpecgdSupport

extension DiscreteMap {
    /// Runs `steps` steps from `start` and measures the escape metrics with |a| ≥ `threshold`
    /// (`EscapeTracker.escapes`, tested at every step).
    /// The spike is the group named "b" when there is one, else the non-signal group with
    /// the largest eigenvalue.
    /// `cancellation` and `progress` as in `runTheoryKeepingRows` (polled every `pollInterval`
    /// steps; a cancelled run throws `RunInterrupted`: escape metrics of part of a run mean nothing).
    public func escapeMetrics(from start: [Double], steps: Int, threshold: Double = 0.5,
                              cancellation: CancellationToken? = nil, progress: SpecgdSupport.Progress? = nil) throws -> EscapeMetrics {
        try Validate.positive(threshold, "escape threshold")
        var tracker = EscapeTracker(start: model.observables(start), threshold: threshold)
        var probe = EscapeProbe(model: model, threshold: threshold)
        let poll = MapPoll(cancellation: cancellation, progress: progress)
        // watch sees every step but the recorded ones (0, the escape step, the last), which
        // `observe` covers: together the peak is over every step up to escape.
        _ = try iterate(from: start, steps: steps, every: max(steps, 1), watch: { probe.watch($0, tracker: &tracker) },
                        poll: poll.active ? { k, _ in try poll(k) } : nil) { k, s in
            tracker.observe(step: k, model.observables(s))
        }
        return tracker.metrics(steps: steps)
    }
}

/// The stop and progress of a map loop that keeps no rows (escape metrics, a sweep cell): at
/// each poll, every `DiscreteMap.pollInterval` steps of `cells` trajectories stepped together,
/// the progress advances by those steps and a cancelled token throws `RunInterrupted`.
package struct MapPoll {
    package var cancellation: CancellationToken?
    package var progress: SpecgdSupport.Progress?
    package var cells: Int

    package init(cancellation: CancellationToken? = nil, progress: SpecgdSupport.Progress? = nil, cells: Int = 1) {
        self.cancellation = cancellation
        self.progress = progress
        self.cells = cells
    }

    /// Whether polling does anything (the loops skip it otherwise).
    package var active: Bool { cancellation != nil || progress != nil }

    /// At step `k`, `DiscreteMap.pollInterval` steps after the previous poll.
    @inline(__always)
    package func callAsFunction(_ k: Int) throws {
        progress?.advance(by: DiscreteMap.pollInterval * cells)
        try cancellation?.check(step: k)
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
