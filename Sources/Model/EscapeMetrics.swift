import SpecgdSupport

/// The escape-stage statistics of docs/model.md §5 for one run: one definition for every
/// backend and command (`theory`'s map, flows and large-d map, `simulate`'s summary, `sweep`
/// in both modes, `check-escape`), accumulated by `EscapeTracker`.
public struct EscapeMetrics: Sendable, Codable, Equatable {
    /// First step k with |a| ≥ threshold (`EscapeTracker.escapes`), nil if the run never
    /// escapes within its budget.
    public var escapeStep: Int?
    /// |a|, |b| at escape; nil when the run never escapes (docs/model.md §7: no "at escape" values
    /// without an escape, never the last step's under that name).
    public var signalAtEscape: Double?
    public var spikeAtEscape: Double?
    /// a² / ‖W‖²_F at escape (nil without escape).
    public var alignmentAtEscape: Double?
    /// a² / (a² + b²) at escape (nil without escape).
    public var signalSpikeAlignmentAtEscape: Double?
    /// (b/a at escape) / (b/a at step 0): how much the uninformative spike was amplified
    /// relative to the signal through the escape stage. nil without escape; NaN when b₀ or
    /// a₀ is 0.
    public var amplification: Double?
    /// max over steps 0…escape (inclusive; the whole run without escape) of |b/a| / |b/a|₀.
    /// Unlike `amplification` it does not fall back below 1 once the spike saturates: GD above
    /// λ_c reaches ≫ 1 (ρᵏ growth through the linear window), below λ_c it is exactly 1
    /// (attained at step 0), SpecGD stays ≈ 1. NaN when b₀ or a₀ is 0 (or no spike group).
    /// Exact (every step) on the map paths — `escapeMetrics`, the batched version, `theory`
    /// with the map or the large-d map; for the flows it is the max over the output times.
    public var peakAmplification: Double
    /// State after all `steps` steps (the run continues past escape).
    public var finalAlignment: Double
    public var finalLoss: Double
    public var steps: Int
}
