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
    /// q at escape (or at the end without escape).
    public var bulkMassAtEscape: Double { (escape?.observed ?? last).q }

    public func metrics(steps: Int) -> EscapeMetrics {
        let at = escape?.observed ?? last
        let ratio = abs(at.b / at.a)
        return EscapeMetrics(
            escapeStep: escape?.step, signalAtEscape: at.a, spikeAtEscape: at.b,
            alignmentAtEscape: at.alignment, signalSpikeAlignmentAtEscape: at.spikeAlignment,
            amplification: initialRatio > 0 ? ratio / initialRatio : .nan,
            peakAmplification: initialRatio > 0 ? peakRatio / initialRatio : .nan,
            finalAlignment: last.alignment, finalLoss: last.loss, steps: steps)
    }
}
