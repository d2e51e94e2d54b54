import ArgumentParser
import Comparison
import Foundation
import NumericKit
import Plot
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

        Writes to DIR: compare.csv (columns step, <stat>_theory, <stat>_sim, <stat>_sim_q10, <stat>_sim_q90; \
        the quantiles are over seeds and repeat the mean for one seed), report.json (deviations, configurations, \
        version, command), overlay.svg and overlay.recipe.json (theory lines, simulation markers and seed band). \
        With --methods gd,specgd each method gets compare-<method>.csv and the overlay shows both.

        With --tolerance TOL the run passes when every scaled deviation is ≤ TOL; otherwise it exits with \
        status 1 (after writing everything). Use a small --dim: the simulation is dense (d×d).
        Example: specgd compare --methods gd,specgd --lambda 8 --dim 100 --steps 3000 --every 20 --output-dir out/compare
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup(title: "Simulation options") var simulation: DenseRunOptions
    @OptionGroup var parallel: ParallelOptions
    @OptionGroup var resources: ResourceOptions

    @Option(name: .customLong("output-dir"), help: "Directory for compare.csv, report.json and overlay.svg (created if needed).")
    var outputDirectory: String

    @Option(parsing: .unconditional, help: "Pass/fail threshold on the scaled deviation |sim − theory| / max(|theory|, floor) (default: report only).")
    var tolerance: Double?

    @Option(name: .customLong("tolerance-floor"), parsing: .unconditional, help: "Floor of the denominator of the scaled deviation: below it, deviations are judged on the absolute scale TOL·FLOOR.")
    var toleranceFloor: Double = 1e-6

    @Option(help: ArgumentHelp("Comma-separated methods to compare (default: --method).", valueName: "methods"))
    var methods: CommaSeparated<Theory.Method>?

    @Option(name: .customLong("theory-lambda"), parsing: .unconditional, help: "Override λ for the theory side only (a deliberately wrong theory, to see a comparison fail).")
    var theoryLambda: Double?

    func validate() throws {
        if let tolerance { try Validate.positive(tolerance, "tolerance") }
        try Validate.positive(toleranceFloor, "tolerance-floor")
        if let theoryLambda { try Validate.spike(theoryLambda, "theory-lambda") }
        try OutputPath.checkDirectory(outputDirectory)
        // Methods run one after the other: the largest theory + simulation pair must fit.
        for method in try methodList() {
            let theory = theoryConfiguration(method)
            try theory.validate()
            try resources.check(theory.memoryEstimate + (try simulation.configuration(model: model, method: method)).memoryEstimate(jobs: try parallel.workers()),
                                for: "compare")
        }
    }

    /// The theory side for one method (--theory-lambda overrides λ).
    func theoryConfiguration(_ method: Method) -> TheoryConfiguration {
        var theoryConfig = model.theoryConfiguration
        theoryConfig.method = method
        if let theoryLambda { theoryConfig.lambda = theoryLambda }
        return theoryConfig
    }

    func methodList() throws -> [Method] {
        guard let methods else { return [model.method] }
        let list = methods.values
        guard Set(list).count == list.count else { throw InputError("--methods must list distinct methods (got '\(methods.defaultValueDescription)')") }
        return list
    }

    func run() throws {
        let methods = try methodList()
        if model.dimension > 256 {
            FileHandle.standardError.write(Data("compare: note: the simulation is dense (d×d matrices); d = \(model.dimension) is slow — --dim 64 shows the same dynamics\n".utf8))
        }
        let tolerance = try self.tolerance.map { try Tolerance(relative: $0, floor: toleranceFloor) }
        var reports = [CompareMethodReport]()
        var overlay = [OverlayRecipe.Method]()
        var tables = [String: Table]()
        try AtomicFile.createDirectory(outputDirectory)
        // A run that stops early (signal, divergence) is compared on the steps both sides reached,
        // everything is written, and the remaining methods are not run.
        let watcher = SignalWatcher()
        let jobs = try parallel.workers()
        var outcome = RunOutcome.completed(model.steps), divergence: DivergenceError?
        for method in methods where outcome.status == .completed {
            let theoryConfig = theoryConfiguration(method)
            let theory = try runTheoryKeepingRows(theoryConfig, cancellation: watcher.token)
            let simConfig = try simulation.configuration(model: model, method: method)
            var sim: SimulationResult?
            if theory.outcome.status != .interrupted {
                let progress = SpecgdSupport.Progress.forRun(label: "simulate \(method.rawValue)", total: simConfig.steps * simConfig.seeds)
                sim = try Simulator(simConfig).runKeepingRows(jobs: jobs, progress: progress, cancellation: watcher.token)
                progress.finish()
            }
            for stopped in [theory.outcome, sim?.outcome].compactMap({ $0 }) where stopped.status != .completed && outcome.status == .completed {
                outcome = stopped
                divergence = stopped.status == .diverged ? (theory.divergence ?? sim?.divergence) : nil
            }
            guard let sim else { break }
            let simTable = simConfig.seeds == 1 ? sim.perSeed[0] : sim.aggregate
            let result = try TrajectoryComparison.compare(
                theory: TrajectoryComparison.withSpikeRatio(theory.table),
                simulation: TrajectoryComparison.withSpikeRatio(simTable),
                statistics: TrajectoryComparison.defaultStatistics + ["b_over_a"], tolerance: tolerance)
            let csv = methods.count == 1 ? "compare.csv" : "compare-\(method.rawValue).csv"
            try result.table.writeCSV(to: path(csv))
            tables[csv] = result.table
            overlay.append(.init(label: method.displayName, csv: csv, table: result.table,
                                 color: method == .gd ? .blue : .vermillion))
            reports.append(CompareMethodReport(method: method.rawValue, csv: csv, commonSteps: result.commonSteps,
                                               passed: result.passed, deviations: result.deviations,
                                               theoryEscape: theory.summary.escape, theory: theoryConfig, simulation: simConfig,
                                               theoryStatus: theory.outcome, simulationStatus: sim.outcome))
            print("\(method.rawValue): theory (map, λ = \(theoryConfig.lambda)) vs simulation (\(simConfig.initialization.rawValue) init, \(simConfig.seeds) seed(s))")
            if outcome.status != .completed { print("status: \(outcome.status.rawValue) at step \(outcome.lastStep); compared on the steps both sides reached") }
            print(TrajectoryComparison.summary(result))
        }
        let title = "Theory vs simulation at λ = \(Table.format(model.lambda)), d = \(model.dimension)"
            + (theoryLambda.map { " (theory at λ = \(Table.format($0)))" } ?? "")
        try OverlayRecipe.recipe(methods: overlay, title: title).write(directory: outputDirectory, tables: tables)
        let passed: Bool? = tolerance == nil ? nil : reports.allSatisfy { $0.passed == true }
        let summary = CompareSummary(passed: passed, tolerance: tolerance, methods: reports)
        try RunRecord(kind: "compare", configuration: CompareConfiguration(methods: methods.map(\.rawValue), theoryLambda: theoryLambda,
                                                                         tolerance: self.tolerance, toleranceFloor: toleranceFloor),
                      summary: summary, outcome: outcome, command: Invocation.arguments).write(to: path("report.json"))
        print("figure: \(path("overlay.svg"))")
        print("report: \(path("report.json"))")
        try RunEnding.finish(outcome, divergence: divergence, outputs: outputDirectory)
        if passed == false {
            FileHandle.standardError.write(Data("compare: deviation above tolerance \(self.tolerance!) (see \(path("report.json")))\n".utf8))
            throw ExitCode.failure
        }
    }

    func path(_ name: String) -> String { (outputDirectory as NSString).appendingPathComponent(name) }
}

struct CompareConfiguration: Codable, Sendable {
    var methods: [String]
    var theoryLambda: Double?
    var tolerance: Double?
    var toleranceFloor: Double
}

struct CompareMethodReport: Codable, Sendable {
    var method: String
    var csv: String
    var commonSteps: Int
    var passed: Bool?
    var deviations: [StatisticDeviation]
    var theoryEscape: EscapeMetrics
    var theory: TheoryConfiguration
    var simulation: SimulationConfiguration
    /// How each side ended (completed | interrupted | diverged, with the step).
    var theoryStatus: RunOutcome
    var simulationStatus: RunOutcome
}

struct CompareSummary: Codable, Sendable {
    var passed: Bool?
    var tolerance: Tolerance?
    var methods: [CompareMethodReport]
}

/// The dense-simulation options of `compare` and `check-escape`: the subset of
/// `specgd simulate`'s options that makes sense next to a theory run (the covariance is the
/// spiked one of --lambda, the teacher θ* = e₁).
struct DenseRunOptions: ParsableArguments {
    @Option(name: .customLong("init"), help: "Simulation initialisation W₀ (identity is the theory's start).")
    var initialization: Initialization = .identity

    @Option(parsing: .unconditional, help: "Simulation: train on a fixed data set of N samples (default: exact population gradient).")
    var samples: Int?

    @Flag(help: "Simulation: train online, a fresh batch of samples at every step (batch size --batch, default 64).")
    var online = false

    @Option(parsing: .unconditional, help: "Simulation: fresh batches of B samples at every step (online SGD-style training; implies --online).")
    var batch: Int?

    @Option(help: "SpecGD polar factor in the simulation.")
    var polar: PolarMethod = .svd

    @Option(parsing: .unconditional, help: "Number of independent simulation repetitions S (the band in the figure spans their 10–90 % quantiles).")
    var seeds: Int = 1

    @Option(parsing: .unconditional, help: "Master seed of the simulation's random streams.")
    var seed: UInt64 = 0

    /// The simulation of `model` with these options (wall time not recorded, so reruns are byte-identical).
    func configuration(model: ModelOptions, method: Method) throws -> SimulationConfiguration {
        var c = SimulationConfiguration()
        c.method = method
        c.lambda = model.lambda
        c.dimension = model.dimension
        c.initialization = initialization
        c.alpha = model.alpha
        c.learningRate = model.learningRate
        c.steps = model.steps
        c.every = model.every
        c.training = try TrainingChoice.resolve(samples: samples, online: online, batch: batch)
        c.polar = polar
        c.seeds = seeds
        c.seed = seed
        c.recordWallTime = false
        try c.validate()
        return c
    }
}
