import ArgumentParser
import Foundation
import SpecgdSupport
import Sweep
import Model
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
        Axes: lambda, lr, dim, alpha, steps, escape-threshold; the optimizer's momentum, \
        weight-decay, beta1, beta2, ns-steps, adam-eps and precond-eps (a cell whose method does \
        not read one runs without it; an axis no cell reads is refused); the covariance's \
        beta and signal-index (--covariance power-law; signal-index also diagonal) and spike1 … \
        spike4 (the strengths of --spikes λ₁,λ₂,…); with --mode simulate \
        also width, samples, seed, batch (online batches). Integer axes are rounded to integers. \
        Name axes take words: method=gd,specgd,signgd,adam, polar=svd,ns3,ns5,polar-express,gram, \
        nesterov=true,false and covariance=spiked,power-law,diagonal (each cell reads its own \
        covariance's options: λ or --spikes, --beta and --signal-index of --covariance power-law, \
        --spectrum of --covariance diagonal; cells.csv and sweep.json hold the words). Each cell runs its method with the optimizer \
        options (--polar, --momentum, …) that method reads: on a method axis the polar rule and \
        its Newton–Schulz options apply to the specgd cells only, Adam's to the adam cells; an \
        option no cell reads is refused. Theory cells other than plain GD and exact SpecGD run \
        the exact optimizer map (docs/model.md §6).

        Metrics: alignment_at_escape, final_alignment, escape_step (nan when a never \
        reaches the escape threshold within --steps), final_loss, amplification \
        ((b/a at escape)/(b/a at step 0)), peak_amplification (max over steps 0…escape of \
        |b/a|/|b/a|₀: ≫ 1 for GD above λ_c, exactly 1 below, ≈ 1 for SpecGD; nan without \
        escape; plot it with plot-phase --log-color), escape_ratio (escape step of A / escape \
        step of B at the cell's options, --ratio A/B, default gd/specgd; A and B are methods or \
        polar rules, e.g. ns5/svd; nan unless both escape), \
        final_signal, final_spike, final_bulk (|a|, |b|, c after --steps), max_spike (max of \
        |b| over every step), predicted_escape_spread (q90 − q10 of the escape step over seeds, \
        predicted from the law of W₀ alone: --law-draws draws per cell, default 200, of the \
        projected start through the exact map; nan unless every draw escapes).

        Derived options follow the axes: --derive 'alpha=1/dim' or --derive \
        'lr=0.1/sqrt(dim)' sets the option in each cell from its values (numbers, option \
        names, + - * / ^, sqrt, log, exp, parentheses; escape-threshold is escape_threshold); \
        cells.csv gets a column for each, after the axes.

        Repetitions: with --mode simulate --seeds S (S > 1) each cell runs S seeds and every \
        metric gets the columns <metric>_mean, _q10, _q50, _q90 over them (nan when a seed has \
        no value, e.g. did not escape); plot-phase --stat picks one.

        Outputs: DIR/sweep.json (full configuration, version), DIR/cells.csv (columns \
        cell, cell_id, one per axis, one per derived option, one per metric, seed, status ok|diverged, \
        diverged_step; sorted by cell once the sweep is complete). --every is ignored: \
        escape steps are measured at every step. Progress (cells, rate, ETA; a long cell moves \
        it as it runs) goes to stderr: a bar on a terminal, else a plain line every 20 s after \
        the first 15 s; a sweep projected to run over 3 minutes prints its estimate once. \
        SIGINT/SIGTERM stop the cells being evaluated within a second, keep every finished cell \
        (sweep.json says interrupted; continue with --resume) and exit 130/143. SLURM: scripts/slurm/submit runs the shards as a job array plus a \
        dependent merge job.

        Example: specgd sweep --grid 'lambda=0:16:65' --grid 'lr=1e-4:1e-1:40:log' \
        --metric alignment_at_escape,escape_step --steps 20000 --output-dir runs/phase

        Power law: specgd sweep --covariance power-law --signal-index 5 --grid 'beta=0.5:2:7' \
        --grid 'lr=1e-4:1e-2:9:log' --dim 200 --steps 20000 --output-dir runs/power-law

        Muon against exact SpecGD: specgd sweep --method specgd --polar ns5 --momentum 0.95 \
        --nesterov --grid 'lambda=2,8' --grid 'lr=1e-3,1e-2' --metric escape_ratio --ratio \
        specgd/svd --output-dir runs/muon
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

    @OptionGroup(title: "Covariance options (every cell's Σ; --grid beta=…, signal-index=…, spike1=… vary its parameters)")
    var covariance: CovarianceOptions

    @OptionGroup(title: "Optimizer options (every cell's method reads those it takes)")
    var optimizerOptions: OptimizerOptions

    @Option(help: ArgumentHelp("What escape_ratio compares: escape step of A / escape step of B, each a method or a polar rule (default: gd/specgd).", valueName: "A/B"))
    var ratio: String?

    /// --law-draws: predicted_escape_spread's draws per cell, compare's and check-escape's option.
    @OptionGroup var seedSpread: SeedSpreadOptions

    /// simulate's dense-run options: --mode simulate reads them all; theory mode reads --seed
    /// (recorded) and not --seeds (a theory cell is one exact run), and refuses the others.
    @OptionGroup(title: "Simulation options (--mode simulate; --seed is recorded in every mode)")
    var dense: DenseOptions
    var seed: UInt64 { dense.seed ?? 0 }
    var seeds: Int { dense.seeds ?? 1 }

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Sweep directory (must be new or empty unless --resume).", valueName: "dir"))
    var outputDirectory: String

    @OptionGroup var parallel: ParallelOptions

    /// --jobs, else the number of cores.
    var workers: Int { (try? parallel.workers()) ?? 1 }

    @Option(help: ArgumentHelp("Run only shard I of N (1-based): the cells with index mod N = I−1.", valueName: "I/N"))
    var shard: String?

    @OptionGroup var resources: ResourceOptions

    @Flag(help: "Continue the sweep recorded in --output-dir (refused if the options differ); a missing or empty directory starts fresh.")
    var resume = false

    @Flag(help: "Check the options and every cell (all shards) as the sweep would, print the cells (CSV on stdout: cell, cell_id, the axes, the derived options and, with --shard, each cell's shard) and a summary line on stderr, and exit without computing or writing anything.")
    var dryRun = false

    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        // Before anything is read: an input file too large to read within the memory limit.
        try resources.checkInputs(covariance.inputFiles(nsCoefficients: optimizerOptions.nsCoefficients))
        for list in metrics { try list.check("--metric") }
        guard !grids.isEmpty else { throw ValidationError("give at least one --grid axis, e.g. --grid 'lambda=0:16:65'") }
        try OutputPath.checkDirectory(outputDirectory)
        for name in ["sweep.json", "cells.csv"] {
            let path = (outputDirectory as NSString).appendingPathComponent(name)
            try OutputPath.checkReplaceable(path, label: "--output-dir \(outputDirectory): \(path)")
        }
    }

    func run() throws {
        if dryRun {
            try Self.dryRun(try makeConfiguration(), directory: outputDirectory, jobs: workers,
                            memoryLimit: resources.limit, resume: resume)
            return
        }
        try Self.perform(try makeConfiguration(), directory: outputDirectory, jobs: workers,
                         memoryLimit: resources.limit, resume: resume)
    }

    /// Runs the sweep into `directory` and prints the one summary line (`sweep` and `replay`).
    static func perform(_ configuration: SweepConfiguration, directory outputDirectory: String, jobs workers: Int,
                        memoryLimit: MemoryLimit, resume: Bool, replayOf: ReplaySource? = nil) throws {
        // Every cell (values and memory, the limit shared by the parallel workers) is checked
        // by the runner before the directory is touched.
        let evaluator = try configuration.mode.evaluator(memoryLimit: memoryLimit.shared(by: min(workers, configuration.cells.count)))
        // A bar on a terminal; plain lines in a log (SLURM, `2> log`), at the runs' schedule.
        var runner = SweepRunner(configuration: configuration, directory: outputDirectory, jobs: workers, resume: resume,
                                 progress: .automatic, command: CommandWords.arguments)
        runner.progressSchedule = SpecgdSupport.Progress.runSchedule()
        runner.estimateHint = configuration.grid.axis(.steps) != nil
            ? "the steps axis sets each cell's steps: shorten it or the grid"
            : "each cell runs --steps \(configuration.base.steps) steps: lower --steps or the grid to shorten it"
        // The kill-and-resume test's hook (SweepCLITests): stop writing after N cells.
        runner.stallAfterCells = ProcessInfo.processInfo.environment["SPECGD_TEST_STALL_AFTER_CELLS"].flatMap { Int($0) }
        runner.replayOf = replayOf
        let watcher = SignalWatcher(notice: "specgd: NAME received; stopping the cells being evaluated (cells.csv keeps every finished cell)")
        runner.cancellation = watcher.token
        let report: SweepReport
        do {
            report = try runner.run(evaluator: evaluator)
        } catch let stop as RunInterrupted {
            watcher.rowsWritten()
            FileHandle.standardError.write(Data("specgd: interrupted (\(stop.reason)); \(stop.step) of \(configuration.cells.count) cells are in \(SweepRecord.cellsPath(outputDirectory)); continue with --resume\n".utf8))
            throw ExitCode(SignalWatcher.exitStatus(for: stop.reason))
        }
        let scope = configuration.shard.map { "shard \($0) of " } ?? ""
        print("sweep: \(scope)\(configuration.grid.count) cells — \(report.cells) here, \(report.alreadyDone) already done, "
              + "\(report.evaluated) evaluated now, \(report.diverged) diverged → \(SweepRecord.cellsPath(outputDirectory))")
    }

    /// `--dry-run`: the checks `perform` makes before its first cell (the evaluator's memory
    /// check, every cell, the directory), then the cells on stdout and one summary line on
    /// stderr; nothing is created.
    static func dryRun(_ configuration: SweepConfiguration, directory: String, jobs workers: Int,
                       memoryLimit: MemoryLimit, resume: Bool) throws {
        let evaluator = try configuration.mode.evaluator(memoryLimit: memoryLimit.shared(by: min(workers, configuration.cells.count)))
        let runner = SweepRunner(configuration: configuration, directory: directory, jobs: workers, resume: resume,
                                 progress: .off, command: [])
        let report = try runner.dryRun(evaluator: evaluator)
        print(CellsFile.plan(configuration), terminator: "")
        let grid = configuration.grid
        let shape = grid.axes.map { "\($0.name) \($0.values.count)" }.joined(separator: " × ")
        var summary = "sweep --dry-run: \(grid.count) cell\(grid.count == 1 ? "" : "s") (\(shape)), \(configuration.mode.rawValue) mode"
        if let shard = configuration.shard {
            let sizes = Set((1...shard.count).map { i in (0..<grid.count).filter { $0 % shard.count == i - 1 }.count })
            let each = sizes.count == 1 ? "\(sizes.first!)" : "\(sizes.min()!)–\(sizes.max()!)"
            summary += " in \(shard.count) shards of \(each) cells; shard \(shard.index): \(report.cells) cells"
        }
        if report.alreadyDone > 0 { summary += ", \(report.alreadyDone) already done in \(directory)" }
        summary += "; \(report.evaluated) to evaluate; checks passed, nothing computed or written\n"
        FileHandle.standardError.write(Data(summary.utf8))
    }

    /// The covariance options on the base point: spiked (one spike, as sweep.json always had
    /// it, or `--spikes`), power law, or a diagonal spectrum; custom groups are theory-only.
    func applyCovariance(to base: inout ModelPoint) throws {
        var experiment = base.experiment
        try covariance.apply(to: &experiment)
        if covariance.kind == .custom {
            throw InputError("--covariance custom (groups from --config) is not swept yet; sweeps take spiked, power-law and diagonal")
        }
        base.setCovariance(of: experiment)
    }

    func makeConfiguration() throws -> SweepConfiguration {
        if mode == .theory, let name = dense.given(except: ["--seeds", "--seed"]).first {
            throw InputError("\(name) applies to --mode simulate only")
        }
        // A cell keeps metrics, not trajectories: the columns would be computed and dropped.
        if dense.updateSpectrum { throw InputError("--update-spectrum records trajectory columns; a sweep's cells keep metrics only") }
        let grid = try Grid.parse(grids, mode: mode)
        let metricList = try Metric.parseList((metrics.isEmpty ? [Self.defaultMetrics] : metrics).flatMap(\.values).map(\.rawValue))
        var base = ModelPoint(method: model.method, lambda: model.lambda, dimension: model.dimension, alpha: model.alpha,
                              learningRate: model.learningRate, steps: model.steps, escapeThreshold: model.escapeThreshold,
                              width: dense.width, samples: dense.samples, initialization: dense.initialization, seed: seed)
        let optimizer = try optimizerOptions.optimizer(model.method, validate: false)
        // The plain optimizer is no option at all, so such a sweep keeps the sweep.json it always had.
        if optimizer != Optimizer(method: model.method) { base.optimizerOptions = optimizer }
        switch try dense.training() {
        case .online(let b): base.batch = b
        default: break
        }
        if grid.axis(.batch) != nil, dense.samples != nil {
            throw InputError("--samples (one fixed data set) and a batch axis (fresh batches every step) are exclusive")
        }
        base.teacher = dense.teacher
        try applyCovariance(to: &base)
        // A theory cell is one exact run: repetitions would repeat it, so --seeds is not read
        // there (and a run file's `seeds` default, meant for its dense steps, stays harmless).
        if seeds > 1, mode == .simulate { base.seeds = seeds }
        // An option that is a grid axis does not matter: pin it so resume/merge ignore it.
        for axis in grid.axes { base.set(axis, axis.values[0]) }
        let derived = try derives.map { try DerivedParameter.parse($0, mode: mode) }
        // A derived option's own value does not matter either: each cell computes it.
        var configuration = try SweepConfiguration(mode: mode, metrics: metricList, grid: grid, base: base,
                                                   shard: try shard.map(Shard.parse), derived: derived)
        try configuration.setRatio(try ratio.map(EscapeRatio.parse))
        try configuration.setLawDraws(seedSpread.lawDraws)
        return configuration
    }
}
