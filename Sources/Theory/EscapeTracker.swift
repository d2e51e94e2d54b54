/// Accumulates `EscapeMetrics` while a trajectory is produced, so every path (map, flow,
/// large-d) measures escape with the same definitions in one pass.
public struct EscapeTracker: Sendable {
    public let threshold: Double
    let initialRatio: Double
    var escape: (step: Int, time: Double?, observed: Observables)?
    var last: Observables
    var lastStep = 0

    public init(start: Observables, threshold: Double) {
        self.threshold = threshold
        initialRatio = start.a != 0 ? abs(start.b / start.a) : 0
        last = start
    }

    public mutating func observe(step: Int, time: Double? = nil, _ o: Observables) {
        if escape == nil, o.a >= threshold { escape = (step, time, o) }
        last = o
        lastStep = step
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
            finalAlignment: last.alignment, finalLoss: last.loss, steps: steps)
    }
}
