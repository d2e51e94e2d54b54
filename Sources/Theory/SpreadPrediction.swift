import Model
import NumericKit
import SpecgdSupport

/// The 10, 50 and 90 % quantiles of a quantity over seeds (`SampleQuantile.linear`, as the
/// seed aggregates use).
public struct SpreadQuantiles: Sendable, Codable, Equatable {
    public var q10: Double
    public var q50: Double
    public var q90: Double

    /// nil for no values or any NaN (a quantile over the finite ones would read as one over all).
    public init?(_ values: [Double]) {
        guard !values.isEmpty, !values.contains(where: \.isNaN) else { return nil }
        let sorted = values.sorted()
        q10 = SampleQuantile.linear(sorted, 0.1)
        q50 = SampleQuantile.linear(sorted, 0.5)
        q90 = SampleQuantile.linear(sorted, 0.9)
    }

    /// q90 − q10.
    public var width: Double { q90 - q10 }
}

/// The predicted fluctuation over seeds (docs/model.md §5 "The seeds' spread"): draws of the
/// projected start from the law of W₀ (`GroupedModel.sampleStart`), each pushed through the
/// exact map, and the quantiles of the escape step, b/a at escape and the peak amplification.
public struct SpreadPrediction: Sendable, Codable, Equatable {
    public var law: StartLaw
    public var draws: Int
    /// Draws that escaped within the steps; the escape quantiles need all of them.
    public var escaped: Int
    /// nil unless every draw escapes.
    public var escapeStep: SpreadQuantiles?
    /// |b/a| at escape; nil unless every draw escapes.
    public var ratioAtEscape: SpreadQuantiles?
    /// max |b/a|/|b/a|₀ up to escape; nil unless every draw escapes.
    public var peakAmplification: SpreadQuantiles?
    /// Every draw's escape step, in draw order (NaN: no escape) — what the seed checks resample;
    /// not written to records.
    public var escapeSteps: [Double] = []

    private enum CodingKeys: String, CodingKey {
        case law, draws, escaped, escapeStep, ratioAtEscape, peakAmplification
    }

    /// `draws` starts from `law` (generator: `seed`, `stream`), each through the exact map of
    /// `optimizer` at `learningRate` for `steps` steps, escape at |a| ≥ `threshold`.
    /// A cancelled `cancellation` throws `RunInterrupted` within a map poll of the draw under way.
    public static func predict(model: GroupedModel, optimizer: Optimizer, learningRate: Double, steps: Int,
                               threshold: Double, law: StartLaw, draws: Int, seed: UInt64, stream: Int,
                               cancellation: CancellationToken? = nil) throws -> SpreadPrediction {
        try Validate.atLeast(draws, 1, "draws")
        try Validate.positive(law.alpha, "alpha")
        try Validate.atLeast(law.width, 1, "width")
        var rng = Xoshiro256(seed: seed, stream: stream)
        let plain = optimizer.isPlain
        let discrete = plain ? try DiscreteMap(model: model, method: optimizer.method, learningRate: learningRate) : nil
        let general = plain ? nil : try OptimizerMap(model: model, optimizer: optimizer, learningRate: learningRate)
        var escapes: [Double] = [], ratios: [Double] = [], peaks: [Double] = []
        for _ in 0..<draws {
            let start = model.sampleStart(law, rng: &rng)
            let metrics = try discrete?.escapeMetrics(from: start, steps: steps, threshold: threshold, cancellation: cancellation)
                ?? general!.escapeMetrics(from: start, steps: steps, threshold: threshold, cancellation: cancellation)
            escapes.append(metrics.escapeStep.map(Double.init) ?? .nan)
            if let a = metrics.signalAtEscape, let b = metrics.spikeAtEscape { ratios.append(abs(b / a)) } else { ratios.append(.nan) }
            peaks.append(metrics.escapeStep == nil ? .nan : metrics.peakAmplification)
        }
        return SpreadPrediction(law: law, draws: draws, escaped: escapes.filter { !$0.isNaN }.count,
                                escapeStep: SpreadQuantiles(escapes), ratioAtEscape: SpreadQuantiles(ratios),
                                peakAmplification: SpreadQuantiles(peaks), escapeSteps: escapes)
    }
}
