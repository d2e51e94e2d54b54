import ArgumentParser
import Comparison
import Experiments
import Foundation
import Plot
import Model
import Simulation
import SpecgdSupport
import Theory

/// `specgd check-escape`: the escape-stage predictions of docs/model.md §5, checked on the
/// exact map and on dense simulations, PASS/FAIL with the numbers.
struct CheckEscapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-escape",
        abstract: "Check the escape-stage predictions of docs/model.md §5 on the theory map and dense simulations.",
        discussion: """
        For every λ and both methods, runs the exact summary map (W₀ = αI) and dense simulations (random init, \
        several seeds, small d), records every step, and checks:
          GD     amplification    (b/a)_k/(b/a)_0 over the linear window (a ≤ 0.1, |b| ≤ 0.1·b*₀) vs ρ(λ,η̃,q̄)^k
          GD     ratio_at_escape  b/a at the first a ≥ a_esc vs √((1 − a_esc² − q)/(3(1+λ)))/a_esc (λ > λ_c only)
          GD     escape_step      simulation vs theory map
          SpecGD amplification ≤  max over the window of (b/a)/(b/a)_0 vs the bound max(1, (a/b)_0) (no growth:
                                 a and b both move by η per step, so b/a only relaxes towards 1)
          SpecGD escape_step      vs ⌈(a_esc − a₀)/η⌉ (a moves by η per step)
        q̄ is the mean bulk mass over the window; λ_c = 2/(1 − q₀) is where ρ = 1.
        --methods adds the optimizer family (docs/model.md §6), checked on the exact map only:
          signgd trajectory_vs_specgd ==  every coefficient at every step equals exact SpecGD's (then SpecGD's rows)
          ns3, ns5, polar-express, muon (NS5, K = 5, Nesterov β = 0.95):
                 first_step       a₁ − a₀ vs η·φ_K(x_a(0)), x_a = |U_a|/(‖U‖_F + ε) from the closed-form gradient
                 escape_step ≥ ≤  within ⌈(a_esc − a₀)/(η·max φ_K)⌉ … ⌈(a_esc − a₀)/(η·min φ_K)⌉, φ_K over [x_a(0), 1]
          adam   first_step       a₁ − a₀ vs η·|G_a|/(|G_a| + ε) (no escape prediction)
        Every row is printed with prediction, measurement, relative error and tolerance; a failing prediction \
        is reported, never hidden. A prediction the run cannot test is "not checkable", with the reason: an \
        empty linear window (b₀ already above 0.1·b*₀, or a₀ > 0.1), no escape (nothing "at escape" to \
        compare), no predicted escape, or no escape within a budget shorter than the tolerance allows. \
        Not checkable is neither held nor failed. A run that diverges gives its rows with status DIVERGED \
        ("diverged at step K: …", measured on the rows up to there) and the other runs go on. Exit status: 1 \
        when any prediction FAILED or any row diverged (the summary line then ends "N rows diverged"), else \
        0 — also when some were not checkable (the summary line then says "N not checkable"; --steps or \
        --alpha can make them checkable). SIGINT/SIGTERM stop the current run and write the rows of the runs \
        finished before it (exit 130/143).
        --lr sets both learning rates; --gd-lr (η̃) and --specgd-lr (η) set one each (they are different scales). \
        --dim defaults to 32, not theory's 1000: every run records every step and the simulations are dense d×d.
        Other covariances (theory's options): with --spikes λ₁,λ₂,… --lambdas varies the leading spike; GD's \
        amplification is checked against ρ(λ₁) when λ₁ is the largest spike, ratio_at_escape is not checkable, \
        SpecGD's rows hold. A power law or a spectrum (--covariance power-law|diagonal) has no closed form here: \
        its prediction rows are not checkable, the simulations' escape steps are still checked against the map, \
        --lambdas is refused and no amplification figure is written (docs/compare.md "Other covariances").
        Per-seed theory (with dense runs, GD and SpecGD): next to the map from αI, the map from every seed's own \
        projected W₀ against that seed (escape step, b/a at escape, max |Δ| of a, b, c, b/a up to escape; αI in \
        brackets), and the spread over seeds predicted from the law of W₀ (--law-draws draws, default 400: \
        q10/q50/q90 of the escape step, b/a at escape, peak amplification) against the seeds, with compare's \
        spread checks; a failed median check prints its false-alarm probability at that many seeds, and below \
        5 seeds (the default 3) it is not made (use --seeds 16 for a verdict). Reported, not counted in the exit status (docs/compare.md "Per-seed theory in check-escape").

        Writes to DIR: escape-check.csv (lambda, is_specgd, is_simulation, quantity_code [0 amplification, \
        1 ratio_at_escape, 2 escape_step], predicted, measured, relative_error, tolerance, passed [1, 0, nan = \
        not checkable or diverged], window_steps, diverged_step [nan unless the row's run diverged]), escape-check.json (the rows with names, status, reason and window length, \
        the configuration, version, command), amplification.csv, \
        rho-curve.csv and amplification.svg (+ .recipe.json); with dense runs seeds.csv (lambda, is_specgd, then \
        compare's seeds-<method>.csv columns) and spread.csv (lambda, is_specgd, then compare's spread-<method>.csv \
        columns).
        Example: specgd check-escape --lambdas 1,2,4,8,16 --dim 32 --seeds 3 --output-dir out/check
        """)

    @Option(parsing: .unconditional, help: ArgumentHelp("Comma-separated spike strengths λ to check (default: \(CheckEscapeCommand.defaultLambdas.defaultValueDescription); with --spikes: the leading spike's, default its own; not with --covariance power-law or diagonal).", valueName: "λ,…"))
    var lambdas: CommaSeparated<Double>?
    static let defaultLambdas = CommaSeparated<Double>([1, 2, 4, 8, 16])

    /// --dim, --alpha, --lr (both methods' rate), --escape-threshold: theory's group, with
    /// check-escape's defaults (d = 32).
    @OptionGroup var fields: ExperimentOptions<CheckEscapeExperimentDefaults>
    var dimension: Int { fields.dimension }

    @Option(name: .customLong("gd-lr"), parsing: .unconditional, help: "GD's learning rate η̃ (default: --lr).")
    var gdLearningRate: Double?

    @Option(name: .customLong("specgd-lr"), parsing: .unconditional, help: "SpecGD's learning rate η (default: --lr).")
    var specgdLearningRate: Double?

    @Option(parsing: .unconditional, help: "Steps per run (default: enough to escape — 1.6× the linear-window estimate for GD, 1.2× ⌈(a_esc − α)/η⌉ for SpecGD).")
    var steps: Int?

    /// The dense runs' options, simulate's group: --init (default gaussian, not identity as in
    /// simulate: from αI a simulation only replays the theory map, and the check is that random
    /// starts follow the predictions), --seeds (default 3: the checks use the mean over random
    /// starts) and --seed. The predictions are the population model's with a square W and the
    /// eigen teacher, so --width, --teacher, --samples, --online and --batch are refused.
    @OptionGroup(title: "Simulation options (the dense runs; default --init gaussian, --seeds 3)")
    var dense: DenseOptions
    var initialization: Initialization { dense.initialization ?? Self.defaultInitialization }
    static let defaultInitialization = Initialization.gaussian
    var seeds: Int { dense.seeds ?? Self.defaultSeeds }
    static let defaultSeeds = 3
    var seed: UInt64 { dense.seed ?? 0 }

    @Option(help: ArgumentHelp("Methods to check, comma-separated: \(OptimizerPreset.all.map(\.name).joined(separator: ", ")) (default: gd,specgd; the others run on the map only).", valueName: "m,…"))
    var methods: String?

    @OptionGroup(title: "Covariance options (Σ of every run; --lambdas varies the leading spike)")
    var covariance: CovarianceOptions

    /// --law-draws, compare's group: per-seed theory's predicted spread (with dense runs).
    @OptionGroup(title: "Per-seed theory options (with dense runs)") var seedSpread: SeedSpreadOptions

    @OptionGroup var resources: ResourceOptions

    @OptionGroup var parallel: ParallelOptions

    @Flag(name: .customLong("no-simulation"), help: "Check the theory map only (no dense runs).")
    var noSimulation = false

    @Option(name: .customLong("tol-amplification"), parsing: .unconditional, help: "Relative tolerance of GD's amplification vs ρ^k.")
    var tolAmplification: Double = EscapeTolerances().amplification

    @Option(name: .customLong("tol-saturation"), parsing: .unconditional, help: "Relative tolerance of GD's b/a at escape vs the saturation formula.")
    var tolSaturation: Double = EscapeTolerances().saturation

    @Option(name: .customLong("tol-escape"), parsing: .unconditional, help: "Relative tolerance of escape steps.")
    var tolEscape: Double = EscapeTolerances().escapeStep

    @Option(name: .customLong("tol-no-growth"), parsing: .unconditional, help: "How far SpecGD's b/a may rise above its initial value (relative).")
    var tolNoGrowth: Double = EscapeTolerances().noGrowth

    @Option(name: .customLong("output-dir"), help: "Directory for the CSV, JSON and SVG outputs (created if needed).")
    var outputDirectory: String

    @OptionGroup(title: "Figure formats") var figureFormats: FigureFormatOptions

    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        // Before anything is read: an input file too large to read within the memory limit.
        try resources.checkInputs(covariance.inputFiles(nsCoefficients: nil))
        try lambdas?.check("--lambdas")
        _ = try figureFormats.formats()
        let lambdas = try lambdaList()
        if let methods { _ = try OptimizerPreset.list(methods, what: "check-escape method") }
        if let gdLearningRate { try Validate.positive(gdLearningRate, "gd-lr") }
        if let specgdLearningRate { try Validate.positive(specgdLearningRate, "specgd-lr") }
        if let steps { try Validate.atLeast(steps, 1, "steps") }
        for (v, name) in [(tolAmplification, "tol-amplification"), (tolSaturation, "tol-saturation"),
                          (tolEscape, "tol-escape"), (tolNoGrowth, "tol-no-growth")] {
            try Validate.positive(v, name)
        }
        if let name = dense.given(except: ["--init", "--seeds", "--seed"]).first {
            throw InputError("\(name) does not apply to check-escape: its predictions are the population model's with a square W and the eigen teacher")
        }
        if noSimulation, let name = dense.given().first {
            throw InputError("\(name) configures the simulations, which --no-simulation turns off")
        }
        if noSimulation, let name = seedSpread.given().first {
            throw InputError("\(name) configures per-seed theory's predicted spread over the dense runs' seeds, which --no-simulation turns off")
        }
        try OutputPath.checkDirectory(outputDirectory)
        // The runs go one at a time; each keeps every step. The library checks every value.
        try OptionNames.translating { try request().validate() }
        for method in Method.paperMethods {
            let theory = try theoryConfiguration(method, lambda: lambdas[0])
            try theory.validate()
            var estimate = theory.memoryEstimate
            if !noSimulation {
                let simulation = try simulationConfiguration(method, lambda: lambdas[0])
                try simulation.validate()
                estimate = estimate + simulation.memoryEstimate(jobs: try parallel.workers()) + seedSpread.settings.memoryEstimate
            }
            try resources.check(estimate, for: "check-escape (\(method.rawValue), \(try stepBudget(method)) steps)")
        }
    }

    /// The λ of each set of runs: --lambdas, else the default (with --spikes: the leading
    /// spike's own); one set with λ = NaN for a covariance without a spike strength.
    func lambdaList() throws -> [Double] {
        guard covariance.kind == .spiked else {
            if lambdas != nil { throw InputError("--lambdas applies to --covariance spiked only (got --covariance \(covariance.kind.rawValue))") }
            return [.nan]
        }
        let values = lambdas?.values ?? covariance.spikes.map { [$0.values[0]] } ?? Self.defaultLambdas.values
        for v in values { try Validate.spike(v, "--lambdas value") }
        return values
    }

    /// The library request these options describe (reads --spectrum).
    func request() throws -> CheckEscapeRequest {
        let lambdas = try lambdaList()
        var request = CheckEscapeRequest(lambdas: lambdas.filter { !$0.isNaN }, gdLearningRate: gdLearningRate,
                                         specgdLearningRate: specgdLearningRate, steps: steps,
                                         simulation: noSimulation ? nil : denseRuns, tolerances: tolerances)
        fields.apply(to: &request.experiment)
        if covariance.kind == .custom {
            throw InputError("--config (custom groups) is theory only: check-escape takes --covariance spiked, power-law and diagonal")
        }
        try covariance.apply(to: &request.experiment)
        request.methods = try methods.map { try OptimizerPreset.list($0, what: "check-escape method") }
        request.seedSpread = seedSpread.settings
        return request
    }

    var denseRuns: CheckEscapeRequest.DenseRuns { .init(initialization: initialization, seeds: seeds, seed: seed) }

    /// The theory map of one λ and method, recorded at every step.
    func theoryConfiguration(_ method: Method, lambda: Double) throws -> TheoryConfiguration {
        try request().theoryConfiguration(method, lambda: lambda)
    }

    /// The dense simulation of one λ and method (wall time not recorded).
    func simulationConfiguration(_ method: Method, lambda: Double) throws -> SimulationConfiguration {
        var request = try request()
        request.simulation = denseRuns
        guard let configuration = try request.simulationConfiguration(method, lambda: lambda) else { preconditionFailure("dense runs requested") }
        return configuration
    }

    var tolerances: EscapeTolerances {
        var t = EscapeTolerances()
        t.amplification = tolAmplification
        t.saturation = tolSaturation
        t.escapeStep = tolEscape
        t.noGrowth = tolNoGrowth
        return t
    }

    /// Steps for one method: the given --steps, else enough to pass the escape (the library's budget).
    func stepBudget(_ method: Method) throws -> Int {
        try request().stepBudget(method)
    }

    func run() throws {
        try Self.perform(try request(), directory: outputDirectory, jobs: try parallel.workers(), formats: try figureFormats.formats(), size: figureFormats.size ?? .screen)
    }

    /// Runs the check, writes its files into `directory` and prints the report; exit 1 when a
    /// prediction fails or a run diverged (its rows say so, the others are kept), 130/143 after
    /// SIGINT/SIGTERM with the rows of the runs finished before it (`check-escape` and `replay`).
    static func perform(_ request: CheckEscapeRequest, directory outputDirectory: String, jobs: Int,
                        replayOf: ReplaySource? = nil, formats: FigureFormats = .svgOnly, size: FigureSize = .screen) throws {
        func path(_ name: String) -> String { ExperimentOutput.path(name, in: outputDirectory) }
        let progress = Progress.forRun(label: "check-escape", total: request.lambdas.count * request.resolvedMethods.count, unit: "runs", rate: .fromStart)
        let watcher = SignalWatcher(notice: "specgd: NAME received; stopping the current run and writing the rows of the runs finished")
        var result = try CheckEscapeExperiment.run(request, jobs: jobs, cancellation: watcher.token, progress: progress)
        progress.finish()
        result.output.resize(size)
        try result.output.write(to: outputDirectory, command: CommandWords.arguments, replayOf: replayOf, formats: formats)

        let configuration = result.configuration, summary = result.summary
        let rates = "η̃ = \(configuration.gdLearningRate), η = \(configuration.specgdLearningRate), d = \(configuration.dimension)"
        if request.hasSpikeStrength {
            print("λ_c = \(String(format: "%.4g", summary.lambdaCritical)) (q₀ = \(String(format: "%.3g", summary.q0)), \(rates))")
        } else {
            print("covariance \(configuration.covariance.rawValue) (q₀ = \(String(format: "%.3g", summary.q0)), \(rates))")
        }
        print(EscapeCheck.report(result.rows))
        for line in describeSeeds(summary.seedTheory, directory: outputDirectory) { print(line) }
        if request.hasSpikeStrength {
            print("figure: " + (["amplification.svg"] + formats.extraFiles(forSVG: "amplification")).map(path).joined(separator: ", "))
        } else {
            print("figure: none (the amplification figure is against λ; --covariance \(configuration.covariance.rawValue) has no spike strength)")
        }
        print("table:  \(path(CheckEscapeExperiment.tableFile)) (names and numbers: \(path(CheckEscapeExperiment.recordFile)))")
        if result.outcome.status == .interrupted {
            FileHandle.standardError.write(Data("specgd: interrupted (\(result.outcome.detail ?? "signal")) at step \(result.outcome.lastStep) of a run; the rows of the \(summary.total) checks finished are in \(outputDirectory)\n".utf8))
            throw ExitCode(SignalWatcher.exitStatus(for: result.outcome.detail))
        }
        if summary.diverged > 0 {
            FileHandle.standardError.write(Data("check-escape: \(summary.diverged) row\(summary.diverged == 1 ? "" : "s") diverged (status diverged in \(path(CheckEscapeExperiment.recordFile)))\n".utf8))
        }
        if summary.failed > 0 || summary.diverged > 0 { throw ExitCode.failure }
    }

    func path(_ name: String) -> String { ExperimentOutput.path(name, in: outputDirectory) }

    /// Per-seed theory and the predicted spread, per λ and method with dense runs (the numbers are
    /// in seeds.csv and spread.csv): one line per seed, the three spread rows and the check
    /// (compare's wording, `SeedSpread.line`, `checkLine`); without dense runs one line saying so.
    static func describeSeeds(_ entries: [CheckEscapeSeeds]?, directory: String) -> [String] {
        guard let entries else { return ["per-seed theory: not run (--no-simulation: no seeds to set the map from their own starts against)"] }
        let f = SeedSpread.format
        func k(_ x: Int?) -> String { x.map(String.init) ?? "none" }
        func deltas(_ d: [String: Double]) -> String {
            SeedTheory.statistics.filter { d[$0] != nil }.map { "\($0) \(f(d[$0]))" }.joined(separator: ", ")
        }
        var lines: [String] = []
        if entries.contains(where: { $0.seeds != nil }) {
            lines.append("per-seed theory (the map from each seed's projected W₀ vs that seed's simulation; αI in brackets): "
                         + [CheckEscapeExperiment.seedsFile, CheckEscapeExperiment.spreadFile].map { ExperimentOutput.path($0, in: directory) }.joined(separator: ", "))
        }
        for e in entries {
            let label = (e.lambda.isNaN ? "" : "λ = \(Table.format(e.lambda)), ") + e.method
            guard let seeds = e.seeds else {
                lines.append("\(label): per-seed theory: not run (\(e.note ?? "no seeds"))")
                continue
            }
            if let note = e.note { lines.append("\(label): per-seed theory: \(note)") }
            for seed in seeds {
                lines.append("\(label) seed \(seed.seed): escape sim \(k(seed.escapeStepSimulation)), from its start \(SeedComparison.escape(seed.escapeStepTheory, relativeError: seed.escapeRelativeError)) [\(SeedComparison.escape(seed.escapeStepIdentity, relativeError: seed.escapeRelativeErrorIdentity))]; b/a at escape sim \(f(seed.ratioAtEscapeSimulation)), from its start \(f(seed.ratioAtEscapeTheory)) [\(f(seed.ratioAtEscapeIdentity))]; max |Δ| to escape \(deltas(seed.upToEscape)) [\(deltas(seed.upToEscapeIdentity))]")
            }
            if let spread = e.spread {
                for quantity in SeedSpread.Quantity.allCases { lines.append("\(label): " + spread.line(quantity)) }
                if let check = spread.checkLine { lines.append("\(label): " + check) }
            }
        }
        return lines
    }
}
