import SpecgdSupport

/// How a cell is evaluated: on the exact summary map (theory) or by dense training (simulate).
public enum SweepMode: String, Sendable, Codable, CaseIterable {
    case theory
    case simulate
}

/// A numeric model option that a sweep can vary along a grid axis. The raw value is the
/// command-line spelling (`--grid 'lr=…'` varies what `--lr` sets), so one word means one
/// thing across the toolkit.
public enum SweepParameter: String, Sendable, Codable, CaseIterable {
    case lambda
    case lr
    case dim
    case alpha
    case steps
    case escapeThreshold = "escape-threshold"
    // Simulation-only knobs.
    case width
    case samples
    case seed

    /// Integer parameters: grid values are rounded to the nearest integer (a log grid of
    /// dimensions is still a grid of dimensions).
    public var isInteger: Bool {
        switch self {
        case .dim, .steps, .width, .samples, .seed: return true
        case .lambda, .lr, .alpha, .escapeThreshold: return false
        }
    }

    /// Whether the parameter means anything in `mode` (the theory map has no width,
    /// sample count or seed).
    public func applies(to mode: SweepMode) -> Bool {
        switch self {
        case .width, .samples, .seed: return mode == .simulate
        default: return true
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
        case .lr: try Validate.positive(value, "lr")
        case .alpha: try Validate.finite(value, "alpha")
        case .escapeThreshold: try Validate.positive(value, "escape-threshold")
        case .dim: try Validate.atLeast(Int(value), 3, "dim")
        case .steps: try Validate.atLeast(Int(value), 0, "steps")
        case .width, .samples: try Validate.atLeast(Int(value), 1, rawValue)
        case .seed:
            guard value >= 0, value < 9_007_199_254_740_992 else {
                throw InputError("seed must be an integer in [0, 2^53) (got \(value))")
            }
        }
    }
}
