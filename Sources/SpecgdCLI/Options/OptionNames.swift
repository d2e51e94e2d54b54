import Model
import SpecgdSupport

/// The CLI's spelling of each configuration field. Library messages name fields
/// (`InputError.field("dimension")`); the CLI shows the flag a user typed (`--dim`), so the
/// same bad value reads the same in every command and in the library's own terms via the API.
enum OptionNames {
    /// Configuration field → flag. A field without a flag (explosionLimit) is shown by its name.
    static let flags: [String: String] = [
        "method": "--method", "lambda": "--lambda", "spikes": "--spikes", "dimension": "--dim",
        "alpha": "--alpha", "learningRate": "--lr", "steps": "--steps", "every": "--every",
        "escapeThreshold": "--escape-threshold", "covariance": "--covariance", "beta": "--beta",
        "signalIndex": "--signal-index", "spectrum": "--spectrum", "groups": "--config",
        "width": "--width", "initialization": "--init", "teacher": "--teacher", "samples": "--samples",
        "batch": "--batch", "polar": "--polar", "newtonSchulzSteps": "--ns-steps", "momentum": "--momentum",
        "nesterov": "--nesterov", "newtonSchulzEpsilon": "--ns-eps", "safetyFactor": "--ns-safety",
        "coefficients": "--ns-coefficients", "weightDecay": "--weight-decay", "learningRateScale": "--lr-scale",
        "beta1": "--beta1", "beta2": "--beta2", "adamEpsilon": "--adam-eps", "preconditionerEpsilon": "--precond-eps", "seeds": "--seeds", "seed": "--seed", "tEnd": "--t-end", "dt": "--dt",
        "absoluteTolerance": "--abs-tol", "relativeTolerance": "--rel-tol", "epsilon": "--epsilon",
        // Per-seed theory's predicted spread (compare, check-escape).
        "lawDraws": "--law-draws",
        // check-escape's two learning rates.
        "gdLearningRate": "--gd-lr", "specgdLearningRate": "--specgd-lr",
        // Sweeps and phase diagrams.
        "grid": "--grid", "shard": "--shard", "metrics": "--metric", "mode": "--mode", "resume": "--resume",
        "outputDirectory": "--output-dir", "x": "--x", "y": "--y", "at": "--at", "ratio": "--ratio", "split": "--split",
        "stat": "--stat",
        // Workers.
        "jobs": "--jobs",
    ]

    /// The message of `error` with flags for fields (other errors unchanged).
    static func translated(_ error: any Error) -> any Error {
        guard let input = error as? InputError, !input.fields.isEmpty else { return error }
        return InputError(input.rendered { flags[$0] })
    }

    /// Runs `body`, showing the fields of an InputError it throws as flags: for `validate()`,
    /// whose errors reach the user through the argument parser.
    static func translating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw translated(error) }
    }
}
