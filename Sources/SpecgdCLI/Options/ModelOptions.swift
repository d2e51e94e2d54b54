import ArgumentParser
import Theory
import SpecgdSupport

/// The options that define one experiment, shared by `theory`, `simulate`, `compare` and
/// `sweep` so the same words mean the same thing everywhere.
struct ModelOptions: ParsableArguments {
    @Option(help: "Optimiser.")
    var method: Method = .gd

    @Option(name: .customLong("lambda"), parsing: .unconditional, help: "Spike strength λ of Σ = I + λvvᵀ (must be > −1; λ > 0 is anisotropic).")
    var lambda: Double = 8

    @Option(name: .customLong("dim"), parsing: .unconditional, help: "Input dimension d (≥ 3).")
    var dimension: Int = 1000

    @Option(parsing: .unconditional, help: "Initial scale α: W₀ = αI (theory, identity init) or columns of norm ≈ α (random inits).")
    var alpha: Double = 1e-3

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate: η̃ for gd, η (the per-step move of every singular direction) for specgd.")
    var learningRate: Double = 1e-3

    // `.unconditional` so that negative values (`--lambda -0.5`) parse as values, not flags.
    @Option(parsing: .unconditional, help: "Number of discrete steps K.")
    var steps: Int = 10000

    @Option(parsing: .unconditional, help: "Record every E steps (step 0 and the last step are always recorded).")
    var every: Int = 10

    @Option(name: .customLong("escape-threshold"), parsing: .unconditional, help: "Escape step = first step with a ≥ this value.")
    var escapeThreshold: Double = 0.5

    /// The library's checks, so the CLI and the API reject the same inputs with the same words.
    func validate() throws {
        try theoryConfiguration.validate()
    }
}

/// Which covariance Σ: shared by the commands that run the grouped theory.
struct CovarianceOptions: ParsableArguments {
    @Option(help: "Covariance Σ.")
    var covariance: CovarianceKind = .spiked

    @Option(help: "File with the d eigenvalues σ_1…σ_d of Σ (whitespace/comma separated) for --covariance diagonal; θ* on --signal-index.")
    var spectrum: String?

    @Option(parsing: .unconditional, help: "Power-law exponent β ≥ 0 (σ_i = i^(−β)/mean_j j^(−β)); --covariance power-law only (default 1).")
    var beta: Double?

    @Option(name: .customLong("signal-index"), parsing: .unconditional, help: "Power law: 1-based eigen-direction carrying θ* (1 = largest eigenvalue); --covariance power-law only (default 1).")
    var signalIndex: Int?

    func validate() throws {
        let shown = config != nil ? CovarianceKind.custom : covariance
        try covariance.refuseUnread("--beta", given: beta != nil, readBy: [.powerLaw], shown: shown)
        try covariance.refuseUnread("--signal-index", given: signalIndex != nil, readBy: [.powerLaw, .diagonal], shown: shown)
    }

    @Option(help: "JSON file of custom groups: {\"groups\":[{\"name\":\"a\",\"eigenvalue\":1,\"multiplicity\":1,\"target\":1}, …]} (implies --covariance custom).")
    var config: String?

    /// Fills the covariance part of a theory configuration (reads --config).
    func apply(to configuration: inout TheoryConfiguration) throws {
        if let beta { configuration.beta = beta }
        if let signalIndex { configuration.signalIndex = signalIndex }
        configuration.covariance = covariance
        configuration.spectrum = try spectrum.map(DiagonalSpectrum.read(file:))
        if let config {
            configuration.covariance = .custom
            configuration.configPath = config
            configuration.groups = try GroupedModel.load(configFile: config).groups
        } else if covariance == .custom {
            throw InputError("--covariance custom needs --config FILE.json")
        }
    }
}

extension ModelOptions {
    /// The model part of a theory configuration.
    var theoryConfiguration: TheoryConfiguration {
        TheoryConfiguration(method: method, lambda: lambda, dimension: dimension, alpha: alpha,
                            learningRate: learningRate, steps: steps, every: every, escapeThreshold: escapeThreshold)
    }
}
