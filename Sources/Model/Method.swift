import SpecgdSupport

/// The optimiser, one vocabulary for theory and simulation (docs/model.md §2, §6): the same
/// value means the same update in the exact map, the flows, the dense runs and the sweeps.
/// The options that refine a method (polar rule, momentum, weight decay, Adam's moments) are
/// `Optimizer`'s.
public enum Method: String, Sendable, Codable, CaseIterable {
    /// W ← W − η̃ ∇L. On the manifold each coefficient is multiplied by (1 − η̃ ∇coef/s).
    case gd
    /// W ← W − η polar(∇L) (dense: of the momentum buffer too, Muon-style). On a diagonal W the
    /// polar factor is diag(sign ∇coef): every coefficient moves by exactly ±η. A zero gradient
    /// coefficient is a zero singular value, and the update has no component there (sign 0).
    case specgd
    /// W ← W − η sign(∇L), elementwise (sign 0 = 0). Equal to SpecGD on the identity manifold,
    /// but not rotation-invariant (docs/model.md §6).
    case signgd
    /// Adam with bias correction (β₁, β₂, ε); with weight decay, AdamW (docs/model.md §6).
    case adam

    /// The two methods the paper compares, which compare, check-escape and the figure set run
    /// side by side (the optimizer family of docs/model.md §6 joins them through `Optimizer`).
    public static let paperMethods: [Method] = [.gd, .specgd]

    /// How the learning rate of this method is written: η̃ for GD (it multiplies the raw
    /// gradient), η for the normalised updates (every step moves a coefficient by at most ~η).
    public var learningRateSymbol: String { self == .gd ? "η̃" : "η" }

    /// "GD" / "SpecGD" / "SignGD" / "Adam", for titles and legends.
    public var displayName: String {
        switch self {
        case .gd: "GD"
        case .specgd: "SpecGD"
        case .signgd: "SignGD"
        case .adam: "Adam"
        }
    }

    /// Refuses, in one line, a method that `path` does not run yet (it runs gd and specgd);
    /// `note` says where the method does run.
    public func requirePaperMethod(in path: String, note: String? = nil) throws {
        guard Method.paperMethods.contains(self) else {
            throw InputError("method \(rawValue) is not available in \(path) yet (it runs gd and specgd\(note.map { "; " + $0 } ?? ""))")
        }
    }
}
