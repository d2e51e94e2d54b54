import ArgumentParser
import Foundation
import Machine
import NumericKit
import SpecgdSupport
import Model
import Experiments
import Simulation
import Theory

/// `specgd theory`: the exact summary map, its continuous-time flows and the large-d limit.
struct TheoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Exact summary maps, continuous-time flows (GSL odeiv2) and the large-d limit.",
        discussion: """
        Writes a CSV trajectory (columns step,a,b,c,q,loss,alignment,spike_alignment as in simulate, then T, \
        time for flows, s_<group> for non-spiked models, then a_signed,b_signed,c_signed) and a JSON sidecar PATH.json with the \
        configuration, the escape summary and the run's status (completed, interrupted or diverged).
        a, b, c are magnitudes (as in simulate): |signal coefficient|, |spike|, |bulk| (RMS over several bulk \
        groups); the *_signed columns keep the signs. q = bulk mass Σ p_g s_g², \
        T = tr(MΣ), alignment = a²/‖W‖²_F, spike_alignment = a²/(a²+b²).
        Flows (--flow): t = η̃k (GD) or ηk (SpecGD); the step column is t/lr.
        Example: specgd theory --method gd --lambda 8 --dim 1000 --steps 5000 --output gd.csv
        """)

    @OptionGroup var model: ModelOptions
    @OptionGroup(title: "Optimizer options") var optimizer: OptimizerOptions
    @OptionGroup var covariance: CovarianceOptions
    @OptionGroup var resources: ResourceOptions

    @Option(help: "Output CSV path (the JSON sidecar goes next to it).")
    var output: String

    @Flag(help: "Integrate the continuous-time flow instead of the discrete map.")
    var flow = false

    @Flag(name: .customLong("large-d"), help: "Run the d → ∞ map over (a, b, q) (spiked only; q₀ = (d−2)α²; SpecGD uses η₀ = lr·√(d−2)).")
    var largeD = false

    @Option(help: "Flow: GSL odeiv2 stepper (explicit Runge–Kutta, implicit ones with the analytic Jacobian, Bulirsch–Stoer, multistep Adams/BDF).")
    var stepper: ODEStepper = .rk8pd

    @Option(name: .customLong("t-end"), parsing: .unconditional, help: "Flow: end time (default steps·lr).")
    var tEnd: Double?

    @Option(parsing: .unconditional, help: "Flow: output spacing in time (default every·lr).")
    var dt: Double?

    @Option(name: .customLong("abs-tol"), parsing: .unconditional, help: "Flow: absolute error tolerance per step.")
    var absTol: Double = 1e-10

    @Option(name: .customLong("rel-tol"), parsing: .unconditional, help: "Flow: relative error tolerance per step.")
    var relTol: Double = 1e-10

    @Option(parsing: .unconditional, help: "SpecGD flow: smoothing ε of sign(x) ≈ x/√(x²+ε²) (default 0.001).")
    var epsilon: Double?

    @Option(help: "SpecGD flow: how the switching sign(·) of polar(∇L) is integrated (default: \(TheoryCommand.defaultSwitching.rawValue)).")
    var switching: SwitchingRule?

    @Flag(name: .customLong("error-estimate"), help: "Flow: estimate the global error by a second solve with both tolerances 100× tighter; the summary reports the largest relative difference of a, b, c and the loss (about twice the run time).")
    var errorEstimate = false

    /// --init, --seed, --width: W₀ drawn as simulate draws it (the dense runs' group).
    @OptionGroup(title: "Start from a drawn W₀ (--init gaussian or orthogonal)")
    var draw: DrawOptions
    var initialization: Initialization? { draw.initialization }
    var seed: UInt64? { draw.seed }
    var width: Int? { draw.width }

    @Option(parsing: .unconditional, help: "With --init: the repetition r whose W₀ is drawn (simulate's seed r of --seeds; default 0).")
    var repetition: Int?

    @Option(name: .customLong("start-from"), help: "Start from step 0 of a simulate or theory CSV (a, b, c for the spiked model; s_<group> columns otherwise).")
    var startFrom: String?

    static let defaultSwitching = SwitchingRule.smoothed

    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        // Before anything is read: an input file too large to read within the memory limit.
        try resources.checkInputs(covariance.inputFiles(nsCoefficients: optimizer.nsCoefficients))
        for (value, name) in [(tEnd, "t-end"), (dt, "dt"), (epsilon, "epsilon")] {
            if let value { try Validate.finite(value, name) }
        }
        try Validate.finite(absTol, "abs-tol")
        try Validate.finite(relTol, "rel-tol")
        if flow && largeD { throw InputError("--flow and --large-d are exclusive") }
        if errorEstimate && !flow { throw InputError("--error-estimate applies to the flows only (--flow)") }
        if initialization == nil && (seed != nil || repetition != nil || width != nil) {
            throw InputError("--seed, --repetition and --width choose the W₀ of --init; give --init gaussian|orthogonal")
        }
        if initialization != nil && startFrom != nil { throw InputError("--init and --start-from are exclusive (two starts)") }
        if let repetition { try Validate.atLeast(repetition, 0, "--repetition") }
        if let width { try Validate.atLeast(width, 1, "--width") }
        if let startFrom { try resources.checkInputs([("the --start-from file", startFrom)]) }
        if (switching != nil || epsilon != nil) && !(flow && model.method == .specgd) {
            throw InputError("--switching and --epsilon apply to the SpecGD flow only (--flow --method specgd)")
        }
        try OutputPath.checkFile(output, alsoWrites: [sidecarPath(for: output)],
                                 inputs: covariance.inputFiles(nsCoefficients: optimizer.nsCoefficients)
                                     + (startFrom.map { [("the --start-from file", $0)] } ?? []))
        let config = try makeConfiguration()
        try config.validate()
        try resources.check(config.memoryEstimate, for: "theory")
    }

    /// The library configuration these options describe (reads --config).
    func makeConfiguration() throws -> TheoryConfiguration {
        var config = model.theoryConfiguration
        config.optimizer = try optimizer.optimizer(model.method)
        try covariance.apply(to: &config)
        config.dynamics = flow ? .flow : (largeD ? .largeD : .map)
        config.flow = FlowConfiguration(
            stepper: stepper, tEnd: tEnd, dt: dt, absoluteTolerance: absTol,
            relativeTolerance: relTol, switching: switching ?? Self.defaultSwitching, epsilon: epsilon ?? 1e-3)
        if errorEstimate { config.flow.estimateError = true }
        if let initialization {
            var dense = SimulationConfiguration(config.experiment)
            dense.initialization = initialization
            dense.width = width
            dense.seed = seed ?? 0
            config.start = try SeedTheory.start(theory: config, simulation: dense, repetition: repetition ?? 0)
        } else if let startFrom {
            config.start = try TheoryStart.recorded(try Table.readCSV(startFrom), model: try config.model(), source: startFrom)
        }
        return config
    }

    func run() throws {
        try Self.perform(try makeConfiguration(), output: output)
    }

    /// Runs `config`, writes OUTPUT and its sidecar and prints the summary (`theory` and `replay`).
    static func perform(_ config: TheoryConfiguration, output: String, replayOf: ReplaySource? = nil) throws {
        let watcher = SignalWatcher()
        let progress = SpecgdSupport.Progress.forRun(label: "theory", total: config.stepSpan)
        let result = try runTheoryKeepingRows(config, cancellation: watcher.token, progress: progress)
        progress.finish()
        // Written whatever the outcome: an interrupted or diverged run keeps its rows.
        try result.table.writeCSV(to: output)
        try RunRecord(kind: "theory", configuration: config, summary: result.summary, outcome: result.outcome,
                      replayOf: replayOf)
            .write(to: sidecarPath(for: output))
        watcher.rowsWritten()
        print(TheoryCommand.describe(result.summary, config: config, output: output, outcome: result.outcome))
        try RunEnding.finish(result.outcome, divergence: result.divergence, outputs: output)
    }

    static func describe(_ s: TheorySummary, config: TheoryConfiguration, output: String,
                         outcome: RunOutcome = .completed(0)) -> String {
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        var lines = ["\(config.method.rawValue) \(s.dynamics.rawValue): \(s.groups) groups, d = \(s.dimension) → \(output)"]
        if let start = config.start {
            lines.append("start: " + start.coefficients.map(f).joined(separator: ", ") + (start.source.map { " (\($0))" } ?? ""))
        }
        switch outcome.status {
        case .completed: break
        case .interrupted: lines.append("status: interrupted (\(outcome.detail ?? "signal")) after step \(outcome.lastStep); the summary covers steps 0…\(outcome.lastStep)")
        case .diverged: lines.append("status: diverged at step \(outcome.lastStep); the summary covers the steps before")
        }
        if let k = s.escape.escapeStep {
            var line = "escape (a ≥ \(f(config.escapeThreshold))) at step \(k):"
            if let ratio = s.spikeRatioAtEscape { line += " b/a = \(f(ratio))," }
            if let alignment = s.escape.alignmentAtEscape { line += " alignment \(f(alignment))," }
            if let amplification = s.escape.amplification { line += " amplification \(f(amplification))" }
            lines.append(line + " (peak \(f(s.escape.peakAmplification)))")
        } else {
            // No "at escape" values without an escape (docs/model.md §7).
            lines.append("no escape (a ≥ \(f(config.escapeThreshold))) within \(s.escape.steps) steps; peak amplification \(f(s.escape.peakAmplification))")
        }
        lines.append("final alignment \(f(s.escape.finalAlignment)), final loss \(f(s.escape.finalLoss))")
        if let p = s.predictions {
            let k = p.predictedEscapeStep.map(String.init) ?? "none"
            switch config.method {
            case .gd:
                lines.append("predicted: ρ = \(f(p.rho)), λ_c = \(f(p.lambdaCritical)), escape step ≈ \(k), saturation b*/a = \(f(p.saturationRatio))")
            case .specgd, .signgd, .adam, .rule:
                // ρ, λ_c and the saturation are GD's linear-window quantities: SpecGD moves every coefficient by ±η.
                lines.append("predicted: escape step ⌈(a_esc − α)/η⌉ = \(k)")
            }
        }
        if let distances = s.finiteDimensionDistances {
            lines.append("finite d vs limit, max |q_d − q_∞|: " + distances.map { "d=\($0.dimension): \(f($0.maximumDistance))" }.joined(separator: ", "))
        }
        if let distances = s.ownLimitDistances {
            lines.append("finite d from this run's (a₀, b₀, q₀) vs this run's limit, max |q_d − q_∞|: "
                         + distances.map { "d=\($0.dimension): \(f($0.maximumDistance))" }.joined(separator: ", "))
        }
        if let rate = s.ownLimitRate {
            if let r = rate.rate, let error = rate.standardError {
                lines.append("rate: max |q_d − q_∞| ∝ d^(−r), r = \(f(r)) ± \(f(error)) per decade (least squares over d = \(rate.dimensions.first ?? 0)…\(rate.dimensions.last ?? 0))")
            } else if let reason = rate.noRate {
                lines.append(reason)
            }
        }
        if let d = s.smoothedVersusFilippov { lines.append("max |Filippov − smoothed| over a, b, c: \(f(d))") }
        if let e = s.flowErrorEstimate {
            lines.append("estimated global error (vs tolerances \(f(e.tighterBy))× tighter), relative: a \(f(e.a)), b \(f(e.b)), c \(f(e.c)), loss \(f(e.loss))")
        }
        return lines.joined(separator: "\n")
    }
}
