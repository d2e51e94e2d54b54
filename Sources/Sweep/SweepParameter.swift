import NumericKit
import SpecgdSupport
import Model
import Theory

/// How a cell is evaluated: on the exact summary map (theory) or by dense training (simulate).
public enum SweepMode: String, Sendable, Codable, CaseIterable {
    case theory
    case simulate
}

/// A model option that a sweep can vary along a grid axis. The raw value is the
/// command-line spelling (`--grid 'lr=…'` varies what `--lr` sets), so one word means one
/// thing across the toolkit. Most are numbers; `method` and `polar` are name axes
/// (`isName`), whose values are the option's words (`--grid method=gd,specgd`).
public enum SweepParameter: String, Sendable, Codable, CaseIterable {
    case lambda
    case lr
    case dim
    case alpha
    case steps
    case escapeThreshold = "escape-threshold"
    /// Heavy-ball momentum β of the optimizer (docs/model.md §6), both modes.
    case momentum
    /// The optimizer's numeric options (docs/model.md §6): decoupled weight decay ω, β₁ and β₂
    /// (the moment rules'), Newton–Schulz steps K, Adam's ε and a preconditioner's start ε. A cell
    /// whose method does not read one runs without it; an axis no cell reads is refused.
    case weightDecay = "weight-decay"
    case beta1, beta2
    case nsSteps = "ns-steps"
    case adamEps = "adam-eps"
    case precondEps = "precond-eps"
    // The covariance's parameters (docs/model.md §1), both modes.
    /// Power-law exponent β (`--covariance power-law`).
    case beta
    /// The 1-based eigen-direction carrying θ* (power law, diagonal spectrum).
    case signalIndex = "signal-index"
    /// Strength λ_k of spike k of `--spikes` (several spikes).
    case spike1, spike2, spike3, spike4
    // Simulation-only knobs.
    case width
    case samples
    case seed
    /// Online batch size B (a fresh batch every step).
    case batch
    // Name axes: the optimizer (docs/model.md §6) and the covariance (§1).
    case method
    case polar
    /// Nesterov momentum on or off (words true, false).
    case nesterov
    /// The covariance kind: spiked, power-law, diagonal (each cell reads its own parameters
    /// from the base options: λ or --spikes, --beta and --signal-index, --spectrum).
    case covariance

    /// Whether the axis takes words (a method, a polar rule, true/false, a covariance) rather than numbers.
    public var isName: Bool { !names.isEmpty }

    /// The words a name axis takes (empty for a numeric one). `custom` is left out of polar:
    /// its coefficient file is one per sweep, so it is a base option (`--polar custom`); and
    /// out of covariance: custom groups are theory-only and not swept.
    public var names: [String] {
        switch self {
        case .method: return Method.allCases.map(\.rawValue)
        case .polar: return PolarMethod.allCases.filter { $0 != .custom }.map(\.rawValue)
        case .nesterov: return ["true", "false"]
        case .covariance: return CovarianceKind.allCases.filter { $0 != .custom }.map(\.rawValue)
        default: return []
        }
    }

    /// Integer parameters: grid values are rounded to the nearest integer (a log grid of
    /// dimensions is still a grid of dimensions).
    var isInteger: Bool {
        switch self {
        case .dim, .steps, .width, .samples, .seed, .batch, .signalIndex, .nsSteps: return true
        case .lambda, .lr, .alpha, .escapeThreshold, .momentum, .method, .polar, .nesterov, .covariance, .beta, .spike1, .spike2, .spike3, .spike4,
             .weightDecay, .beta1, .beta2, .adamEps, .precondEps: return false
        }
    }

    /// Whether the parameter means anything in `mode` (the theory map has no width,
    /// sample count or seed).
    func applies(to mode: SweepMode) -> Bool {
        switch self {
        case .width, .samples, .seed, .batch: return mode == .simulate
        default: return true
        }
    }

    /// k for the axis spikeK.
    var spikeNumber: Int? {
        switch self {
        case .spike1: 1
        case .spike2: 2
        case .spike3: 3
        case .spike4: 4
        default: nil
        }
    }

    public static func named(_ name: String, mode: SweepMode) throws -> SweepParameter {
        let allowed = allCases.filter { $0.applies(to: mode) }
        guard let parameter = SweepParameter(rawValue: name), parameter.applies(to: mode) else {
            throw InputError("unknown grid axis '\(name)' for \(InputError.field("mode")) \(mode.rawValue); axes: \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        return parameter
    }

    /// Checks one value against the option's domain, with the same messages as the options.
    func validate(_ value: Double) throws {
        switch self {
        case .lambda: try Validate.spike(value, "lambda")
        case .spike1, .spike2, .spike3, .spike4: try Validate.spike(value, "spike λ")
        case .beta: try Validate.nonNegative(value, "beta")
        case .signalIndex: try Validate.atLeast(Int(value), 1, "signal-index")
        case .lr: try Validate.positive(value, "lr")
        case .alpha: try Validate.finite(value, "alpha")
        case .escapeThreshold: try Validate.positive(value, "escape-threshold")
        case .dim: try Validate.atLeast(Int(value), 3, "dim")
        case .steps: try Validate.atLeast(Int(value), 0, "steps")
        case .width, .samples, .batch: try Validate.atLeast(Int(value), 1, rawValue)
        case .momentum, .beta1, .beta2:
            guard value >= 0 && value < 1 else { throw InputError("\(rawValue) must be in [0, 1) (got \(value))") }
        case .weightDecay: try Validate.nonNegative(value, rawValue)
        case .nsSteps: try Validate.atLeast(Int(value), 1, rawValue)
        case .adamEps, .precondEps: try Validate.positive(value, rawValue)
        case .method, .polar, .nesterov, .covariance: break  // words, checked by `GridAxis.parse`
        case .seed:
            guard value >= 0, value < 9_007_199_254_740_992 else {
                throw InputError("seed must be an integer in [0, 2^53) (got \(value))")
            }
        }
    }
}
