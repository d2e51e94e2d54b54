import Comparison
import Foundation
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory

/// What `specgd check-escape` runs: the escape-stage predictions of docs/model.md §5 checked on the
/// exact map (W₀ = αI) and, unless `simulation` is nil, on dense simulations, for every λ and
/// every method. The problem is one `Experiment` (covariance, d, α, η, a_esc; its optimizer and
/// steps are set per run); what is check-escape's own is the list of λ, the per-side rates and
/// step budgets, the dense runs and the tolerances. Codable, so a run record can be replayed
/// (`init(_:)` from its configuration).
@dynamicMemberLookup
public struct CheckEscapeRequest: ExperimentConfiguration, Codable, Sendable, Equatable {
    /// The dense runs next to the map (random init, several seeds; the checks use the mean).
    public struct DenseRuns: Codable, Sendable, Equatable {
        public var initialization: Initialization
        public var seeds: Int
        public var seed: UInt64

        public init(initialization: Initialization = .gaussian, seeds: Int = 3, seed: UInt64 = 0) {
            self.initialization = initialization
            self.seeds = seeds
            self.seed = seed
        }
    }

    /// The problem every run shares: covariance, d, α, the common rate η (`learningRate`) and
    /// a_esc. Each run sets its λ (the leading spike), optimizer, steps and `every` = 1.
    public var experiment: Experiment
    /// The strengths of the (leading) spike, one set of runs each; empty for a covariance
    /// without a spike strength (power law, diagonal: one set of runs).
    public var lambdas: [Double]
    /// Both methods' rate (`experiment.learningRate`) unless overridden by `gdLearningRate`
    /// (η̃) / `specgdLearningRate` (η).
    public var gdLearningRate: Double?
    public var specgdLearningRate: Double?
    /// Steps of GD's / SpecGD's runs; nil: enough to escape (`stepBudget`).
    public var stepsGD: Int?
    public var stepsSpecGD: Int?
    /// nil: the theory map only.
    public var simulation: DenseRuns?
    var tolerances: EscapeTolerances
    /// The methods checked, in order; nil: gd and specgd (`OptimizerPreset.paper`). The family
    /// (signgd, ns3, ns5, polar-express, muon, adam) is checked on the map only.
    public var methods: [OptimizerPreset]?
    /// Per-seed theory's predicted spread (with dense runs): draws from the law of W₀ and the
    /// spread check's bootstrap, as compare's (`SeedSpreadSettings`).
    public var seedSpread = SeedSpreadSettings()

    public var resolvedMethods: [OptimizerPreset] { methods ?? OptimizerPreset.paper }

    public init(lambdas: [Double] = [1, 2, 4, 8, 16], learningRate: Double = 1e-3, gdLearningRate: Double? = nil,
                specgdLearningRate: Double? = nil, dimension: Int = 32, alpha: Double = 1e-3, steps: Int? = nil,
                escapeThreshold: Double = 0.5, simulation: DenseRuns? = DenseRuns(),
                tolerances: EscapeTolerances = EscapeTolerances()) {
        experiment = Experiment(dimension: dimension, alpha: alpha, learningRate: learningRate, escapeThreshold: escapeThreshold)
        self.lambdas = lambdas
        self.gdLearningRate = gdLearningRate
        self.specgdLearningRate = specgdLearningRate
        self.stepsGD = steps
        self.stepsSpecGD = steps
        self.simulation = simulation
        self.tolerances = tolerances
    }

    /// The request a check-escape record's configuration describes (rates and step budgets
    /// as they were resolved), for replay.
    public init(_ configuration: CheckEscapeConfiguration) throws {
        self.init(lambdas: configuration.lambdas, gdLearningRate: configuration.gdLearningRate,
                  specgdLearningRate: configuration.specgdLearningRate, simulation: nil, tolerances: configuration.tolerances)
        experiment = configuration.experiment
        stepsGD = configuration.stepsGD
        stepsSpecGD = configuration.stepsSpecGD
        methods = configuration.methods
        seedSpread = configuration.seedSpread
        if let name = configuration.initialization {
            guard let initialization = Initialization(rawValue: name) else {
                throw InputError("check-escape record: unknown initialization '\(name)'")
            }
            simulation = DenseRuns(initialization: initialization, seeds: configuration.seeds ?? 3, seed: configuration.seed ?? 0)
        }
    }

    /// Whether the covariance has a spike strength to vary (spiked, one or several spikes):
    /// then every λ of `lambdas` is a set of runs, else there is one set (`runLambdas`).
    package var hasSpikeStrength: Bool { experiment.covariance == .spiked }

    /// The λ of each set of runs: `lambdas` for a spiked covariance, else one set with λ = NaN
    /// (the rows' `lambda`: the covariance has no spike strength).
    var runLambdas: [Double] { hasSpikeStrength ? lambdas : [.nan] }

    /// The experiment of one set of runs: λ replaces the single spike, or the leading one of
    /// several (the others stay as given); NaN (no spike strength) leaves the covariance as it is.
    public func experiment(lambda: Double) -> Experiment {
        lambda.isNaN ? experiment : experiment.withLeadingSpike(lambda)
    }

    /// Which closed forms of docs/model.md §5 hold for this covariance (`EscapePredictionScope`).
    public var scope: EscapePredictionScope { EscapePredictionScope(experiment) }

    /// The one check of the request: the experiment's fields (as every command checks them),
    /// then check-escape's own.
    public func validate() throws {
        for lambda in runLambdas { try experiment(lambda: lambda).validate() }
        if hasSpikeStrength && lambdas.isEmpty { throw InputError(field: "lambdas", "needs at least one value") }
        if !hasSpikeStrength && !lambdas.isEmpty {
            throw InputError("\(InputError.field("lambdas")) applies to \(InputError.field("covariance")) spiked only (got \(InputError.field("covariance")) \(experiment.covariance.rawValue))")
        }
        try seedSpread.validate()
    }

    /// η̃ for GD, η for SpecGD: the method's own rate, else `learningRate`.
    public func learningRate(_ method: Method) -> Double {
        switch method {
        case .gd: gdLearningRate ?? experiment.learningRate
        // check-escape runs Method.paperMethods; the others take the normalised-update rate.
        case .specgd, .signgd, .adam, .rule: specgdLearningRate ?? experiment.learningRate
        }
    }

    /// Steps for one method: the given budget, else enough to pass the escape (1.6× the
    /// linear-window estimate + 100 for GD, 1.2× ⌈(a_esc − α)/η⌉ + 20 for SpecGD). A budget too
    /// large to count in an Int (a tiny rate) is refused; a large one meets the memory guard.
    /// The GD estimate is the spiked model's linear window; for another covariance give steps.
    public func stepBudget(_ method: Method) throws -> Int {
        if let steps = method == .gd ? stepsGD : stepsSpecGD { return steps }
        let q0 = self.q0, alpha = experiment.alpha, threshold = experiment.escapeThreshold
        let lr = learningRate(method)
        let budget: Double
        switch method {
        case .gd:
            let estimate = EscapeAnalytics.gdEscapeStepEstimate(alpha: alpha, threshold: threshold, lr: lr, q: q0) ?? 10_000
            budget = 1.6 * estimate + 100
        case .signgd, .adam, .rule:
            try method.requirePaperMethod(in: "check-escape")
            budget = 0
        case .specgd:
            budget = 1.2 * (EscapeAnalytics.specgdEscapeStepEstimate(alpha: alpha, threshold: threshold, lr: lr) ?? 1000) + 20
        }
        guard budget < 1e15 else {
            throw InputError("check-escape: \(method.rawValue) would need ≈ \(String(format: "%.3g", budget)) steps to escape at lr \(experiment.learningRate); give \(InputError.field("steps")) or a larger \(InputError.field(method == .gd ? "gdLearningRate" : "specgdLearningRate"))")
        }
        return Int(budget)
    }

    /// Steps for a family method: the given budget (`stepsSpecGD`, the normalised updates' budget),
    /// else past the slowest escape its prediction allows — 1.2× ⌈(a_esc − α)/(η·min φ_K)⌉ + 20 for
    /// the Newton–Schulz rules, SpecGD's budget for signgd and adam.
    func familyStepBudget(_ method: OptimizerPreset) throws -> Int {
        if method == .gd { return try stepBudget(Method.gd) }
        if let steps = stepsSpecGD { return steps }
        guard let schedule = method.optimizer.schedule else { return try stepBudget(Method.specgd) }
        let lambda = runLambdas.filter { !$0.isNaN }.max() ?? experiment.leadingSpike, lr = learningRate(.specgd)
        let o = method.optimizer, alpha = experiment.alpha
        let x0 = EscapeAnalytics.newtonSchulzFirstInput(lambda: lambda, dimension: experiment.dimension, alpha: alpha, schedule: schedule,
                                                        nesterovBeta: o.nesterov ? o.momentum : 0)
        let slowest = max(EscapeAnalytics.newtonSchulzMoveBand(schedule, from: x0).min, 1e-3)
        let budget = 1.2 * ((experiment.escapeThreshold - alpha) / (lr * slowest)).rounded(.up) + 20
        guard budget < 1e9 else {
            throw InputError("check-escape: \(method.rawValue) would need ≈ \(String(format: "%.3g", budget)) steps; give \(InputError.field("steps"))")
        }
        return Int(budget)
    }

    /// The exact map of `optimizer` at one λ, recorded at every step.
    func mapConfiguration(_ optimizer: Optimizer, lambda: Double, steps: Int) -> TheoryConfiguration {
        var e = experiment(lambda: lambda)
        e.optimizer = optimizer
        e.learningRate = learningRate(optimizer.method)
        e.steps = steps
        e.every = 1
        return TheoryConfiguration(e)
    }

    /// The exact map of a family method at one λ, recorded at every step.
    func familyConfiguration(_ method: OptimizerPreset, lambda: Double) throws -> TheoryConfiguration {
        mapConfiguration(method.optimizer, lambda: lambda, steps: try familyStepBudget(method))
    }

    /// Initial bulk mass q₀ = (d − 2)α² (every group but the signal and the leading spike).
    public var q0: Double { Double(experiment.dimension - 2) * experiment.alpha * experiment.alpha }

    /// The theory map of one λ and method, recorded at every step.
    public func theoryConfiguration(_ method: Method, lambda: Double) throws -> TheoryConfiguration {
        mapConfiguration(Optimizer(method: method), lambda: lambda, steps: try stepBudget(method))
    }

    /// The dense simulation of one λ and method (wall time not recorded); nil without simulations.
    public func simulationConfiguration(_ method: Method, lambda: Double) throws -> SimulationConfiguration? {
        guard let simulation else { return nil }
        var c = SimulationConfiguration(try theoryConfiguration(method, lambda: lambda).experiment)
        c.initialization = simulation.initialization
        c.seeds = simulation.seeds
        c.seed = simulation.seed
        c.recordWallTime = false
        return c
    }

    /// The resolved configuration (rates and step budgets filled in) the record stores.
    public func configuration() throws -> CheckEscapeConfiguration {
        CheckEscapeConfiguration(
            experiment: experiment, lambdas: lambdas, gdLearningRate: learningRate(.gd),
            specgdLearningRate: learningRate(.specgd),
            stepsGD: try stepBudget(.gd), stepsSpecGD: try stepBudget(.specgd),
            initialization: simulation?.initialization.rawValue, seeds: simulation?.seeds,
            seed: simulation?.seed, tolerances: tolerances, methods: methods, seedSpread: seedSpread)
    }
}

/// The `configuration` block of escape-check.json: the request with every default resolved.
/// The experiment's fields are written at the top level as they always were (`learningRate`,
/// `dimension`, `alpha`, `escapeThreshold`), its covariance only when it is not the one-spike
/// spiked model (`covariance`, `spikes`, `beta`, `signalIndex`, `spectrum`), so the records of
/// the spiked checks keep their bytes and old records load unchanged.
@dynamicMemberLookup
public struct CheckEscapeConfiguration: ExperimentConfiguration, Codable, Sendable, Equatable {
    /// Covariance, d, α, the common rate, a_esc (the runs' optimizers, λ and steps are not its own).
    public var experiment: Experiment
    public var lambdas: [Double]
    /// The rates actually used (the common one is `learningRate`).
    public var gdLearningRate: Double
    public var specgdLearningRate: Double
    public var stepsGD: Int
    public var stepsSpecGD: Int
    public var initialization: String?
    public var seeds: Int?
    public var seed: UInt64?
    public var tolerances: EscapeTolerances
    /// Given only with `--methods` (absent: gd and specgd).
    public var methods: [OptimizerPreset]?
    /// Written at the top level only where it is not the default (`lawDraws`, …; absent: 400 draws).
    public var seedSpread: SeedSpreadSettings

    public init(experiment: Experiment, lambdas: [Double], gdLearningRate: Double, specgdLearningRate: Double,
                stepsGD: Int, stepsSpecGD: Int, initialization: String?, seeds: Int?, seed: UInt64?,
                tolerances: EscapeTolerances, methods: [OptimizerPreset]?, seedSpread: SeedSpreadSettings = SeedSpreadSettings()) {
        self.experiment = experiment
        self.lambdas = lambdas
        self.gdLearningRate = gdLearningRate
        self.specgdLearningRate = specgdLearningRate
        self.stepsGD = stepsGD
        self.stepsSpecGD = stepsSpecGD
        self.initialization = initialization
        self.seeds = seeds
        self.seed = seed
        self.tolerances = tolerances
        self.methods = methods
        self.seedSpread = seedSpread
    }

    /// The experiment's fields the record writes under their own names (and its covariance).
    static let experimentFields: [Experiment.RecordField] = [.learningRate, .dimension, .alpha, .escapeThreshold]

    private enum CodingKeys: String, CodingKey {
        case lambdas, gdLearningRate, specgdLearningRate, stepsGD, stepsSpecGD, initialization, seeds, seed, tolerances, methods
    }

    /// Every field but the covariance's and the seed-spread settings' is required (a record lacking
    /// one is refused by name); a missing covariance is the one-spike spiked model every earlier
    /// record ran, a missing `lawDraws` the 400 draws every earlier record drew.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var e = Experiment()
        try e.decodeRecordFields(Self.experimentFields, from: decoder)
        experiment = e
        lambdas = try c.decode([Double].self, forKey: .lambdas)
        gdLearningRate = try c.decode(Double.self, forKey: .gdLearningRate)
        specgdLearningRate = try c.decode(Double.self, forKey: .specgdLearningRate)
        stepsGD = try c.decode(Int.self, forKey: .stepsGD)
        stepsSpecGD = try c.decode(Int.self, forKey: .stepsSpecGD)
        initialization = try c.decodeIfPresent(String.self, forKey: .initialization)
        seeds = try c.decodeIfPresent(Int.self, forKey: .seeds)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        tolerances = try c.decode(EscapeTolerances.self, forKey: .tolerances)
        methods = try c.decodeIfPresent([OptimizerPreset].self, forKey: .methods)
        seedSpread = try SeedSpreadSettings(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try experiment.encodeRecordFields(Self.experimentFields, to: encoder)
        try c.encode(lambdas, forKey: .lambdas)
        try c.encode(gdLearningRate, forKey: .gdLearningRate)
        try c.encode(specgdLearningRate, forKey: .specgdLearningRate)
        try c.encode(stepsGD, forKey: .stepsGD)
        try c.encode(stepsSpecGD, forKey: .stepsSpecGD)
        try c.encodeIfPresent(initialization, forKey: .initialization)
        try c.encodeIfPresent(seeds, forKey: .seeds)
        try c.encodeIfPresent(seed, forKey: .seed)
        try c.encode(tolerances, forKey: .tolerances)
        try c.encodeIfPresent(methods, forKey: .methods)
        try seedSpread.encode(to: encoder)
    }
}

/// The `summary` block of escape-check.json.
public struct CheckEscapeSummary: Codable, Sendable, Equatable {
    /// No prediction failed and no run diverged (the exit status); `notCheckable` says how many
    /// could not be tested.
    public var allPassed: Bool
    public var held: Int
    public var failed: Int
    public var notCheckable: Int
    /// Rows whose run diverged (status `diverged`, `divergedStep`, the message as reason).
    public var diverged: Int
    public var total: Int
    public var lambdaCritical: Double
    public var q0: Double
    public var rows: [EscapeCheckRow]
    /// Per λ and paper method with dense runs: the map from every seed's own start against that
    /// seed, and the spread predicted from the law of W₀ (`CheckEscapeSeeds`); nil without
    /// simulations (`--no-simulation`). Reported, not counted in held/failed.
    public var seedTheory: [CheckEscapeSeeds]?
}

/// Per-seed theory of one λ and method of check-escape (docs/compare.md "Per-seed theory in
/// check-escape"): next to the map from αI, the map from every seed's projected W₀ against that
/// seed's simulation, and the spread over seeds the law of W₀ predicts against the measured seeds.
public struct CheckEscapeSeeds: Codable, Sendable, Equatable {
    public var lambda: Double
    public var method: String
    public var seeds: [SeedComparison]?
    public var spread: SeedSpread?
    /// Why there are no per-seed runs, in one line; nil when there are.
    public var note: String?

    public init(lambda: Double, method: String, seeds: [SeedComparison]? = nil, spread: SeedSpread? = nil, note: String? = nil) {
        self.lambda = lambda
        self.method = method
        self.seeds = seeds
        self.spread = spread
        self.note = note
    }

    /// seeds.csv: `lambda, is_specgd` then `SeedComparison.columns(groups:)`, one row per seed.
    static func seedsTable(_ entries: [CheckEscapeSeeds], groups: [String]) -> Table {
        var table = Table(columns: ["lambda", "is_specgd"] + SeedComparison.columns(groups: groups))
        for e in entries { for seed in e.seeds ?? [] { table.append([e.lambda, e.method == "specgd" ? 1 : 0] + seed.row) } }
        return table
    }

    /// spread.csv: `lambda, is_specgd` then `SeedSpread.table`'s columns, three rows per λ and method.
    static func spreadTable(_ entries: [CheckEscapeSeeds]) -> Table {
        // SeedSpread.table's columns (every entry with a spread has the same).
        let columns = entries.lazy.compactMap { $0.spread?.table.columns }.first ?? []
        var table = Table(columns: ["lambda", "is_specgd"] + columns)
        for e in entries {
            for row in e.spread?.table.rows ?? [] { table.append([e.lambda, e.method == "specgd" ? 1 : 0] + row) }
        }
        return table
    }
}

/// One check-escape run: the record (configuration + summary, as escape-check.json stores
/// them) and the files to write.
public struct CheckEscapeResult: Sendable {
    public var configuration: CheckEscapeConfiguration
    public var summary: CheckEscapeSummary
    /// The measurements behind amplification.csv, one point per λ (a diverged run's are left out).
    public var points: [EscapeFigure.Point]
    /// completed (diverged runs included: their rows say so), or interrupted with the
    /// λ-method run that saw the signal; the rows of the runs finished before it are kept.
    public var outcome: RunOutcome
    /// escape-check.csv, escape-check.json, amplification.csv, rho-curve.csv and the
    /// amplification figure.
    public var output: ExperimentOutput

    public var rows: [EscapeCheckRow] { summary.rows }
}

public enum CheckEscapeExperiment {
    public static let tableFile = "escape-check.csv"
    public static let recordFile = "escape-check.json"
    /// Per-seed theory and the predicted spread (`CheckEscapeSeeds`), with dense runs only.
    public static let seedsFile = "seeds.csv"
    public static let spreadFile = "spread.csv"

    /// The signed coefficients a, b, c of a theory table, as columns.
    static func coefficients(_ table: Table) -> [[Double]] {
        ["a_signed", "b_signed", "c_signed"].map { table.column($0) ?? [] }
    }

    /// A run stopped by `cancellation`: the runs finished before it keep their rows.
    struct Interrupted: Error { let outcome: RunOutcome }

    /// The rows of one run, measured on the rows it kept: a diverged run's rows all say
    /// `diverged` (its step and message), an interrupted run throws `Interrupted`.
    static func checked(_ outcome: RunOutcome, _ rows: () throws -> [EscapeCheckRow]) throws -> [EscapeCheckRow] {
        switch outcome.status {
        case .completed: return try rows()
        case .interrupted: throw Interrupted(outcome: outcome)
        case .diverged: return try rows().map { $0.diverged(at: outcome.lastStep, detail: outcome.detail ?? "diverged at step \(outcome.lastStep)") }
        }
    }

    /// The map from every seed's projected W₀ (`SeedTheory.configuration`) against that seed's
    /// simulation (`SeedComparison.measure`), next to the map from αI (`theory`), and the spread
    /// the law of W₀ predicts (`SeedTheory.predictedSpread`, as compare); the dense statistics are
    /// the map's on every covariance (W read through the map's groups). A diverged run or a
    /// start that cannot be projected gives the one-line reason instead; `run` runs a map and
    /// throws `Interrupted` when the run is stopped.
    static func seedTheory(lambda: Double, method: Method, config: TheoryConfiguration, theory: TheoryResult,
                           simulation: SimulationConfiguration, result: SimulationResult, settings: SeedSpreadSettings,
                           run: (TheoryConfiguration) throws -> TheoryResult) throws -> CheckEscapeSeeds {
        var entry = CheckEscapeSeeds(lambda: lambda, method: method.rawValue)
        if theory.outcome.status != .completed || result.outcome.status != .completed {
            entry.note = "the \(theory.outcome.status != .completed ? "map from αI" : "simulation") diverged"
            return entry
        }
        if let reason = SeedTheory.unavailableReason(simulation) { entry.note = reason; return entry }
        var seeds = [SeedComparison]()
        for (r, table) in result.perSeed.enumerated() {
            let own = try SeedTheory.configuration(theory: config, simulation: simulation, repetition: r)
            seeds.append(try SeedComparison.measure(seed: r, start: own.start!.coefficients, simulation: table,
                                                    simulationEscape: result.escapes[r], seedTheory: try run(own), identity: theory))
        }
        entry.seeds = seeds
        entry.spread = try SeedTheory.predictedSpread(theory: config, simulation: simulation, seeds: seeds,
                                                      settings: settings)
        return entry
    }

    /// Runs every λ × method (map, then the simulation when requested), one after the other.
    /// `jobs` parallelises a simulation's seeds (results do not depend on it); `progress`
    /// advances once per λ and method. A run that diverges gives rows with status `diverged`
    /// (measured on its rows up to the divergence) and the others go on; one that sees
    /// `cancellation` ends the check with the rows of the runs finished before it
    /// (`outcome` interrupted).
    public static func run(_ request: CheckEscapeRequest, jobs: Int = 1, cancellation: CancellationToken? = nil,
                           progress: SpecgdSupport.Progress? = nil) throws -> CheckEscapeResult {
        try request.seedSpread.validate()
        let lambdas = request.runLambdas, scope = request.scope
        let threshold = request.escapeThreshold, tolerances = request.tolerances
        var rows = [EscapeCheckRow]()
        var points = [EscapeFigure.Point]()
        var outcome = RunOutcome.completed(0)
        var perSeed = [CheckEscapeSeeds]()
        func theoryRun(_ config: TheoryConfiguration) throws -> TheoryResult {
            let result = try runTheoryKeepingRows(config, cancellation: cancellation)
            if result.outcome.status == .interrupted { throw Interrupted(outcome: result.outcome) }
            return result
        }
        do {
            for lambda in lambdas {
                var point = EscapeFigure.Point(lambda: lambda)
                let paper = request.resolvedMethods.filter(\.isPaperMethod).map { $0 == .gd ? Method.gd : Method.specgd }
                var specgdCoefficients: [[Double]]?
                for method in paper {
                    let config = try request.theoryConfiguration(method, lambda: lambda)
                    let theory = try theoryRun(config)
                    let rate = request.learningRate(method)
                    let map = try EscapeMeasurement.measure(theory.table, lambda: lambda, threshold: threshold)
                    rows += try checked(theory.outcome) {
                        EscapeCheck.rows(lambda: lambda, method: method.rawValue, source: .theoryMap, measurement: map,
                                         learningRate: rate, threshold: threshold, scope: scope, tolerances: tolerances)
                    }
                    let mapStop = theory.outcome.status == .diverged ? theory.outcome.detail : nil
                    var simulated: EscapeMeasurement?
                    if let configuration = try request.simulationConfiguration(method, lambda: lambda) {
                        let result = try Simulator(configuration).runKeepingRows(jobs: jobs, cancellation: cancellation)
                        let table = configuration.seeds == 1 ? result.perSeed[0] : result.aggregate
                        let m = try EscapeMeasurement.measure(table, lambda: lambda, threshold: threshold)
                        rows += try checked(result.outcome) {
                            EscapeCheck.rows(lambda: lambda, method: method.rawValue, source: .simulation, measurement: m,
                                             learningRate: rate, threshold: threshold, reference: map,
                                             referenceStop: mapStop, scope: scope, tolerances: tolerances)
                        }
                        if result.outcome.status == .completed { simulated = m }
                        perSeed.append(try seedTheory(lambda: lambda, method: method, config: config, theory: theory,
                                                      simulation: configuration, result: result,
                                                      settings: request.seedSpread, run: theoryRun))
                    }
                    let kept = mapStop == nil ? map : nil
                    if method == .gd { point.gdMap = kept; point.gdSimulation = simulated }
                    else { point.specgdMap = kept; point.specgdSimulation = simulated }
                    if method == .specgd, mapStop == nil { specgdCoefficients = Self.coefficients(theory.table) }
                    progress?.advance()
                }
                for method in request.resolvedMethods where !method.isPaperMethod {
                    let config = try request.familyConfiguration(method, lambda: lambda)
                    let theory = try theoryRun(config)
                    let m = try EscapeMeasurement.measure(theory.table, lambda: lambda, threshold: threshold)
                    let a = theory.table.column("a_signed") ?? []
                    var difference: Double?
                    if method == .signgd {
                        // Exact SpecGD at the same λ and budget (the paper run when it is in the list).
                        var exact = config
                        exact.optimizer = Optimizer(method: .specgd)
                        let reference = try specgdCoefficients.flatMap { $0.first?.count == a.count ? $0 : nil }
                            ?? Self.coefficients(theoryRun(exact).table)
                        difference = zip(Self.coefficients(theory.table), reference).map { zip($0, $1).map { abs($0 - $1) }.max() ?? .nan }.max()
                    }
                    rows += try checked(theory.outcome) {
                        EscapeCheck.familyRows(lambda: lambda, method: method.rawValue, measurement: m,
                                               firstMove: a.count > 1 ? a[1] - a[0] : .nan, learningRate: config.learningRate,
                                               threshold: threshold, dimension: request.dimension, optimizer: config.optimizer,
                                               trajectoryDifference: difference, scope: scope, tolerances: tolerances)
                    }
                    progress?.advance()
                }
                points.append(point)
            }
        } catch let stop as Interrupted {
            outcome = stop.outcome
        }

        let q0 = request.q0
        let gdRate = request.learningRate(.gd)
        let lambdaC = EscapeAnalytics.lambdaCritical(lr: gdRate, q: q0)
        let (held, failed, notCheckable, diverged) = EscapeCheck.tally(rows)
        let configuration = try request.configuration()
        let summary = CheckEscapeSummary(allPassed: failed == 0 && diverged == 0, held: held, failed: failed, notCheckable: notCheckable,
                                         diverged: diverged, total: rows.count, lambdaCritical: lambdaC, q0: q0, rows: rows,
                                         seedTheory: request.simulation == nil ? nil : perSeed)

        var output = ExperimentOutput()
        // The amplification figure is against λ: a covariance without a spike strength has none.
        if request.hasSpikeStrength {
            let tables = [EscapeFigure.pointsFile: EscapeFigure.pointsTable(points, learningRate: gdRate, specgdLearningRate: request.learningRate(.specgd)),
                          EscapeFigure.curveFile: EscapeFigure.curveTable(lambdas: lambdas, learningRate: gdRate, q: q0)]
            for name in [EscapeFigure.pointsFile, EscapeFigure.curveFile] { output.add(name, table: tables[name]!) }
            output.add(EscapeFigure.recipe(lambdaC: lambdaC, simulation: request.simulation != nil,
                                           initialization: request.simulation?.initialization ?? .gaussian), tables: tables)
        }
        output.add(tableFile, table: EscapeCheck.table(rows, methodCodes: request.methods.map { $0.map(\.rawValue) }))
        if perSeed.contains(where: { $0.seeds != nil }) {
            let groups = try TheoryConfiguration(request.experiment(lambda: lambdas[0])).model().groups.map(\.name)
            output.add(seedsFile, table: CheckEscapeSeeds.seedsTable(perSeed, groups: groups))
            output.add(spreadFile, table: CheckEscapeSeeds.spreadTable(perSeed))
        }
        output.add(recordFile, kind: "check-escape", configuration: configuration, summary: summary,
                   outcome: outcome.status == .interrupted ? outcome : nil)
        return CheckEscapeResult(configuration: configuration, summary: summary, points: points, outcome: outcome, output: output)
    }
}
