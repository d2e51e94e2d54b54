import SpecgdSupport

/// The optimiser, one vocabulary for theory and simulation (docs/model.md §2, §6): the same
/// value means the same update in the exact map, the flows, the dense runs and the sweeps.
/// The options that refine a method (polar rule, momentum, weight decay, Adam's moments) are
/// `Optimizer`'s.
///
/// The four built-in methods keep the maps' fast paths (plain GD and exact SpecGD bit for bit
/// the discrete map); every other rule is an `UpdateRule` listed in `UpdateRules.all` and named
/// here as `.rule(_)`: adding one touches its own file and the registry, never this type.
public enum Method: Sendable, Hashable {
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
    /// A rule of the registry (`UpdateRules`), by its CLI word.
    case rule(RuleName)

    /// The two methods the paper compares, which compare, check-escape and the figure set run
    /// side by side (the optimizer family of docs/model.md §6 joins them through `Optimizer`).
    public static let paperMethods: [Method] = [.gd, .specgd]

    /// The built-in methods, then the registry's rules in its order.
    public static var allCases: [Method] { [.gd, .specgd, .signgd, .adam] + UpdateRules.all.map { .rule(RuleName($0.name)) } }

    /// The CLI word and record value.
    public var rawValue: String {
        switch self {
        case .gd: "gd"
        case .specgd: "specgd"
        case .signgd: "signgd"
        case .adam: "adam"
        case .rule(let name): name.word
        }
    }

    /// The method a word names (a built-in or a registered rule); nil for any other word.
    public init?(rawValue: String) {
        switch rawValue {
        case "gd": self = .gd
        case "specgd": self = .specgd
        case "signgd": self = .signgd
        case "adam": self = .adam
        default:
            guard UpdateRules.named(rawValue) != nil else { return nil }
            self = .rule(RuleName(rawValue))
        }
    }

    /// The registered rule behind `.rule(_)`; nil for the built-in methods.
    public var updateRule: (any UpdateRule.Type)? {
        if case .rule(let name) = self { return UpdateRules.named(name.word) }
        return nil
    }

    /// How the learning rate of this method is written: η̃ for GD (it multiplies the raw
    /// gradient), η for the normalised updates (every step moves a coefficient by at most ~η).
    public var learningRateSymbol: String { updateRule?.learningRateSymbol ?? (self == .gd ? "η̃" : "η") }

    /// "GD" / "SpecGD" / "SignGD" / "Adam" / the rule's own, for titles and legends.
    public var displayName: String {
        switch self {
        case .gd: "GD"
        case .specgd: "SpecGD"
        case .signgd: "SignGD"
        case .adam: "Adam"
        case .rule: updateRule!.displayName
        }
    }

    /// Refuses, in one line, a method that `path` does not run yet (it runs gd and specgd);
    /// `note` says where the method does run.
    package func requirePaperMethod(in path: String, note: String? = nil) throws {
        guard Method.paperMethods.contains(self) else {
            throw InputError("method \(rawValue) is not available in \(path) yet (it runs gd and specgd\(note.map { "; " + $0 } ?? ""))")
        }
    }
}

/// The word of a registered rule; only `Method(rawValue:)` makes one, so a `.rule` is always
/// in the registry.
public struct RuleName: Sendable, Hashable {
    public let word: String
    init(_ word: String) { self.word = word }
}

extension Method: CaseIterable, RawRepresentable, Codable, CustomStringConvertible {
    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        let word = try decoder.singleValueContainer().decode(String.self)
        guard let method = Method(rawValue: word) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "unknown method '\(word)' (methods: \(Method.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        self = method
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
