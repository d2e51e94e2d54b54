import ArgumentParser
import Foundation
import Machine
import NumericKit
import Model
import Simulation
import SpecgdSupport

/// `specgd simulate`: dense GD / SpecGD on W ∈ R^{d×m}, population or finite samples.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Dense finite-dimensional GD and SpecGD runs on W ∈ R^{d×m}.",
        discussion: """
        Trains f_W(x) = ‖Wᵀx‖² on y = (θ*ᵀx)², x ~ N(0, Σ), Σ diagonal (its eigenbasis), with the exact \
        population gradient (default), a fixed data set (--samples N) or fresh batches (--batch B; --online alone uses B = 64). \
        The population loss is always recorded.

        Output PATH.csv columns: step, a = ‖Wᵀθ*‖, b = ‖Wᵀv‖ (v = first spike, 0 without one), \
        c = ‖P⊥W‖_F/√(d − 1 − #spikes), q = ‖P⊥W‖²_F, loss (population), \
        alignment = a²/‖W‖²_F, spike_alignment = a²/(a²+b²) (as in theory), then train_loss, wall_time (s). With --seeds S > 1 the base \
        columns are means over seeds, with <col>_std, <col>_q10, <col>_q50, <col>_q90 added, and \
        PATH.seeds.csv holds every seed's rows with a seed column. PATH.json records the configuration, \
        version, timings and status: completed, interrupted (SIGINT/SIGTERM: the rows so far are written, exit \
        130/143) or diverged (the rows before the divergence are written, exit 1). Same seed and thread count → identical numbers (and identical bytes with --no-wall-time).

        SpecGD's polar factor gives singular values ≤ σ_max·max(d,m)·ε no component (polar(0) = 0).
        Example: specgd simulate --method specgd --lambda 8 --dim 64 --lr 1e-3 --steps 2000 --output out/run.csv
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup(title: "Optimizer options") var optimizer: OptimizerOptions
    @OptionGroup var covariance: CovarianceOptions
    @OptionGroup var dense: DenseOptions
    @OptionGroup var simulation: SimulationOptions
    @OptionGroup var parallel: ParallelOptions
    @OptionGroup var resources: ResourceOptions

    /// The library configuration these options describe.
    func makeConfiguration() throws -> SimulationConfiguration {
        var experiment = model.experiment
        experiment.optimizer = try optimizer.optimizer(model.method)
        try covariance.apply(to: &experiment)
        var c = try dense.configuration(experiment)
        c.width = c.resolvedWidth  // recorded explicitly in the sidecar
        c.recordWallTime = simulation.wallTime
        return c
    }

    /// Every value, the output path and the memory the run needs, before anything is computed.
    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        // Before anything is read: an input file too large to read within the memory limit.
        try resources.checkInputs(covariance.inputFiles(nsCoefficients: optimizer.nsCoefficients))
        if let output = simulation.output, !simulation.profile {
            try OutputPath.checkFile(output, alsoWrites: [sidecarPath(for: output), SimulationOutput.seedsPath(for: output)],
                                     inputs: covariance.inputFiles(nsCoefficients: optimizer.nsCoefficients))
        }
        let jobs = try parallel.workers(blasThreads: simulation.threads)
        try resources.check(try makeConfiguration().memoryEstimate(jobs: jobs), for: "simulate")
    }

    func run() throws {
        // Process-wide, so set here, before any BLAS call (library code only reads it).
        NumericKit.setBLASThreads(simulation.threads)
        let configuration = try makeConfiguration()
        if simulation.profile {
            let profile = try StepProfile.measure(configuration, steps: max(configuration.steps, 1))
            print(String(decoding: try JSONOutput.encode(profile), as: UTF8.self), terminator: "")
            return
        }
        try Self.perform(configuration, output: simulation.output ?? "",
                         jobs: try parallel.workers(blasThreads: simulation.threads))
    }

    /// Runs `configuration` (BLAS threads already set), writes PATH.csv, PATH.seeds.csv when
    /// seeds > 1 and PATH.json, and prints the summary (`simulate` and `replay`).
    static func perform(_ configuration: SimulationConfiguration, output path: String,
                        jobs: Int, replayOf: ReplaySource? = nil) throws {
        let watcher = SignalWatcher()
        let progress = SpecgdSupport.Progress.forRun(label: "simulate", total: configuration.steps * configuration.seeds)
        let result = try Simulator(configuration).runKeepingRows(jobs: jobs,
                                                                 progress: progress, cancellation: watcher.token)
        progress.finish()
        // Written whatever the outcome: an interrupted or diverged run keeps its rows.
        if configuration.seeds == 1 {
            try result.perSeed[0].writeCSV(to: path)
        } else {
            try result.aggregate.writeCSV(to: path)
            try SimulationOutput.perSeedTable(result.perSeed).writeCSV(to: SimulationOutput.seedsPath(for: path))
        }
        let summary = SimulationSummary(result: result)
        try RunRecord(kind: "simulate", configuration: configuration, summary: summary, outcome: result.outcome,
                      replayOf: replayOf)
            .write(to: sidecarPath(for: path))
        watcher.rowsWritten()
        print(SimulateCommand.describe(summary, configuration: configuration, outcome: result.outcome, output: path))
        try RunEnding.finish(result.outcome, divergence: result.divergence, outputs: path)
    }
}

extension SimulateCommand {
    /// The few lines `simulate` prints on stdout when it is done (like `theory`'s).
    static func describe(_ s: SimulationSummary, configuration c: SimulationConfiguration, outcome: RunOutcome,
                         output: String) -> String {
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        var lines = ["\(c.method.rawValue) simulate: d = \(c.dimension), m = \(c.resolvedWidth), \(s.seeds) seed(s), \(c.steps) steps → \(output)"]
        switch outcome.status {
        case .completed: break
        case .interrupted: lines.append("status: interrupted (\(outcome.detail ?? "signal")) after step \(outcome.lastStep)")
        case .diverged: lines.append("status: diverged at step \(outcome.lastStep); rows up to the last recorded step before it")
        }
        let escapes = s.escapeSteps.map { $0.map(String.init) ?? "none" }
        let threshold = "a ≥ \(f(s.escapeThreshold))"
        if s.escapeSteps.allSatisfy({ $0 == nil }) {
            lines.append("no escape (\(threshold)) within the recorded steps")
        } else {
            lines.append("escape (\(threshold)) at recorded step " + (escapes.count == 1 ? escapes[0] : "[" + escapes.joined(separator: ", ") + "]"))
        }
        let mean = s.seeds > 1 ? " (mean over seeds)" : ""
        lines.append("final\(mean): a \(f(s.finalSignal)), alignment \(f(s.finalAlignment)), loss \(f(s.finalLoss))")
        lines.append(String(format: "%.3g s total, %.3g ms per step", s.timings.total, s.timings.perStep * 1e3))
        return lines.joined(separator: "\n")
    }
}
