/// The optimiser, one vocabulary for theory and simulation (docs/model.md §2): the same
/// value means the same update in the exact map, the flows, the dense runs and the sweeps.
public enum Method: String, Sendable, Codable, CaseIterable {
    /// W ← W − η̃ ∇L. On the manifold each coefficient is multiplied by (1 − η̃ ∇coef/s).
    case gd
    /// W ← W − η polar(∇L) (dense: of the momentum buffer too, Muon-style). On a diagonal W the
    /// polar factor is diag(sign ∇coef): every coefficient moves by exactly ±η. A zero gradient
    /// coefficient is a zero singular value, and the update has no component there (sign 0).
    case specgd

    /// How the learning rate of this method is written: η̃ for GD, η for SpecGD (different scales).
    public var learningRateSymbol: String { self == .gd ? "η̃" : "η" }

    /// "GD" / "SpecGD", for titles and legends.
    public var displayName: String { self == .gd ? "GD" : "SpecGD" }
}
