import NumericKit
import SpecgdSupport

/// An update rule plugged into the optimizer family (docs/model.md §6, docs/architecture.md
/// "Add an update rule"): one type owns its names, the `Optimizer` options it reads with its
/// defaults, its step on the grouped coefficients of the exact map (with its state), its dense
/// step on W, its state columns and what check-escape can predict for it. `UpdateRules.all`
/// lists the rules; the CLI's value lists, `--help`, the sweep's `method` axis, check-escape's
/// `--methods`, compare, the figure set and the docs read that list.
///
/// Every rule shares the frame of the built-in methods: G the gradient; U = G, or with the
/// `momentum` option the heavy-ball buffer (B ← βB + G, U = B; Nesterov U = G + βB); u the
/// rule's direction; s ← (1 − η'ω)s − η'u with η' = η·(lr scale) and decoupled weight decay ω.
public protocol UpdateRule: Sendable {
    /// The CLI word and record value (`--method lion`): lower case, no spaces or commas.
    static var name: String { get }
    /// For titles and legends, spelled as the rule's paper spells it.
    static var displayName: String { get }
    /// How its learning rate is written (η for normalised updates, η̃ for raw-gradient ones).
    static var learningRateSymbol: String { get }
    /// The update in one line, for `--help` and docs/cli.md.
    static var summary: String { get }
    /// The `Optimizer` options the rule reads besides weight decay and the lr scale (which every
    /// rule reads), with its defaults. Any other option set for it is refused, naming the rule.
    static var options: [RuleOption] { get }
    /// Whether W → Q W Oᵀ (orthogonal Q, O) maps the rule's trajectory onto the rotated one
    /// (docs/model.md §6; tested by rotating a dense run).
    static var rotationInvariant: Bool { get }
    /// What check-escape predicts for the rule: none yet for a registered rule, with the reason
    /// (the closed forms of docs/model.md §5 are derived for GD and exact SpecGD).
    static var noPredictionReason: String { get }
    /// Names of the per-group state buffers of the grouped map, in order: each becomes the
    /// columns `<name>_<group>` of a theory table (`OptimizerMap.stateColumns`).
    static var stateNames: [String] { get }
    /// The value each state buffer starts at (before the first step), per buffer.
    var initialState: [Double] { get }

    /// The rule with `optimizer`'s options resolved (defaults filled in); `optimizer` is valid.
    init(_ optimizer: Optimizer)

    /// u from U (and G) on the grouped map's buffers (`GroupedStep`), in place of U.
    func groupedDirection(_ step: GroupedStep)

    /// |a₁ − a₀|/η', the signal coefficient's first move from W₀ = αI, in closed form from the
    /// first step's U per group (`source[g]`, multiplicity `multiplicity[g]`; the signal is
    /// group `signal`), written independently of `groupedDirection` so check-escape can hold the
    /// map to it; nil where no closed form is derived.
    func firstSignalMove(source: [Double], multiplicity: [Double], signal: Int) -> Double?

    /// The dense stepper for a rows×columns W, its workspace allocated once.
    func denseStepper(rows: Int, columns: Int) -> any DenseRuleStepper

    /// Doubles the dense stepper allocates for W ∈ R^{d×m} (the memory estimate), besides the
    /// update matrix every rule writes into.
    static func denseWorkspaceDoubles(rows d: Double, columns m: Double) -> Double
}

/// An option of `Optimizer` a registered rule may read, with the rule's default.
public enum RuleOption: Sendable, Hashable {
    /// `momentum` and `nesterov`: U is the heavy-ball buffer (shared with gd, specgd, signgd).
    case momentum
    case beta1(default: Double)
    case beta2(default: Double)
    /// `preconditionerEpsilon`: a preconditioner's start εI.
    case preconditionerEpsilon(default: Double)

    /// The configuration field (`Optimizer`'s), as messages name it.
    var field: String {
        switch self {
        case .momentum: "momentum"
        case .beta1: "beta1"
        case .beta2: "beta2"
        case .preconditionerEpsilon: "preconditionerEpsilon"
        }
    }
}

extension UpdateRule {
    public static var learningRateSymbol: String { "η" }
    public static var stateNames: [String] { [] }
    public var initialState: [Double] { [] }
    package static var reads: (momentum: Bool, beta1: Double?, beta2: Double?, preconditionerEpsilon: Double?) {
        var r: (momentum: Bool, beta1: Double?, beta2: Double?, preconditionerEpsilon: Double?) = (false, nil, nil, nil)
        for option in options {
            switch option {
            case .momentum: r.momentum = true
            case .beta1(let d): r.beta1 = d
            case .beta2(let d): r.beta2 = d
            case .preconditionerEpsilon(let d): r.preconditionerEpsilon = d
            }
        }
        return r
    }
}

/// One step of a registered rule on `OptimizerMap`'s buffers: `groups` groups × `cells`
/// independent trajectories, struct-of-arrays (entry g·cells + j is group g of cell j). A rule
/// must treat every cell alike and sum over groups g = 0, 1, … per cell, so a batched cell
/// equals its one-cell run bit for bit.
public struct GroupedStep {
    public let groups: Int
    public let cells: Int
    /// t = 1, 2, … (bias corrections).
    public let step: Int
    /// G_g.
    public let gradient: UnsafePointer<Double>
    /// In: U (G, or the momentum source); out: the direction u.
    let direction: UnsafeMutablePointer<Double>
    /// The rule's state buffers (`stateNames`), one after another, groups·cells each.
    let stateBase: UnsafeMutablePointer<Double>
    /// p_g, the multiplicity of group g (a group stands for p_g equal diagonal entries of W).
    let multiplicity: UnsafePointer<Double>
    /// `cells` doubles of scratch.
    let scratch: UnsafeMutablePointer<Double>

    package init(groups: Int, cells: Int, step: Int, gradient: UnsafePointer<Double>, direction: UnsafeMutablePointer<Double>,
                stateBase: UnsafeMutablePointer<Double>, multiplicity: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        self.groups = groups
        self.cells = cells
        self.step = step
        self.gradient = gradient
        self.direction = direction
        self.stateBase = stateBase
        self.multiplicity = multiplicity
        self.scratch = scratch
    }

    /// State buffer k (`stateNames[k]`).
    func state(_ k: Int) -> UnsafeMutablePointer<Double> { stateBase + k * groups * cells }
    /// Every entry: groups·cells.
    public var count: Int { groups * cells }
}

/// A registered rule's dense step, with its workspace (allocated by `denseStepper`).
public protocol DenseRuleStepper: Sendable {
    /// update ← u from G (`gradient`) and U (`source`: G, or the momentum source) at step
    /// t = 1, 2, …. The caller hands only finite U (the trainer stops a non-finite one as a
    /// divergence first, as for every method); a factorisation that fails throws, and the caller
    /// names the step.
    mutating func direction(gradient: Matrix, source: Matrix, into update: inout Matrix, step t: Int) throws
}

/// sign x with sign 0 = 0 (every sign rule's convention: a zero entry gets no step).
@inline(__always)
package func signum(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }

/// Why a registered rule's dense step could not be taken; the trainer reports it as the
/// divergence at that step.
package enum DenseRuleError: Error, Sendable, CustomStringConvertible {
    case factorisation(String)

    package var description: String {
        switch self {
        case .factorisation(let detail): "\(detail); lower the learning rate"
        }
    }
}
