import NumericKit
import SpecgdSupport
import Model
import Theory

/// Which two optimizers the `escape_ratio` metric compares: escape step of `numerator` /
/// escape step of `denominator`, both at the cell's options (`--ratio A/B`; default gd/specgd,
/// the paper's GD / SpecGD, > 1 when SpecGD escapes sooner).
///
/// A side is a method (`gd`, `specgd`, `signgd`, `adam`: the cell's optimizer options for
/// that method, so `specgd` takes the cell's polar rule) or a polar rule (`svd`, `ns5`,
/// `polar-express`, …: SpecGD with that rule and the cell's other options).
public struct EscapeRatio: Sendable, Codable, Equatable, CustomStringConvertible {
    var numerator: OptimizerPreset
    var denominator: OptimizerPreset

    /// A side by its word: a method (a preset with no polar rule, so the cell's own applies) or
    /// a polar rule (SpecGD with it); one line naming the spec otherwise.
    static func side(_ word: String, spec: String) throws -> OptimizerPreset {
        if let m = Method(rawValue: word) { return OptimizerPreset(m.rawValue, Optimizer(method: m)) }
        if let p = PolarMethod(rawValue: word), p != .custom { return OptimizerPreset(p.rawValue, Optimizer(method: .specgd, polar: p)) }
        let words = SweepParameter.method.names + SweepParameter.polar.names
        throw InputError("\(InputError.field("ratio")) '\(spec)': '\(word)' is neither a method nor a polar rule; use \(words.joined(separator: ", "))")
    }

    /// GD / SpecGD, the paper's ratio (what escape_ratio was before it could be chosen).
    public static let paper = EscapeRatio(numerator: .gd, denominator: .specgd)

    init(numerator: OptimizerPreset, denominator: OptimizerPreset) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// `A/B`; one line naming the spec on any error.
    public static func parse(_ spec: String) throws -> EscapeRatio {
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else {
            throw InputError("\(InputError.field("ratio")) '\(spec)': expected A/B, e.g. gd/specgd or ns5/svd")
        }
        let ratio = EscapeRatio(numerator: try side(parts[0], spec: spec), denominator: try side(parts[1], spec: spec))
        guard ratio.numerator != ratio.denominator else {
            throw InputError("\(InputError.field("ratio")) '\(spec)': the two sides are the same optimizer")
        }
        return ratio
    }

    public var description: String { numerator.name + "/" + denominator.name }
    public var displayName: String { "\(numerator.sideName) / \(denominator.sideName)" }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Self.parse(text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension OptimizerPreset {
    /// This side of a ratio at a cell: `point` with the preset's method, and its polar rule when
    /// it names one (a method side keeps the cell's own options for that method).
    func point(_ point: ModelPoint) -> ModelPoint {
        var p = point
        p.set(.method, word: optimizer.method.rawValue)
        if let polar = optimizer.polar { p.set(.polar, word: polar.rawValue) }
        return p
    }

    /// "GD", "SpecGD", or "SpecGD (ns5)".
    var sideName: String { optimizer.polar.map { "SpecGD (\($0.rawValue))" } ?? optimizer.method.displayName }
}
