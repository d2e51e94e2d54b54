import SpecgdSupport

/// The settings of per-seed theory's predicted spread over seeds (`SeedTheory.predictedSpread`,
/// docs/compare.md "Per-seed theory"): how many draws of the projected start from the law of W₀
/// go through the exact map, and the bootstrap of the spread check's width comparison
/// (`SpreadCheck.check`'s `level` and `resamples`). One home for compare, check-escape and the
/// sweep's `predicted_escape_spread`: both requests carry one (`CompareRequest.seedSpread`,
/// `CheckEscapeRequest.seedSpread`), a sweep cell its draw count (`ModelPoint.lawDraws`), every
/// command reads `--law-draws` through one option group, and both records write these fields into
/// their configuration block only when they differ from the defaults (`lawDraws`,
/// `spreadCheckLevel`, `spreadCheckResamples`), so a record of a default run keeps its bytes and a
/// record without them (every earlier one) reads as the defaults.
public struct SeedSpreadSettings: Codable, Sendable, Equatable {
    /// Draws of the projected start from the law of W₀, each through the exact map.
    public var lawDraws: Int
    /// The central interval of the bootstrap null distribution the width check uses (1 − level:
    /// its false-alarm probability).
    public var level: Double
    /// Bootstrap resamples of the width check.
    public var resamples: Int

    public static let defaultLawDraws = 400
    /// A sweep's `predicted_escape_spread` draws this many per cell by default: a grid runs the
    /// law once per cell, hundreds of times, and a phase diagram asks for the band's scale, not
    /// a check at 5 %: each quantile of 200 draws is off by ≈ √(0.09/200)/f(Q) ≈ 0.05 of the
    /// band's σ-scale (order statistics), docs/sweep.md.
    public static let defaultSweepLawDraws = 200
    public static let defaultLevel = 0.95
    public static let defaultResamples = 1000
    /// At most this many draws (and resamples): the q10/q90 of 10⁵ draws carry a sampling error
    /// ≈ √(0.09/10⁵)/f ≈ 10⁻³/f, far below what a handful of seeds can resolve; more only costs
    /// time (every draw is a whole map run, every resample sorts that many values), so a
    /// mistyped count is refused instead of running for days.
    public static let maximumLawDraws = 100_000
    public static let maximumResamples = 100_000

    public init(lawDraws: Int = defaultLawDraws, level: Double = defaultLevel, resamples: Int = defaultResamples) {
        self.lawDraws = lawDraws
        self.level = level
        self.resamples = resamples
    }

    /// One-line `InputError`s naming the field (`lawDraws` reads as `--law-draws` in the CLI).
    public func validate() throws {
        try Validate.atLeast(lawDraws, 2, "lawDraws")
        guard lawDraws <= Self.maximumLawDraws else {
            throw InputError(field: "lawDraws", "must be <= \(Self.maximumLawDraws) (got \(lawDraws)): every draw is a whole map run, and the quantiles of \(Self.maximumLawDraws) draws are already far more precise than the seeds they are compared with")
        }
        try Validate.finite(level, "spreadCheckLevel")
        guard level > 0, level < 1 else {
            throw InputError(field: "spreadCheckLevel", "must be > 0 and < 1 (got \(level))")
        }
        try Validate.atLeast(resamples, 1, "spreadCheckResamples")
        guard resamples <= Self.maximumResamples else {
            throw InputError(field: "spreadCheckResamples", "must be <= \(Self.maximumResamples) (got \(resamples))")
        }
    }

    /// What one predicted spread holds at its peak: every draw's escape step, b/a at escape and
    /// peak amplification with their sorted copies (`SpreadPrediction`, `SpreadQuantiles`), and the
    /// spread check's bootstrap (a resample of the draws and the resampled widths). A run keeps
    /// one at a time (compare and check-escape predict one method and λ after the other).
    public var memoryEstimate: MemoryEstimate {
        var e = MemoryEstimate()
        e.add("law-of-W₀ draws (\(lawDraws))", doubles: 7 * Double(lawDraws) + Double(resamples))
        return e
    }

    private enum CodingKeys: String, CodingKey {
        case lawDraws, spreadCheckLevel, spreadCheckResamples
    }

    /// Reads the fields from `decoder`'s keyed container (a record's configuration block, where
    /// they sit next to the command's own fields); a missing key is the default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lawDraws = try c.decodeIfPresent(Int.self, forKey: .lawDraws) ?? Self.defaultLawDraws
        level = try c.decodeIfPresent(Double.self, forKey: .spreadCheckLevel) ?? Self.defaultLevel
        resamples = try c.decodeIfPresent(Int.self, forKey: .spreadCheckResamples) ?? Self.defaultResamples
    }

    /// Writes the fields that differ from the defaults into `encoder`'s keyed container (a
    /// configuration block shares it): a default run's record keeps the bytes it always had.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if lawDraws != Self.defaultLawDraws { try c.encode(lawDraws, forKey: .lawDraws) }
        if level != Self.defaultLevel { try c.encode(level, forKey: .spreadCheckLevel) }
        if resamples != Self.defaultResamples { try c.encode(resamples, forKey: .spreadCheckResamples) }
    }
}
