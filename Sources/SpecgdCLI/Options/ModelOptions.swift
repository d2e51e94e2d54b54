import ArgumentParser
import Model
import Theory
import SpecgdSupport

/// The options that define one experiment, shared by `theory`, `simulate`, `compare` and
/// `sweep` so the same words mean the same thing everywhere.
struct ModelOptions: ParsableArguments {
    @Option(help: "Optimiser.")
    var method: Method = .gd

    @Option(name: .customLong("lambda"), parsing: .unconditional, help: "Spike strength λ of Σ = I + λvvᵀ (must be > −1; λ > 0 is anisotropic).")
    var lambda: Double = 8

    /// --dim, --alpha, --lr, --escape-threshold: the group check-escape reads too.
    @OptionGroup var fields: ExperimentOptions<StandardExperimentDefaults>
    var dimension: Int { fields.dimension }
    var alpha: Double { fields.alpha }
    var learningRate: Double { fields.learningRate }
    var escapeThreshold: Double { fields.escapeThreshold }

    // `.unconditional` so that negative values (`--lambda -0.5`) parse as values, not flags.
    @Option(parsing: .unconditional, help: "Number of discrete steps K.")
    var steps: Int = 10000

    @Option(parsing: .unconditional, help: "Record every E steps (step 0 and the last step are always recorded).")
    var every: Int = 10

    /// The library's one check of these fields (`Experiment.validate`), so every command and the
    /// API reject the same values with the same words; each command then checks its backend's
    /// own limits through its configuration.
    func validate() throws {
        try OptionNames.translating { try experiment.validate() }
    }
}

/// Which covariance Σ, one set of options for `theory` and `simulate` (docs/model.md §1): each
/// backend refuses, in one line, what it cannot run (dense runs take no custom groups; the
/// large-d map takes one spike).
struct CovarianceOptions: ParsableArguments {
    @Option(help: "Covariance Σ.")
    var covariance: CovarianceKind = .spiked

    @Option(parsing: .unconditional, help: ArgumentHelp("Comma-separated spike strengths λ₁,λ₂,… on coordinates 2,3,… (default: --lambda).", valueName: "λ,…"))
    var spikes: CommaSeparated<Double>?

    @Option(help: "File with the d eigenvalues σ_1…σ_d of Σ (whitespace/comma separated) for --covariance diagonal; θ* on --signal-index.")
    var spectrum: String?

    @Option(parsing: .unconditional, help: "Power-law exponent β ≥ 0 (σ_i = i^(−β)/mean_j j^(−β)); --covariance power-law only (default 1).")
    var beta: Double?

    @Option(name: .customLong("signal-index"), parsing: .unconditional, help: "1-based eigen-direction carrying θ* (1 = the largest eigenvalue of a power law); --covariance power-law or diagonal only (default 1).")
    var signalIndex: Int?

    @Option(help: "JSON file of custom groups: {\"groups\":[{\"name\":\"a\",\"eigenvalue\":1,\"multiplicity\":1,\"target\":1}, …]} (implies --covariance custom; theory only).")
    var config: String?

    /// The files these options (and --ns-coefficients) read, for the output checks: an output
    /// may not be one of them.
    func inputFiles(nsCoefficients: String?) -> [(what: String, path: String)] {
        [("--spectrum", spectrum), ("--config", config), ("--ns-coefficients", nsCoefficients)]
            .compactMap { option, path in path.map { ("the \(option) file", $0) } }
    }

    /// The covariance named in messages: --config implies custom.
    var kind: CovarianceKind { config != nil ? .custom : covariance }

    func validate() throws {
        try spikes?.check("--spikes")
        try kind.refuseUnread("--spikes", given: spikes != nil, readBy: [.spiked])
        try kind.refuseUnread("--beta", given: beta != nil, readBy: [.powerLaw])
        try kind.refuseUnread("--signal-index", given: signalIndex != nil, readBy: [.powerLaw, .diagonal])
        try kind.refuseUnread("--spectrum", given: spectrum != nil, readBy: [.diagonal])
    }

    /// Fills the covariance fields of an experiment (reads --spectrum).
    func apply(to experiment: inout Experiment) throws {
        experiment.covariance = kind
        experiment.spikes = spikes?.values
        if let beta { experiment.beta = beta }
        if let signalIndex { experiment.signalIndex = signalIndex }
        experiment.spectrum = try spectrum.map(DiagonalSpectrum.read(file:))
    }

    /// The covariance part of a theory configuration (reads --spectrum and --config).
    func apply(to configuration: inout TheoryConfiguration) throws {
        try apply(to: &configuration.experiment)
        if let config {
            configuration.configPath = config
            configuration.groups = try GroupedModel.load(configFile: config).groups
        } else if covariance == .custom {
            throw InputError("--covariance custom needs --config FILE.json")
        }
    }
}

extension ModelOptions {
    /// The experiment these options describe (the covariance is `CovarianceOptions`').
    var experiment: Experiment {
        Experiment(method: method, lambda: lambda, dimension: dimension, alpha: alpha,
                   learningRate: learningRate, steps: steps, every: every, escapeThreshold: escapeThreshold)
    }

    /// The model part of a theory configuration.
    var theoryConfiguration: TheoryConfiguration { TheoryConfiguration(experiment) }
}
