import Foundation
import SpecgdSupport

/// What one trajectory (theory map or simulation seed mean, columns `step, a, b, q`) says
/// about the escape stage. The linear window is the prefix of recorded steps with a ≤ 0.1
/// and |b| ≤ 0.1·b*₀, where b*₀ = √((1 − q₀)/(3(1+λ))) is the spike's saturation level at
/// the start (MODEL.md §5); record every step for exact windows.
public struct EscapeMeasurement: Sendable, Codable, Equatable {
    public var initialSignal: Double
    public var initialRatio: Double
    public var initialQ: Double
    /// Last recorded step of the linear window.
    public var windowEndStep: Int
    /// Mean of q over the recorded steps of the window (ρ is evaluated there).
    public var windowMeanQ: Double
    /// |b/a| at the window end over |b/a| at step 0.
    public var amplification: Double
    /// The largest |b/a| / |b/a|₀ within the window.
    public var maxAmplification: Double
    /// amplification^(1/k): the measured per-step growth of b/a.
    public var perStepGrowth: Double
    public var escapeStep: Int?
    public var signalAtEscape: Double
    public var spikeAtEscape: Double
    public var qAtEscape: Double
    /// |b/a| at escape (at the last step when there is no escape).
    public var ratioAtEscape: Double

    public static func measure(_ table: Table, lambda: Double, threshold: Double = 0.5,
                               windowSignal: Double = 0.1, windowSpikeFraction: Double = 0.1) throws -> EscapeMeasurement {
        func column(_ name: String) throws -> [Double] {
            guard let values = table.column(name) else { throw InputError("the trajectory has no '\(name)' column") }
            return values
        }
        let step = try column("step"), a = try column("a"), b = try column("b"), q = try column("q")
        guard !step.isEmpty else { throw InputError("the trajectory is empty") }
        let ratio = zip(a, b).map { abs($1 / $0) }
        let spikeCap = windowSpikeFraction * ((1 - q[0]) / (3 * (1 + lambda))).squareRoot()
        var end = 0
        while end + 1 < step.count, abs(a[end + 1]) <= windowSignal, abs(b[end + 1]) <= spikeCap { end += 1 }
        let amplification = ratio[end] / ratio[0]
        let k = step[end] - step[0]
        let escape = a.firstIndex { $0 >= threshold }
        let e = escape ?? (step.count - 1)
        return EscapeMeasurement(
            initialSignal: a[0], initialRatio: ratio[0], initialQ: q[0],
            windowEndStep: Int(step[end]),
            windowMeanQ: q[0...end].reduce(0, +) / Double(end + 1),
            amplification: amplification,
            maxAmplification: ratio[0...end].max()! / ratio[0],
            perStepGrowth: k > 0 ? pow(amplification, 1 / k) : .nan,
            escapeStep: escape.map { Int(step[$0]) },
            signalAtEscape: a[e], spikeAtEscape: b[e], qAtEscape: q[e], ratioAtEscape: ratio[e])
    }
}
