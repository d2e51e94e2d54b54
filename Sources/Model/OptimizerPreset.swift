import Foundation
import SpecgdSupport

/// A named optimizer: a value, not a type. The words check-escape's `--methods` takes (and
/// any list of optimizers by name): the built-in methods, the Newton–Schulz rules on SpecGD,
/// Muon, and every registered rule at its defaults (`UpdateRules`).
public struct OptimizerPreset: Sendable, Hashable {
    public let name: String
    public let optimizer: Optimizer

    public init(_ name: String, _ optimizer: Optimizer) {
        self.name = name
        self.optimizer = optimizer
    }

    public static let gd = OptimizerPreset("gd", Optimizer(method: .gd))
    public static let specgd = OptimizerPreset("specgd", Optimizer(method: .specgd))
    public static let signgd = OptimizerPreset("signgd", Optimizer(method: .signgd))
    /// SpecGD with a Newton–Schulz rule (K = 5) and no momentum: the plateau in isolation.
    public static let ns3 = OptimizerPreset("ns3", Optimizer(method: .specgd, polar: .ns3))
    public static let ns5 = OptimizerPreset("ns5", Optimizer(method: .specgd, polar: .ns5))
    public static let polarExpress = OptimizerPreset("polar-express", Optimizer(method: .specgd, polar: .polarExpress))
    /// `Optimizer.muon`: NS5, K = 5, Nesterov β = 0.95.
    public static let muon = OptimizerPreset("muon", .muon)
    public static let adam = OptimizerPreset("adam", Optimizer(method: .adam))

    /// Every preset, built-ins first, then the registry's rules.
    public static var all: [OptimizerPreset] {
        [gd, specgd, signgd, ns3, ns5, polarExpress, muon, adam]
            + UpdateRules.all.map { OptimizerPreset($0.name, Optimizer(method: Method(rawValue: $0.name)!)) }
    }

    /// The paper's comparison (gd, specgd).
    public static let paper: [OptimizerPreset] = [gd, specgd]

    public static func named(_ word: String) -> OptimizerPreset? { all.first { $0.name == word } }

    /// gd and specgd: the paper's methods (checked on the map and the dense runs).
    public var isPaperMethod: Bool { self == .gd || self == .specgd }

    /// The word (as a record stores it).
    public var rawValue: String { name }

    /// Parses a comma-separated list; an unknown or repeated name is refused in one line,
    /// `what` naming the list ("check-escape method").
    public static func list(_ text: String, what: String) throws -> [OptimizerPreset] {
        var presets = [OptimizerPreset]()
        for word in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let p = named(word) else {
                throw InputError("unknown \(what) '\(word)'; methods: \(all.map(\.name).joined(separator: ", "))")
            }
            guard !presets.contains(p) else { throw InputError("\(what) '\(word)' is given twice") }
            presets.append(p)
        }
        return presets
    }
}

extension OptimizerPreset: Codable {
    public init(from decoder: Decoder) throws {
        let word = try decoder.singleValueContainer().decode(String.self)
        guard let preset = Self.named(word) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown method '\(word)'"))
        }
        self = preset
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
