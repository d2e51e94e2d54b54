import ArgumentParser
import Experiments
import Model

/// Where a command's defaults of the experiment fields come from: one type per command family,
/// so `--dim` is declared once (`ExperimentOptions`) and `--help` still prints each command's own
/// default. The shared defaults are the library's `Experiment()`.
protocol ExperimentDefaults {
    static var dimension: Int { get }
    static var alpha: Double { get }
    static var learningRate: Double { get }
    static var escapeThreshold: Double { get }
}

extension ExperimentDefaults {
    static var dimension: Int { Experiment().dimension }
    static var alpha: Double { Experiment().alpha }
    static var learningRate: Double { Experiment().learningRate }
    static var escapeThreshold: Double { Experiment().escapeThreshold }
}

/// theory, simulate, compare, sweep: the library's defaults (d = 1000).
enum StandardExperimentDefaults: ExperimentDefaults {}

/// check-escape: the library request's defaults (d = 32: every run records every step and the
/// simulations are dense d×d).
enum CheckEscapeExperimentDefaults: ExperimentDefaults {
    static var dimension: Int { CheckEscapeRequest().experiment.dimension }
    static var alpha: Double { CheckEscapeRequest().experiment.alpha }
    static var learningRate: Double { CheckEscapeRequest().experiment.learningRate }
    static var escapeThreshold: Double { CheckEscapeRequest().experiment.escapeThreshold }
}

/// The experiment's numeric fields every command reads (`--dim --alpha --lr --escape-threshold`),
/// one declaration for theory, simulate, compare, sweep (through `ModelOptions`) and check-escape.
/// The library checks the values (`Experiment.validate`), each command through its configuration.
struct ExperimentOptions<Defaults: ExperimentDefaults>: ParsableArguments {
    @Option(name: .customLong("dim"), parsing: .unconditional, help: "Input dimension d (≥ 2; the theory's spiked model needs ≥ 3: signal, spike and a bulk).")
    var dimension: Int = Defaults.dimension

    @Option(parsing: .unconditional, help: "Initial scale α: W₀ = αI (theory, identity init) or columns of norm ≈ α (random inits).")
    var alpha: Double = Defaults.alpha

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate: η̃ for gd, η (the per-step move of every singular direction) for specgd.")
    var learningRate: Double = Defaults.learningRate

    @Option(name: .customLong("escape-threshold"), parsing: .unconditional, help: "Escape step = first step with a ≥ this value.")
    var escapeThreshold: Double = Defaults.escapeThreshold

    /// Writes these fields into `experiment` (the others are the command's).
    func apply(to experiment: inout Experiment) {
        experiment.dimension = dimension
        experiment.alpha = alpha
        experiment.learningRate = learningRate
        experiment.escapeThreshold = escapeThreshold
    }
}
