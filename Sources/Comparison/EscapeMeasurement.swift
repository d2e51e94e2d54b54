import Foundation
import SpecgdSupport
import Model
import Theory

/// What one trajectory (theory map or simulation seed mean, columns `step, a, b, q`) says
/// about the escape stage. The linear window is the prefix of recorded steps, starting at
/// step 0, with |a| ≤ 0.1 and |b| ≤ 0.1·b*₀, where b*₀ = √((1 − q₀)/(3(1+λ))) is the spike's
/// saturation level at the start (`EscapeAnalytics.saturationSpike` at a = 0, q = q₀;
/// docs/model.md §5); record every step for exact windows. The escape fields are
/// `EscapeTracker`'s (the one escape definition) on the same rows. When
/// step 0 itself is outside (b₀ already above 0.1·b*₀, say) or the next recorded step is,
/// the window is empty (`windowSteps` = 0) and window predictions cannot be checked.
public struct EscapeMeasurement: Sendable, Codable, Equatable {
    public var initialSignal: Double
    public var initialRatio: Double
    public var initialQ: Double
    /// Last recorded step of the linear window (the first step when it is empty).
    public var windowEndStep: Int
    /// Steps spanned by the window (0: empty, nothing to check there).
    public var windowSteps: Int
    /// Why the window is empty (nil when it is not).
    public var emptyWindowReason: String?
    /// Mean of q over the recorded steps of the window (ρ is evaluated there).
    public var windowMeanQ: Double
    /// |b/a| at the window end over |b/a| at step 0.
    public var amplification: Double
    /// The largest |b/a| / |b/a|₀ within the window.
    public var maxAmplification: Double
    /// amplification^(1/k): the measured per-step growth of b/a (NaN for an empty window).
    public var perStepGrowth: Double
    /// The last recorded step: the budget within which an escape was looked for.
    public var lastStep: Int
    public var escapeStep: Int?
    /// |a|, |b|, q and |b/a| at escape; nil when the run never escapes (docs/model.md §7).
    public var signalAtEscape: Double?
    public var spikeAtEscape: Double?
    public var qAtEscape: Double?
    public var ratioAtEscape: Double?
    /// The first step, up to the escape (or the last step without one), at which the signed
    /// spike coefficient has the opposite sign of the step before: GD's b overshooting 0. nil
    /// when it never does or the trajectory has no `b_signed` column (dense runs).
    public var spikeSignChangeStep: Int?

    public static func measure(_ table: Table, lambda: Double, threshold: Double = 0.5,
                               windowSignal: Double = 0.1, windowSpikeFraction: Double = 0.1) throws -> EscapeMeasurement {
        func column(_ name: String) throws -> [Double] {
            guard let values = table.column(name) else { throw InputError("the trajectory has no '\(name)' column") }
            return values
        }
        let step = try column("step"), a = try column("a"), b = try column("b"), q = try column("q")
        guard !step.isEmpty else { throw InputError("the trajectory is empty") }
        let ratio = zip(a, b).map { abs($1 / $0) }
        let spikeStar = EscapeAnalytics.saturationSpike(lambda: lambda, a: 0, q: q[0])
        let spikeCap = windowSpikeFraction * spikeStar
        func inside(_ i: Int) -> Bool { abs(a[i]) <= windowSignal && abs(b[i]) <= spikeCap }
        var end = 0
        if inside(0) { while end + 1 < step.count, inside(end + 1) { end += 1 } }
        let windowSteps = Int(step[end] - step[0])
        var reason: String?
        if windowSteps == 0 {
            let i = inside(0) ? min(1, step.count - 1) : 0
            func f(_ x: Double) -> String { String(format: "%.3g", x) }
            if step.count == 1 { reason = "the trajectory has a single row" }
            else if abs(a[i]) > windowSignal { reason = "a = \(f(abs(a[i]))) > \(f(windowSignal)) at step \(Int(step[i]))" }
            else if spikeCap.isNaN { reason = "b*₀ is undefined (q₀ = \(f(q[0])) ≥ 1)" }
            else { reason = "|b| = \(f(abs(b[i]))) > \(f(windowSpikeFraction))·b*₀ = \(f(spikeCap)) at step \(Int(step[i]))" }
            reason = "the linear window is empty: " + reason!
        }
        let amplification = ratio[end] / ratio[0]
        let lastStep = Int(step[step.count - 1])
        // Escape as everywhere else (`EscapeTracker`: the first recorded step with |a| ≥ threshold).
        let tracker = try EscapeTracker(recorded: table, threshold: threshold)
        let escape = tracker.metrics(steps: lastStep)
        var signChange: Int?
        if let signed = table.column("b_signed") {
            let end = escape.escapeStep.flatMap { e in step.firstIndex { $0 >= Double(e) } } ?? step.count - 1
            signChange = (0..<end).first { signed[$0] * signed[$0 + 1] < 0 }.map { Int(step[$0 + 1]) }
        }
        return EscapeMeasurement(
            initialSignal: abs(a[0]), initialRatio: ratio[0], initialQ: q[0],
            windowEndStep: Int(step[end]), windowSteps: windowSteps, emptyWindowReason: reason,
            windowMeanQ: q[0...end].reduce(0, +) / Double(end + 1),
            amplification: amplification,
            maxAmplification: ratio[0...end].max()! / ratio[0],
            perStepGrowth: windowSteps > 0 ? pow(amplification, 1 / Double(windowSteps)) : .nan,
            lastStep: lastStep,
            escapeStep: escape.escapeStep, signalAtEscape: escape.signalAtEscape, spikeAtEscape: escape.spikeAtEscape,
            qAtEscape: tracker.bulkMassAtEscape, ratioAtEscape: tracker.spikeRatioAtEscape, spikeSignChangeStep: signChange)
    }
}
