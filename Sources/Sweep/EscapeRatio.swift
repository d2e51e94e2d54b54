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
    public enum Side: Sendable, Equatable {
        case method(Method)
        case polar(PolarMethod)

        public var name: String {
            switch self {
            case let .method(m): return m.rawValue
            case let .polar(p): return p.rawValue
            }
        }

        /// "GD", "SpecGD", or "SpecGD (ns5)".
        public var displayName: String {
            switch self {
            case let .method(m): return m.displayName
            case let .polar(p): return "SpecGD (\(p.rawValue))"
            }
        }

        static func parse(_ word: String, spec: String) throws -> Side {
            if let m = Method(rawValue: word) { return .method(m) }
            if let p = PolarMethod(rawValue: word), p != .custom { return .polar(p) }
            let words = SweepParameter.method.names + SweepParameter.polar.names
            throw InputError("\(InputError.field("ratio")) '\(spec)': '\(word)' is neither a method nor a polar rule; use \(words.joined(separator: ", "))")
        }

        /// This side's point: `point` with the method (or SpecGD and the polar rule) set.
        func point(_ point: ModelPoint) -> ModelPoint {
            var p = point
            switch self {
            case let .method(m): p.set(.method, word: m.rawValue)
            case let .polar(rule):
                p.set(.method, word: Method.specgd.rawValue)
                p.set(.polar, word: rule.rawValue)
            }
            return p
        }
    }

    public var numerator: Side
    public var denominator: Side

    /// GD / SpecGD, the paper's ratio (what escape_ratio was before it could be chosen).
    public static let paper = EscapeRatio(numerator: .method(.gd), denominator: .method(.specgd))

    public init(numerator: Side, denominator: Side) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// `A/B`; one line naming the spec on any error.
    public static func parse(_ spec: String) throws -> EscapeRatio {
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else {
            throw InputError("\(InputError.field("ratio")) '\(spec)': expected A/B, e.g. gd/specgd or ns5/svd")
        }
        let ratio = EscapeRatio(numerator: try Side.parse(parts[0], spec: spec), denominator: try Side.parse(parts[1], spec: spec))
        guard ratio.numerator != ratio.denominator else {
            throw InputError("\(InputError.field("ratio")) '\(spec)': the two sides are the same optimizer")
        }
        return ratio
    }

    public var description: String { numerator.name + "/" + denominator.name }
    public var displayName: String { "\(numerator.displayName) / \(denominator.displayName)" }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Self.parse(text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
