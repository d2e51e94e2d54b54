import ArgumentParser
import Comparison
import Experiments
import Foundation
import NumericKit
import Plot
import Model
import Simulation
import SpecgdSupport
import Theory

/// `specgd compare`: the exact summary map and dense simulations on one configuration,
/// side by side, with deviations and an overlay figure.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Theory (exact summary map) against dense simulation on one configuration.",
        discussion: """
        Runs `specgd theory` (the map from W₀ = αI) and `specgd simulate` with the same options, joins them on \
        the recorded steps and measures, per statistic (a, b, c, q, loss, alignment, spike_alignment, b_over_a), \
        the max and mean absolute deviation and the max and mean scaled deviation \
        |sim − theory| / max(|theory|, FLOOR), with the steps where they peak.

        Writes to DIR: compare-<method>.csv per method (columns step, <stat>_theory, <stat>_sim, <stat>_sim_q10, <stat>_sim_q90; \
        the quantiles are over seeds and repeat the mean for one seed), report.json (deviations, configurations, \
        version, command), overlay.svg and overlay.recipe.json (theory lines, simulation markers and seed band). \
        With --methods gd,specgd each method gets its compare-<method>.csv and the overlay shows both.

        Next to the map from αI it runs the map from every seed's own W₀ (drawn as the simulation draws it, \
        projected on the groups; docs/model.md §3): seeds-<method>.csv compares each seed with the theory from \
        its start and from αI (escape step, b/a at escape, max |Δ| up to escape and after), the compare table \
        adds <stat>_seed_theory (mean, q10, q90) and the overlay draws them as a dashed band; spread-<method>.csv \
        sets the spread over seeds predicted from the law of W₀ (--law-draws draws through the map) against the \
        measured seeds (median inside the predicted q10–q90, width within its bootstrap sampling error).

        With --tolerance TOL the run passes when every scaled deviation is ≤ TOL; otherwise it exits with \
        status 1 (after writing everything). Use a small --dim: the simulation is dense (d×d).
        Example: specgd compare --methods gd,specgd --lambda 8 --dim 100 --steps 3000 --every 21 --output-dir out/compare
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup(title: "Optimizer options (both sides)") var optimizer: OptimizerOptions
    @OptionGroup var covariance: CovarianceOptions
    @OptionGroup(title: "Simulation options") var simulation: DenseOptions
    @OptionGroup var parallel: ParallelOptions
    @OptionGroup var resources: ResourceOptions

    @Option(name: .customLong("output-dir"), help: "Directory for compare-<method>.csv, report.json and overlay.svg (created if needed).")
    var outputDirectory: String

    @Option(parsing: .unconditional, help: "Pass/fail threshold on the scaled deviation |sim − theory| / max(|theory|, floor) (default: report only).")
    var tolerance: Double?

    @Option(name: .customLong("tolerance-floor"), parsing: .unconditional, help: "Floor of the denominator of the scaled deviation: below it, deviations are judged on the absolute scale TOL·FLOOR.")
    var toleranceFloor: Double = 1e-6

    @Option(help: ArgumentHelp("Comma-separated methods to compare (default: --method).", valueName: "methods"))
    var methods: CommaSeparated<Method>?

    @Option(name: .customLong("theory-lambda"), parsing: .unconditional, help: "Override λ (with --spikes the leading spike's) for the theory side only (a deliberately wrong theory, to see a comparison fail); --covariance spiked only.")
    var theoryLambda: Double?

    /// --law-draws (spread-<method>.csv), check-escape's group too.
    @OptionGroup(title: "Per-seed theory options") var seedSpread: SeedSpreadOptions

    @OptionGroup(title: "Figure formats") var figureFormats: FigureFormatOptions

    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        // Before anything is read: an input file too large to read within the memory limit.
        try resources.checkInputs(covariance.inputFiles(nsCoefficients: optimizer.nsCoefficients))
        if covariance.kind == .custom {
            throw InputError("--config (custom groups) is theory only: compare takes --covariance spiked, power-law and diagonal")
        }
        try methods?.check("--methods")
        _ = try figureFormats.formats()
        if let tolerance { try Validate.positive(tolerance, "tolerance") }
        try Validate.positive(toleranceFloor, "tolerance-floor")
        if let theoryLambda {
            try Validate.spike(theoryLambda, "theory-lambda")
            try covariance.kind.refuseUnread("--theory-lambda", given: true, readBy: [.spiked])
        }
        try OutputPath.checkDirectory(outputDirectory)
        // Methods run one after the other: the largest theory + simulation pair must fit.
        for method in try methodList() {
            let theory = try theoryConfiguration(method)
            try theory.validate()
            try resources.check(theory.memoryEstimate + (try simulationConfiguration(method)).memoryEstimate(jobs: try parallel.workers())
                                + seedSpread.settings.memoryEstimate, for: "compare")
        }
    }

    /// The theory side for one method (--theory-lambda overrides λ).
    func theoryConfiguration(_ method: Method) throws -> TheoryConfiguration {
        var theoryConfig = try theoryBase()
        theoryConfig.optimizer = try optimizerOf(method)
        if let theoryLambda { theoryConfig.experiment = theoryConfig.experiment.withLeadingSpike(theoryLambda) }
        return theoryConfig
    }

    /// The optimizer options for `method`: with several methods each gets the options it reads
    /// (`Optimizer.restricted(to:)`), and an option none of them reads is refused.
    func optimizerOf(_ method: Method) throws -> Optimizer {
        try allOptions().restricted(to: method)
    }

    /// Every optimizer option given, as the optimizer of the first listed method that reads
    /// them all (the request's base; `CompareExperiment` restricts it per method).
    func allOptions() throws -> Optimizer {
        var firstError: (any Error)?
        for candidate in try methodList() {
            do { return try optimizer.optimizer(candidate) } catch { firstError = firstError ?? error }
        }
        throw firstError!
    }

    /// The simulation side for one method (wall time not recorded, so reruns are byte-identical).
    func simulationConfiguration(_ method: Method) throws -> SimulationConfiguration {
        var experiment = model.experiment
        experiment.optimizer = try optimizerOf(method)
        try covariance.apply(to: &experiment)
        var c = try simulation.configuration(experiment)
        c.recordWallTime = false
        return c
    }

    /// The theory side's model and covariance (reads --spectrum).
    func theoryBase() throws -> TheoryConfiguration {
        var c = model.theoryConfiguration
        try covariance.apply(to: &c)
        return c
    }

    func methodList() throws -> [Method] {
        guard let methods else { return [model.method] }
        let list = methods.values
        guard Set(list).count == list.count else { throw InputError("--methods must list distinct methods (got '\(methods.defaultValueDescription)')") }
        return list
    }

    /// The library request these options describe.
    func request() throws -> CompareRequest {
        // The bases carry every option; `CompareExperiment` gives each method what it reads.
        var theory = try theoryBase()
        theory.optimizer = try allOptions()
        var simulation = try simulationConfiguration(model.method)
        simulation.optimizer = theory.optimizer
        return CompareRequest(methods: try methodList(), theory: theory, simulation: simulation,
                       theoryLambda: theoryLambda, tolerance: tolerance, toleranceFloor: toleranceFloor,
                       seedSpread: seedSpread.settings)
    }

    func run() throws {
        let request = try request()
        if model.dimension > 256 {
            FileHandle.standardError.write(Data("compare: note: the simulation is dense (d×d matrices); d = \(model.dimension) is slow — --dim 64 shows the same dynamics\n".utf8))
        }
        try Self.perform(request, directory: outputDirectory, jobs: try parallel.workers(), formats: try figureFormats.formats(), size: figureFormats.size ?? .screen)
    }

    /// Runs the comparison, writes its files into `directory` and prints the summary; exit 1
    /// above the tolerance (`compare` and `replay`).
    static func perform(_ request: CompareRequest, directory outputDirectory: String, jobs: Int,
                        replayOf: ReplaySource? = nil, formats: FigureFormats = .svgOnly, size: FigureSize = .screen) throws {
        func path(_ name: String) -> String { ExperimentOutput.path(name, in: outputDirectory) }
        // A run that stops early (signal, divergence) is compared on the steps both sides reached,
        // everything is written, and the remaining methods are not run.
        let watcher = SignalWatcher()
        var result = try CompareExperiment.run(request, jobs: jobs, cancellation: watcher.token) { label, total in
            SpecgdSupport.Progress.forRun(label: label, total: total)
        }
        result.output.resize(size)
        try result.output.write(to: outputDirectory, command: CommandWords.arguments, replayOf: replayOf, formats: formats)
        watcher.rowsWritten()
        for (report, comparison) in zip(result.summary.methods, result.comparisons) {
            // One spike keeps its λ as it always printed; another covariance in words.
            let model = report.theory.covariance == .spiked && report.theory.spikes == nil ? "λ = \(report.theory.lambda)"
                : report.theory.experiment.covarianceWords.map(\.text).joined(separator: ", ")
            print("\(report.method): theory (map, \(model)) vs simulation (\(report.simulation.initialization.rawValue) init, \(report.simulation.seeds) seed(s))")
            if report.theoryStatus.status != .completed || report.simulationStatus.status != .completed { print("status: \(result.outcome.status.rawValue) at step \(result.outcome.lastStep); compared on the steps both sides reached") }
            print(TrajectoryComparison.summary(comparison))
            for line in describeSeeds(report) { print(line) }
        }
        let figure = CompareExperiment.figureName
        print("figure: " + (["\(figure).svg"] + formats.extraFiles(forSVG: figure)).map(path).joined(separator: ", "))
        print("report: \(path(CompareExperiment.recordFile))")
        try RunEnding.finish(result.outcome, divergence: result.divergence, outputs: outputDirectory)
        if result.passed == false {
            FileHandle.standardError.write(Data("compare: deviation above tolerance \(request.tolerance ?? 0) (see \(path(CompareExperiment.recordFile)))\n".utf8))
            throw ExitCode.failure
        }
    }

    func path(_ name: String) -> String { ExperimentOutput.path(name, in: outputDirectory) }

    /// Per-seed theory and the predicted spread, a few lines (the numbers are in seeds-/spread-<method>.csv).
    static func describeSeeds(_ report: CompareMethodReport) -> [String] {
        let f = SeedSpread.format
        func k(_ x: Int?) -> String { x.map(String.init) ?? "none" }
        var lines: [String] = []
        if let note = report.seedTheoryNote { lines.append("per-seed theory: not run (\(note))") }
        let seeds = report.seeds ?? []
        // No run escaped within the steps: one line, not a row of "none" per seed.
        if !seeds.isEmpty, seeds.allSatisfy({ $0.escapeStepSimulation == nil && $0.escapeStepTheory == nil }) {
            lines.append("per-seed theory: no seed escaped within the steps, from its start or in the simulation (max |Δ| per seed in seeds-\(report.method).csv)")
            if let check = report.spread?.checkLine { lines.append(check) }
            return lines
        }
        for seed in seeds {
            lines.append("seed \(seed.seed): escape sim \(k(seed.escapeStepSimulation)), theory from its start \(SeedComparison.escape(seed.escapeStepTheory, relativeError: seed.escapeRelativeError)), from αI \(SeedComparison.escape(seed.escapeStepIdentity, relativeError: seed.escapeRelativeErrorIdentity)); max |Δa| to escape \(f(seed.upToEscape["a"])) (αI \(f(seed.upToEscapeIdentity["a"])))")
        }
        if let spread = report.spread {
            lines.append(spread.line(.escapeStep))
            if let check = spread.checkLine { lines.append(check) }
        }
        return lines
    }
}
