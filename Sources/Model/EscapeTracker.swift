import SpecgdSupport

/// Accumulates `EscapeMetrics` while a trajectory is produced (or read back), so every path —
/// the map, the flows, the large-d map, the batched map, a recorded dense trajectory — measures
/// escape with the same definitions in one pass.
///
/// **The escape test** (docs/model.md §5, §7) is `escapes(signal:threshold:)`: |a| ≥ a_esc, on
/// the magnitude of the signal coefficient. The manifold paths hand over the signed coefficient
/// and the recorded tables the magnitude; on magnitudes the two agree, so a theory table read
/// back measures what the live map measured.
public struct EscapeTracker: Sendable {
    public let threshold: Double
    let initialRatio: Double
    /// Running max of |b/a| over the states seen up to and including the escape.
    @usableFromInline var peak: Double
    public var peakRatio: Double { peak }
    @usableFromInline var escape: (step: Int, time: Double?, observed: Observables)?
    var last: Observables
    var lastStep = 0

    public init(start: Observables, threshold: Double) {
        self.threshold = threshold
        initialRatio = start.a != 0 ? abs(start.b / start.a) : 0
        peak = initialRatio
        last = start
    }

    /// Whether a state with signal coefficient `a` has escaped: |a| ≥ `threshold`. The one
    /// definition; every path that tests escape outside a tracker (the map's per-step probe, the
    /// batched map) calls it.
    @inlinable @inline(__always)
    public static func escapes(signal a: Double, threshold: Double) -> Bool { abs(a) >= threshold }

    public mutating func observe(step: Int, time: Double? = nil, _ o: Observables) {
        if escape == nil {
            notePeak(signal: o.a, spike: o.b)
            if Self.escapes(signal: o.a, threshold: threshold) { escape = (step, time, o) }
        }
        last = o
        lastStep = step
    }

    /// Feeds the peak amplification from a step that is not otherwise observed (a per-step
    /// probe between recorded points), without building `Observables`. Ignored after escape.
    /// A NaN ratio (a = b = 0) never becomes the peak.
    @inlinable @inline(__always)
    public mutating func notePeak(signal a: Double, spike b: Double) {
        guard escape == nil else { return }
        notePeak(ratio: abs(b / a))
    }

    /// `notePeak` with |b/a| already computed (the batched path computes it in a vector loop).
    @inlinable @inline(__always)
    public mutating func notePeak(ratio: Double) {
        guard escape == nil else { return }
        if ratio > peak { peak = ratio }
    }

    /// Whether a state at or above the threshold has been observed.
    public var hasEscaped: Bool { escape != nil }
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
            peakAmplification: initialRatio > 0 ? peak / initialRatio : .nan,
            finalAlignment: last.alignment, finalLoss: last.loss, steps: steps)
    }
}

extension EscapeTracker {
    /// A tracker fed every row of an already recorded trajectory (a dense simulation's table,
    /// a theory table, a seed mean), with the same definitions as the live paths; exact when
    /// every step was recorded, else escape is the first *recorded* step with |a| ≥ threshold.
    /// Columns `step, a, b, q` are required, then those in `required` (checked in that order,
    /// before the table may be empty); `c, T, loss, alignment, spike_alignment` are read when
    /// present (NaN otherwise).
    public init(recorded table: Table, threshold: Double, requiring required: [String] = []) throws {
        func column(_ name: String) throws -> [Double] {
            guard let values = table.column(name) else { throw InputError("the trajectory has no '\(name)' column") }
            return values
        }
        let step = try column("step"), a = try column("a"), b = try column("b"), q = try column("q")
        for name in required { _ = try column(name) }
        guard !step.isEmpty else { throw InputError("the trajectory is empty") }
        let nan = [Double](repeating: .nan, count: step.count)
        func optional(_ name: String) -> [Double] { table.column(name) ?? nan }
        let c = optional("c"), trace = optional("T"), loss = optional("loss")
        let alignment = optional("alignment"), spike = optional("spike_alignment")
        func row(_ i: Int) -> Observables {
            Observables(a: a[i], b: b[i], c: c[i], q: q[i], trace: trace[i], loss: loss[i],
                        alignment: alignment[i], spikeAlignment: spike[i])
        }
        self.init(start: row(0), threshold: threshold)
        for i in step.indices { observe(step: Int(step[i]), row(i)) }
    }

    /// The escape metrics of a recorded trajectory (columns `step, a, b, q, loss, alignment,
    /// spike_alignment`, optionally `c` and `T`): `init(recorded:)`'s tracker, over its last
    /// recorded step.
    public static func metrics(of table: Table, threshold: Double) throws -> EscapeMetrics {
        let tracker = try EscapeTracker(recorded: table, threshold: threshold,
                                        requiring: ["loss", "alignment", "spike_alignment"])
        return tracker.metrics(steps: tracker.lastStep)
    }
}
