import SpecgdSupport

/// Accumulates `EscapeMetrics` while a trajectory is produced, so every path (map, flow,
/// large-d) measures escape with the same definitions in one pass.
public struct EscapeTracker: Sendable {
    public let threshold: Double
    let initialRatio: Double
    /// Running max of |b/a| over the states seen up to and including the escape.
    var peakRatio: Double
    var escape: (step: Int, time: Double?, observed: Observables)?
    var last: Observables
    var lastStep = 0

    public init(start: Observables, threshold: Double) {
        self.threshold = threshold
        initialRatio = start.a != 0 ? abs(start.b / start.a) : 0
        peakRatio = initialRatio
        last = start
    }

    public mutating func observe(step: Int, time: Double? = nil, _ o: Observables) {
        if escape == nil {
            notePeak(signal: o.a, spike: o.b)
            if o.a >= threshold { escape = (step, time, o) }
        }
        last = o
        lastStep = step
    }

    /// Feeds the peak amplification from a step that is not otherwise observed (a per-step
    /// probe between recorded points), without building `Observables`. Ignored after escape.
    /// A NaN ratio (a = b = 0) never becomes the peak.
    @inline(__always)
    public mutating func notePeak(signal a: Double, spike b: Double) {
        guard escape == nil else { return }
        notePeak(ratio: abs(b / a))
    }

    /// `notePeak` with |b/a| already computed (the batched path computes it in a vector loop).
    @inline(__always)
    public mutating func notePeak(ratio: Double) {
        guard escape == nil else { return }
        if ratio > peakRatio { peakRatio = ratio }
    }

    public var escapeTime: Double? { escape?.time }
    /// q at escape (nil without escape).
    public var bulkMassAtEscape: Double? { escape?.observed.q }
    /// |b|/|a| at escape (nil without escape).
    public var spikeRatioAtEscape: Double? { escape.map { abs($0.observed.b / $0.observed.a) } }

    /// The metrics so far. Everything named "at escape" is nil when there was no escape;
    /// a and b are reported as magnitudes (docs/model.md §7).
    public func metrics(steps: Int) -> EscapeMetrics {
        let at = escape?.observed
        return EscapeMetrics(
            escapeStep: escape?.step, signalAtEscape: at.map { abs($0.a) }, spikeAtEscape: at.map { abs($0.b) },
            alignmentAtEscape: at?.alignment, signalSpikeAlignmentAtEscape: at?.spikeAlignment,
            amplification: spikeRatioAtEscape.map { initialRatio > 0 ? $0 / initialRatio : .nan },
            peakAmplification: initialRatio > 0 ? peakRatio / initialRatio : .nan,
            finalAlignment: last.alignment, finalLoss: last.loss, steps: steps)
    }
}

extension EscapeTracker {
    /// The escape metrics of an already recorded trajectory (columns `step, a, b, q, loss,
    /// alignment, spike_alignment`, optionally `c` and `T`) — a dense simulation's table, say —
    /// with the same definitions as the live paths. Exact when every step was recorded.
    public static func metrics(of table: Table, threshold: Double) throws -> EscapeMetrics {
        func column(_ name: String) throws -> [Double] {
            guard let values = table.column(name) else { throw InputError("the trajectory has no '\(name)' column") }
            return values
        }
        let step = try column("step"), a = try column("a"), b = try column("b"), q = try column("q")
        let loss = try column("loss"), alignment = try column("alignment"), spike = try column("spike_alignment")
        let nan = [Double](repeating: .nan, count: step.count)
        let c = table.column("c") ?? nan, trace = table.column("T") ?? nan
        guard !step.isEmpty else { throw InputError("the trajectory is empty") }
        func row(_ i: Int) -> Observables {
            Observables(a: a[i], b: b[i], c: c[i], q: q[i], trace: trace[i], loss: loss[i],
                        alignment: alignment[i], spikeAlignment: spike[i])
        }
        var tracker = EscapeTracker(start: row(0), threshold: threshold)
        for i in step.indices { tracker.observe(step: Int(step[i]), row(i)) }
        return tracker.metrics(steps: Int(step[step.count - 1]))
    }
}
