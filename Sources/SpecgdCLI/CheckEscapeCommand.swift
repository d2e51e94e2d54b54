import ArgumentParser
import Comparison
import Foundation
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
        Every row is printed with prediction, measurement, relative error and tolerance; a failing prediction \
        is reported, never hidden. A prediction the run cannot test is "not checkable", with the reason: an \
        empty linear window (b₀ already above 0.1·b*₀, or a₀ > 0.1), no escape (nothing "at escape" to \
        compare), no predicted escape, or no escape within a budget shorter than the tolerance allows. \
        Not checkable is neither held nor failed. Exit status: 1 when any prediction FAILED, else 0 — also \
        when some were not checkable (the summary line then says "N not checkable"; --steps or --alpha can \
        make them checkable).
        --lr sets both learning rates; --gd-lr (η̃) and --specgd-lr (η) set one each (they are different scales).

        Writes to DIR: escape-check.csv (lambda, is_specgd, is_simulation, quantity_code [0 amplification, \
        1 ratio_at_escape, 2 escape_step], predicted, measured, relative_error, tolerance, passed [1, 0, nan = \
        not checkable], window_steps), escape-check.json (the rows with names, status, reason and window length, \
        the configuration, version, command), amplification.csv, \
        rho-curve.csv and amplification.svg (+ .recipe.json).
        Example: specgd check-escape --lambdas 1,2,4,8,16 --dim 32 --seeds 3 --output-dir out/check
        """)

    @Option(parsing: .unconditional, help: ArgumentHelp("Comma-separated spike strengths λ to check.", valueName: "λ,…"))
    var lambdas = CommaSeparated<Double>([1, 2, 4, 8, 16])

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate of both methods: η̃ for GD, η for SpecGD (see --gd-lr, --specgd-lr).")
    var learningRate: Double = 1e-3

    @Option(name: .customLong("gd-lr"), parsing: .unconditional, help: "GD's learning rate η̃ (default: --lr).")
    var gdLearningRate: Double?

    @Option(name: .customLong("specgd-lr"), parsing: .unconditional, help: "SpecGD's learning rate η (default: --lr).")
    var specgdLearningRate: Double?

    @Option(name: .customLong("dim"), parsing: .unconditional, help: "Dimension d (smaller than the 1000 of theory and simulate: every run records every step, and the simulations are dense d×d).")
    var dimension: Int = 32

    @Option(parsing: .unconditional, help: "Initial scale α (W₀ = αI for the map; entries N(0, α²/d) or α·orthogonal for the simulations).")
    var alpha: Double = 1e-3

    @Option(parsing: .unconditional, help: "Steps per run (default: enough to escape — 1.6× the linear-window estimate for GD, 1.2× ⌈(a_esc − α)/η⌉ for SpecGD).")
    var steps: Int?

    @Option(name: .customLong("escape-threshold"), parsing: .unconditional, help: "Escape step = first step with a ≥ this value (a_esc).")
    var escapeThreshold: Double = 0.5

    // The simulation options are optional so that giving one with --no-simulation is refused.
    @Option(name: .customLong("init"), help: "Simulation initialisation W₀ (default: \(CheckEscapeCommand.defaultInitialization.rawValue), not identity as in simulate: from αI a simulation only replays the theory map, and the check is that random starts follow the predictions).")
    var initOption: Initialization?
    var initialization: Initialization { initOption ?? Self.defaultInitialization }
    static let defaultInitialization = Initialization.gaussian

    @Option(name: .customLong("seeds"), parsing: .unconditional, help: "Simulation repetitions (default: \(CheckEscapeCommand.defaultSeeds), not 1 as in simulate: the checks use the mean over random starts).")
    var seedsOption: Int?
    var seeds: Int { seedsOption ?? Self.defaultSeeds }
    static let defaultSeeds = 3

    @Option(name: .customLong("seed"), parsing: .unconditional, help: "Master seed of the simulations (default 0).")
    var seedOption: UInt64?
    var seed: UInt64 { seedOption ?? 0 }

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

    func validate() throws {
        let lambdas = try lambdaList()
        if let gdLearningRate { try Validate.positive(gdLearningRate, "gd-lr") }
        if let specgdLearningRate { try Validate.positive(specgdLearningRate, "specgd-lr") }
        if let steps { try Validate.atLeast(steps, 1, "steps") }
        for (v, name) in [(tolAmplification, "tol-amplification"), (tolSaturation, "tol-saturation"),
                          (tolEscape, "tol-escape"), (tolNoGrowth, "tol-no-growth")] {
            try Validate.positive(v, name)
        }
        if noSimulation {
            for (given, name) in [(initOption != nil, "--init"), (seedsOption != nil, "--seeds"), (seedOption != nil, "--seed")] where given {
                throw InputError("\(name) configures the simulations, which --no-simulation turns off")
            }
        }
        try OutputPath.checkDirectory(outputDirectory)
        // The runs go one at a time; each keeps every step. The library checks every value.
        for method in Method.allCases {
            let theory = try theoryConfiguration(method, lambda: lambdas[0])
            try theory.validate()
            var estimate = theory.memoryEstimate
            if !noSimulation {
                let simulation = try simulationConfiguration(method, lambda: lambdas[0])
                try simulation.validate()
                estimate = estimate + simulation.memoryEstimate(jobs: try parallel.workers())
            }
            try resources.check(estimate, for: "check-escape (\(method.rawValue), \(try stepBudget(method)) steps)")
        }
    }

    func lambdaList() throws -> [Double] {
        let values = lambdas.values
        for v in values { try Validate.spike(v, "--lambdas value") }
        return values
    }

    /// The theory map of one λ and method, recorded at every step.
    func theoryConfiguration(_ method: Method, lambda: Double) throws -> TheoryConfiguration {
        TheoryConfiguration(method: method, lambda: lambda, dimension: dimension, alpha: alpha,
                            learningRate: learningRate(method), steps: try stepBudget(method), every: 1,
                            escapeThreshold: escapeThreshold)
    }

    /// The dense simulation of one λ and method (wall time not recorded).
    func simulationConfiguration(_ method: Method, lambda: Double) throws -> SimulationConfiguration {
        var c = SimulationConfiguration(method: method, lambda: lambda, dimension: dimension,
                                        initialization: initialization, alpha: alpha, learningRate: learningRate(method),
                                        steps: try stepBudget(method), every: 1, seeds: seeds, seed: seed)
        c.recordWallTime = false
        return c
    }

    var tolerances: EscapeTolerances {
        var t = EscapeTolerances()
        t.amplification = tolAmplification
        t.saturation = tolSaturation
        t.escapeStep = tolEscape
        t.noGrowth = tolNoGrowth
        return t
    }

    /// η̃ for GD, η for SpecGD: --gd-lr / --specgd-lr, else --lr.
    func learningRate(_ method: Method) -> Double {
        switch method {
        case .gd: gdLearningRate ?? learningRate
        case .specgd: specgdLearningRate ?? learningRate
        }
    }

    /// Steps for one method: the given --steps, else enough to pass the escape. A budget too
    /// large to count in an Int (a tiny --lr) is refused; a large one meets the memory guard.
    func stepBudget(_ method: Method) throws -> Int {
        if let steps { return steps }
        let q0 = Double(dimension - 2) * alpha * alpha
        let lr = learningRate(method)
        let budget: Double
        switch method {
        case .gd:
            let estimate = EscapeAnalytics.gdEscapeStepEstimate(alpha: alpha, threshold: escapeThreshold, lr: lr, q: q0) ?? 10_000
            budget = 1.6 * estimate + 100
        case .specgd:
            budget = 1.2 * (EscapeAnalytics.specgdEscapeStepEstimate(alpha: alpha, threshold: escapeThreshold, lr: lr) ?? 1000) + 20
        }
        guard budget < 1e15 else {
            throw InputError("check-escape: \(method.rawValue) would need ≈ \(String(format: "%.3g", budget)) steps to escape at lr \(learningRate); give --steps or a larger --lr")
        }
        return Int(budget)
    }

    func run() throws {
        let lambdas = try lambdaList()
        var rows = [EscapeCheckRow]()
        var points = [EscapeFigure.Point]()
        let progress = Progress(label: "check-escape", total: lambdas.count * 2)
        for lambda in lambdas {
            var point = EscapeFigure.Point(lambda: lambda)
            for method in Method.allCases {
                let theory = try runTheory(try theoryConfiguration(method, lambda: lambda))
                let rate = learningRate(method)
                let map = try EscapeMeasurement.measure(theory.table, lambda: lambda, threshold: escapeThreshold)
                rows += EscapeCheck.rows(lambda: lambda, method: method.rawValue, source: .theoryMap, measurement: map,
                                         learningRate: rate, threshold: escapeThreshold, tolerances: tolerances)
                var simulated: EscapeMeasurement?
                if !noSimulation {
                    let result = try runSimulation(try simulationConfiguration(method, lambda: lambda), jobs: try parallel.workers())
                    let table = seeds == 1 ? result.perSeed[0] : result.aggregate
                    let m = try EscapeMeasurement.measure(table, lambda: lambda, threshold: escapeThreshold)
                    simulated = m
                    rows += EscapeCheck.rows(lambda: lambda, method: method.rawValue, source: .simulation, measurement: m,
                                             learningRate: rate, threshold: escapeThreshold, reference: map,
                                             tolerances: tolerances)
                }
                if method == .gd { point.gdMap = map; point.gdSimulation = simulated }
                else { point.specgdMap = map; point.specgdSimulation = simulated }
                progress.advance()
            }
            points.append(point)
        }
        progress.finish()

        try AtomicFile.createDirectory(outputDirectory)
        let q0 = Double(dimension - 2) * alpha * alpha
        let gdRate = learningRate(.gd)
        let lambdaC = EscapeFormulas.criticalLambda(learningRate: gdRate, q: q0)
        let tables = [EscapeFigure.pointsFile: EscapeFigure.pointsTable(points, learningRate: gdRate),
                      EscapeFigure.curveFile: EscapeFigure.curveTable(lambdas: lambdas, learningRate: gdRate, q: q0)]
        for (name, table) in tables { try table.writeCSV(to: path(name)) }
        try EscapeFigure.recipe(lambdaC: lambdaC, simulation: !noSimulation).write(directory: outputDirectory, tables: tables)
        try EscapeCheck.table(rows).writeCSV(to: path("escape-check.csv"))
        let (held, failed, notCheckable) = EscapeCheck.tally(rows)
        let configuration = CheckEscapeConfiguration(
            lambdas: lambdas, learningRate: learningRate, gdLearningRate: gdRate, specgdLearningRate: learningRate(.specgd),
            dimension: dimension, alpha: alpha,
            stepsGD: try stepBudget(.gd), stepsSpecGD: try stepBudget(.specgd), escapeThreshold: escapeThreshold,
            initialization: noSimulation ? nil : initialization.rawValue, seeds: noSimulation ? nil : seeds,
            seed: noSimulation ? nil : seed, tolerances: tolerances)
        let summary = CheckEscapeSummary(allPassed: failed == 0, held: held, failed: failed, notCheckable: notCheckable, total: rows.count,
                                         lambdaCritical: lambdaC, q0: q0, rows: rows)
        try RunRecord(kind: "check-escape", configuration: configuration, summary: summary, command: Invocation.arguments)
            .write(to: path("escape-check.json"))

        print("λ_c = \(String(format: "%.4g", lambdaC)) (q₀ = \(String(format: "%.3g", q0)), η̃ = \(gdRate), η = \(learningRate(.specgd)), d = \(dimension))")
        print(EscapeCheck.report(rows))
        print("figure: \(path("amplification.svg"))")
        print("table:  \(path("escape-check.csv")) (names and numbers: \(path("escape-check.json")))")
        if failed > 0 { throw ExitCode.failure }
    }

    func path(_ name: String) -> String { (outputDirectory as NSString).appendingPathComponent(name) }
}

struct CheckEscapeConfiguration: Codable, Sendable {
    var lambdas: [Double]
    /// --lr; the rates actually used are the next two.
    var learningRate: Double
    var gdLearningRate: Double
    var specgdLearningRate: Double
    var dimension: Int
    var alpha: Double
    var stepsGD: Int
    var stepsSpecGD: Int
    var escapeThreshold: Double
    var initialization: String?
    var seeds: Int?
    var seed: UInt64?
    var tolerances: EscapeTolerances
}

struct CheckEscapeSummary: Codable, Sendable {
    /// No prediction failed (the exit status); `notCheckable` says how many could not be tested.
    var allPassed: Bool
    var held: Int
    var failed: Int
    var notCheckable: Int
    var total: Int
    var lambdaCritical: Double
    var q0: Double
    var rows: [EscapeCheckRow]
}
