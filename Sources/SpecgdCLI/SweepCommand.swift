import ArgumentParser
import Foundation
import SpecgdSupport
import Sweep
import Simulation
import Theory

/// `specgd sweep`: a grid of model options → one line of metrics per cell in DIR/cells.csv.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of experiments in parallel into a resumable, shardable phase-diagram directory.",
        discussion: """
        Each --grid axis varies one numeric model option; the cells are the Cartesian product \
        (first axis slowest). Every finished cell is appended to DIR/cells.csv at once, so an \
        interrupted sweep continues with --resume. Split a big sweep over machines or SLURM \
        array tasks with --shard I/N and combine the shard directories with `specgd merge`.

        Grid specs: name=start:stop:count (linear, both ends included), \
        name=start:stop:count:log (geometric), name=v1,v2,… (explicit values). \
        Axes: lambda, lr, dim, alpha, steps, escape-threshold; with --mode simulate also \
        width, samples, seed. Integer axes are rounded to integers.

        Metrics: alignment_at_escape, final_alignment, escape_step (nan when a never \
        reaches the escape threshold within --steps), final_loss, amplification \
        ((b/a at escape)/(b/a at step 0)), peak_amplification (max over steps 0…escape of \
        |b/a|/|b/a|₀: ≫ 1 for GD above λ_c, exactly 1 below, ≈ 1 for SpecGD; nan without \
        escape; plot it with plot-phase --log-color), escape_ratio (GD escape step / SpecGD \
        escape step at the cell's lr: runs both methods; nan unless both escape), \
        final_signal, final_spike, final_bulk (|a|, |b|, c after --steps), max_spike (max of \
        |b| over every step).

        Derived options follow the axes: --derive 'alpha=1/dim' or --derive \
        'lr=0.1/sqrt(dim)' sets the option in each cell from its values (numbers, option \
        names, + - * / ^, sqrt, log, exp, parentheses; escape-threshold is escape_threshold); \
        cells.csv gets a column for each, after the axes.

        Outputs: DIR/sweep.json (full configuration, version), DIR/cells.csv (columns \
        cell, cell_id, one per axis, one per derived option, one per metric, seed, status ok|diverged, \
        diverged_step; sorted by cell once the sweep is complete). --every is ignored: \
        escape steps are measured at every step. Progress (cells, rate, ETA) goes to stderr \
        on a terminal. SLURM: scripts/slurm/submit runs the shards as a job array plus a \
        dependent merge job.

        Example: specgd sweep --grid 'lambda=0:16:65' --grid 'lr=1e-4:1e-1:40:log' \
        --metric alignment_at_escape,escape_step --steps 20000 --output-dir runs/phase
        """)

    @Option(name: .customLong("grid"), help: ArgumentHelp("A grid axis (repeat for more axes): name=start:stop:count[:log] or name=v1,v2,….", valueName: "spec"))
    var grids: [String] = []

    @Option(name: .customLong("derive"), help: ArgumentHelp("An option that follows the axes (repeatable): name=expression of numbers and option names with + - * / ^, sqrt, log, exp, parentheses (e.g. 'alpha=1/dim', 'lr=0.1/sqrt(dim)').", valueName: "name=expr"))
    var derives: [String] = []

    @Option(help: "How cells are evaluated.")
    var mode: SweepMode = .theory

    @Option(name: .customLong("metric"), help: ArgumentHelp("Metrics to record, comma-separated or repeated (default: \(SweepCommand.defaultMetrics.defaultValueDescription)).", valueName: "names"))
    var metrics: [CommaSeparated<Metric>] = []

    static let defaultMetrics = CommaSeparated<Metric>([.alignmentAtEscape, .escapeStep])

    @OptionGroup(title: "Model options (the values every cell starts from; a --grid axis overrides its option)")
    var model: ModelOptions

    @Option(parsing: .unconditional, help: "Master seed: cell k runs with a seed derived from (seed, k) — simulate mode; recorded in every mode.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Simulate mode: hidden width m (default m = d).")
    var width: Int?

    @Option(parsing: .unconditional, help: "Simulate mode: number of training samples n (default: population loss).")
    var samples: Int?

    @Option(name: .customLong("init"), help: "Simulate mode: initialisation W₀ (default: identity).")
    var initialization: Initialization?

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Sweep directory (must be new or empty unless --resume).", valueName: "dir"))
    var outputDirectory: String

    @Option(parsing: .unconditional, help: "Worker threads for the cells, one BLAS thread each (default: the number of cores). Results do not depend on it.")
    var jobs: Int?

    /// --jobs, else the number of cores.
    var workers: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(help: ArgumentHelp("Run only shard I of N (1-based): the cells with index mod N = I−1.", valueName: "I/N"))
    var shard: String?

    @OptionGroup var resources: ResourceOptions

    @Flag(help: "Continue the sweep recorded in --output-dir (refused if the options differ); a missing or empty directory starts fresh.")
    var resume = false

    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        guard !grids.isEmpty else { throw ValidationError("give at least one --grid axis, e.g. --grid 'lambda=0:16:65'") }
        if let jobs { try Validate.atLeast(jobs, 1, "jobs") }
        if let width { try Validate.atLeast(width, 1, "width") }
        if let samples { try Validate.atLeast(samples, 1, "samples") }
        try OutputPath.checkDirectory(outputDirectory)
    }

    func run() throws {
        try Self.perform(try makeConfiguration(), directory: outputDirectory, jobs: workers,
                         memoryLimit: resources.limit, resume: resume)
    }

    /// Runs the sweep into `directory` and prints the one summary line (`sweep` and `replay`).
    static func perform(_ configuration: SweepConfiguration, directory outputDirectory: String, jobs workers: Int,
                        memoryLimit: MemoryLimit, resume: Bool, replayOf: ReplaySource? = nil) throws {
        // Every cell (values and memory, the limit shared by the parallel workers) is checked
        // by the runner before the directory is touched.
        let evaluator = try configuration.mode.evaluator(memoryLimit: memoryLimit.shared(by: min(workers, configuration.cells.count)))
        var runner = SweepRunner(configuration: configuration, directory: outputDirectory, jobs: workers, resume: resume)
        runner.replayOf = replayOf
        let report = try runner.run(evaluator: evaluator)
        let scope = configuration.shard.map { "shard \($0) of " } ?? ""
        print("sweep: \(scope)\(configuration.grid.count) cells — \(report.cells) here, \(report.alreadyDone) already done, "
              + "\(report.evaluated) evaluated now, \(report.diverged) diverged → \(SweepRecord.cellsPath(outputDirectory))")
    }

    func makeConfiguration() throws -> SweepConfiguration {
        if mode == .theory {
            if width != nil { throw InputError("--width applies to --mode simulate only") }
            if samples != nil { throw InputError("--samples applies to --mode simulate only") }
            if initialization != nil { throw InputError("--init applies to --mode simulate only") }
        }
        let grid = try Grid.parse(grids, mode: mode)
        let metricList = try Metric.parseList((metrics.isEmpty ? [Self.defaultMetrics] : metrics).flatMap(\.values).map(\.rawValue))
        var base = ModelPoint(method: model.method, lambda: model.lambda, dim: model.dimension, alpha: model.alpha,
                              lr: model.learningRate, steps: model.steps, escapeThreshold: model.escapeThreshold,
                              width: width, samples: samples, initialization: initialization, seed: seed)
        // An option that is a grid axis does not matter: pin it so resume/merge ignore it.
        for axis in grid.axes { base.set(axis.parameter, axis.values[0]) }
        let derived = try derives.map { try DerivedParameter.parse($0, mode: mode) }
        // A derived option's own value does not matter either: each cell computes it.
        return try SweepConfiguration(mode: mode, metrics: metricList, grid: grid, base: base,
                                      shard: try shard.map(Shard.parse), derived: derived)
    }
}
