import Foundation
import Testing
import Model
import Theory

/// An independent transcription of the spiked GD map (docs/model.md §3) that tracks max |b/a| over
/// steps 0…escape (inclusive; the whole run without escape), divided by |b/a|₀.
/// Written in the association `DiscreteMap.rawStep` evaluates for the spiked groups
/// (σ, p, t) = (1, 1, 1), (1+λ, 1, 0), (1, p, 0): T = ((a² − 1) + (1+λ)·(b·b)) + p·(c·c) and
/// G_g = (σ_g s_g)·((2σ_g)·(s_g² − t_g) + T) — the multiplications by 1, the "− 0" and the
/// leading "0 +" of its sum are exact — so every step rounds the same operations on the same
/// operands: the two trajectories are bitwise equal, and so are the ratios and the peak.
private func referencePeak(lambda: Double, d: Int, alpha: Double, lr: Double, steps: Int,
                           threshold: Double = 0.5) -> (peak: Double, escape: Int?, argmax: Int) {
    var (a, b, c) = (alpha, alpha, alpha)
    let p = Double(d - 2)
    let initial = abs(b / a)
    var best = initial, argmax = 0
    for k in 1...steps {
        let t = (a * a - 1) + (1 + lambda) * (b * b) + p * (c * c)
        let ga = a * (2 * (a * a - 1) + t)
        let gb = (1 + lambda) * b * (2 * (1 + lambda) * (b * b) + t)
        let gc = c * (2 * (c * c) + t)
        (a, b, c) = (a - lr * ga, b - lr * gb, c - lr * gc)
        let r = abs(b / a)
        if r > best { best = r; argmax = k }
        if a >= threshold { return (best / initial, k, argmax) }
    }
    return (best / initial, nil, argmax)
}

@Suite struct PeakAmplificationTests {
    let d = 1000, alpha = 1e-3, lr = 1e-3, steps = 12000

    private func metrics(_ method: Method, lambda: Double) throws -> EscapeMetrics {
        let model = try GroupedModel.spiked(lambda: lambda, dimension: d)
        return try DiscreteMap(model: model, method: method, learningRate: lr)
            .escapeMetrics(from: model.identityStart(alpha: alpha), steps: steps)
    }

    @Test func gdAboveCriticalLambdaMatchesABruteForceMax() throws {
        let m = try metrics(.gd, lambda: 8)
        let reference = referencePeak(lambda: 8, d: d, alpha: alpha, lr: lr, steps: steps)
        #expect(m.escapeStep != nil && m.escapeStep == reference.escape)
        // The peak is strictly inside the run (not step 0, not the escape step): the per-step
        // probe, not just the recorded points, found it.
        #expect(reference.argmax > 0 && reference.argmax < reference.escape!)
        #expect(m.peakAmplification > 10, "\(m.peakAmplification)")
        // Same roundings on both sides (see `referencePeak`): equal, not close.
        #expect(m.peakAmplification == reference.peak, "\(m.peakAmplification) vs \(reference.peak)")
        // After saturation the end-point amplification falls below 1; the peak does not.
        let amplification = try #require(m.amplification)
        #expect(amplification < 1 && m.peakAmplification > amplification)
    }

    @Test func gdBelowCriticalLambdaPeaksAtStepZero() throws {
        let m = try metrics(.gd, lambda: 1)
        #expect(m.escapeStep != nil)
        #expect(m.peakAmplification == 1)
        #expect(referencePeak(lambda: 1, d: d, alpha: alpha, lr: lr, steps: steps).argmax == 0)
    }

    @Test func specgdStaysNearOne() throws {
        let m = try metrics(.specgd, lambda: 8)
        #expect(m.escapeStep != nil)
        #expect(m.peakAmplification >= 1 && m.peakAmplification < 1.1, "\(m.peakAmplification)")
    }

    /// `theory` (map dynamics) records only every `every` steps, but its per-step probe makes the
    /// peak exact: the same as `escapeMetrics`, whatever `every`.
    @Test func theoryRunPeakIsExactWhateverEvery() throws {
        let expected = try metrics(.gd, lambda: 8).peakAmplification
        for every in [1, 97] {
            let config = TheoryConfiguration(method: .gd, lambda: 8, dimension: d, alpha: alpha, learningRate: lr,
                                             steps: steps, every: every)
            #expect(try runTheory(config).summary.escape.peakAmplification == expected, "every \(every)")
        }
    }

    /// Without a spike group the ratio b/a is undefined: NaN, like `amplification`.
    @Test func noSpikeGroupGivesNaN() throws {
        let model = try GroupedModel(groups: [Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1)])
        let m = try DiscreteMap(model: model, method: .gd, learningRate: lr)
            .escapeMetrics(from: model.identityStart(alpha: alpha), steps: 100)
        #expect(m.peakAmplification.isNaN && (m.amplification ?? .nan).isNaN)
    }
}
