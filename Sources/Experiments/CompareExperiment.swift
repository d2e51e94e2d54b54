import Comparison
import Foundation
import Plot
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory

/// What `specgd compare` runs: the exact summary map and dense simulations on one
/// configuration, per method, joined on the recorded steps. Codable (a replay reruns it).
public struct CompareRequest: Codable, Sendable, Equatable {
    /// Methods, run one after the other.
    public var methods: [Method]
    /// The theory side; its method is set per run (with the optimizer options that method
    /// reads: `Optimizer.restricted(to:)`), its λ replaced by `theoryLambda` when given.
    public var theory: TheoryConfiguration
    /// The simulation side; its method is set per run.
    public var simulation: SimulationConfiguration
    /// A deliberately different λ for the theory side (to see a comparison fail): the single
    /// spike's, or the leading one's of several (spiked covariance only).
    public var theoryLambda: Double?
    /// Pass/fail threshold on the scaled deviation (nil: report only).
    public var tolerance: Double?
    /// Floor of the scaled deviation's denominator.
    var toleranceFloor: Double
    /// Per-seed theory's predicted spread: draws of the projected start from the law of W₀ and
    /// the spread check's bootstrap (`SeedSpreadSettings`, as check-escape's).
    public var seedSpread: SeedSpreadSettings

    public init(methods: [Method], theory: TheoryConfiguration, simulation: SimulationConfiguration,
                theoryLambda: Double? = nil, tolerance: Double? = nil, toleranceFloor: Double = 1e-6,
                seedSpread: SeedSpreadSettings = SeedSpreadSettings()) {
        self.methods = methods
        self.theory = theory
        self.simulation = simulation
        self.theoryLambda = theoryLambda
        self.tolerance = tolerance
        self.toleranceFloor = toleranceFloor
        self.seedSpread = seedSpread
    }

    /// The theory side for one method (`theoryLambda` overrides the leading spike's λ).
    public func theoryConfiguration(_ method: Method) -> TheoryConfiguration {
        var c = theory
        c.optimizer = theory.optimizer.restricted(to: method)
        if let theoryLambda { c.experiment = c.experiment.withLeadingSpike(theoryLambda) }
        return c
    }

    /// The simulation side for one method.
    public func simulationConfiguration(_ method: Method) -> SimulationConfiguration {
        var c = simulation
        c.optimizer = simulation.optimizer.restricted(to: method)
        return c
    }

    /// The CSV of one method: compare-<method>.csv, however many methods are compared (one name
    /// pattern a reader can rely on).
    func csvName(_ method: Method) -> String { "compare-\(method.rawValue).csv" }

    /// The per-seed table of one method: seeds-<method>.csv.
    func seedsName(_ method: Method) -> String { "seeds-\(method.rawValue).csv" }

    /// The predicted-vs-measured spread of one method: spread-<method>.csv.
    func spreadName(_ method: Method) -> String { "spread-\(method.rawValue).csv" }

    /// The `configuration` block of report.json.
    public var configuration: CompareConfiguration {
        CompareConfiguration(methods: methods.map(\.rawValue), theoryLambda: theoryLambda,
                             tolerance: tolerance, toleranceFloor: toleranceFloor, seedSpread: seedSpread)
    }
}

/// The `configuration` block of report.json (the sides are in the summary's method reports).
public struct CompareConfiguration: Codable, Sendable, Equatable {
    public var methods: [String]
    public var theoryLambda: Double?
    public var tolerance: Double?
    public var toleranceFloor: Double
    /// Written at the top level only where it is not the default (`lawDraws`, …): a record of a
    /// run without `--law-draws` keeps its bytes, and one without the key (every earlier record)
    /// replays with the 400 draws it drew.
    public var seedSpread: SeedSpreadSettings

    public init(methods: [String], theoryLambda: Double?, tolerance: Double?, toleranceFloor: Double,
                seedSpread: SeedSpreadSettings = SeedSpreadSettings()) {
        self.methods = methods
        self.theoryLambda = theoryLambda
        self.tolerance = tolerance
        self.toleranceFloor = toleranceFloor
        self.seedSpread = seedSpread
    }

    private enum CodingKeys: String, CodingKey {
        case methods, theoryLambda, tolerance, toleranceFloor
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        methods = try c.decode([String].self, forKey: .methods)
        theoryLambda = try c.decodeIfPresent(Double.self, forKey: .theoryLambda)
        tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance)
        toleranceFloor = try c.decode(Double.self, forKey: .toleranceFloor)
        seedSpread = try SeedSpreadSettings(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(methods, forKey: .methods)
        try c.encodeIfPresent(theoryLambda, forKey: .theoryLambda)
        try c.encodeIfPresent(tolerance, forKey: .tolerance)
        try c.encode(toleranceFloor, forKey: .toleranceFloor)
        try seedSpread.encode(to: encoder)
    }
}

public struct CompareMethodReport: Codable, Sendable {
    public var method: String
    public var csv: String
    public var commonSteps: Int
    public var passed: Bool?
    public var deviations: [StatisticDeviation]
    public var theoryEscape: EscapeMetrics
    public var theory: TheoryConfiguration
    public var simulation: SimulationConfiguration
    /// How each side ended (completed | interrupted | diverged, with the step).
    public var theoryStatus: RunOutcome
    public var simulationStatus: RunOutcome
    /// Per seed: the map from the seed's own projected W₀ against its simulation, next to the
    /// map from αI (docs/compare.md); nil when per-seed theory does not apply (`seedTheoryNote`).
    public var seeds: [SeedComparison]?
    public var seedTheoryNote: String?
    /// The spread over seeds predicted from the law of W₀ against the measured seeds.
    public var spread: SeedSpread?
}

/// The predicted spread of one method (`SpreadPrediction`) against its measured seeds: the
/// quantiles side by side and the escape-step check (`SpreadCheck`).
public struct SeedSpread: Codable, Sendable, Equatable {
    public var prediction: SpreadPrediction
    public var measuredEscapeStep: SpreadQuantiles?
    public var measuredRatioAtEscape: SpreadQuantiles?
    public var measuredPeakAmplification: SpreadQuantiles?
    /// The escape-step check; the predicted draws are rounded up to the simulation's recording
    /// grid first (⌈k/E⌉·E, the first recorded step at or after k), the way the simulation's
    /// escape step is measured.
    public var escapeCheck: SpreadCheck

    /// spread-<method>.csv: one row per quantity (code 0 escape_step, 1 b_over_a_at_escape,
    /// 2 peak_amplification), predicted and measured q10/q50/q90.
    public var table: Table {
        var table = Table(columns: ["quantity_code", "predicted_q10", "predicted_q50", "predicted_q90",
                                    "measured_q10", "measured_q50", "measured_q90"])
        let rows: [(SpreadQuantiles?, SpreadQuantiles?)] = [
            (prediction.escapeStep, measuredEscapeStep), (prediction.ratioAtEscape, measuredRatioAtEscape),
            (prediction.peakAmplification, measuredPeakAmplification)]
        for (code, (p, m)) in rows.enumerated() {
            table.append([Double(code), p?.q10 ?? .nan, p?.q50 ?? .nan, p?.q90 ?? .nan, m?.q10 ?? .nan, m?.q50 ?? .nan, m?.q90 ?? .nan])
        }
        return table
    }
}

public struct CompareSummary: Codable, Sendable {
    public var passed: Bool?
    public var tolerance: Tolerance?
    public var methods: [CompareMethodReport]
}

/// One compare run: the record (report.json's configuration, summary and status), the
/// per-method comparisons and the files to write.
public struct CompareResult: Sendable {
    public var configuration: CompareConfiguration
    public var summary: CompareSummary
    /// How the run ended: the first side that stopped early (signal, divergence), else completed.
    public var outcome: RunOutcome
    /// The divergence behind a diverged outcome.
    public var divergence: DivergenceError?
    /// One per method that ran (parallel to `summary.methods`).
    public var comparisons: [Comparison.ComparisonResult]
    /// compare*.csv, overlay.svg (+ recipe) and report.json.
    public var output: ExperimentOutput

    /// nil without a tolerance; else whether every method passed.
    public var passed: Bool? { summary.passed }
}

public enum CompareExperiment {
    public static let recordFile = "report.json"
    public static let figureName = "overlay"

    /// Runs each method's theory map, then its simulation, and compares them. A run that
    /// stops early (`cancellation` cancelled, divergence) is compared on the steps both sides
    /// reached, its output is complete, and the remaining methods are not run; `outcome` says
    /// how it ended. `progress` makes one progress per simulation (label, total steps × seeds).
    public static func run(_ request: CompareRequest, jobs: Int = 1, cancellation: CancellationToken? = nil,
                           progress: (_ label: String, _ total: Int) -> SpecgdSupport.Progress? = { _, _ in nil })
        throws -> CompareResult {
        try request.seedSpread.validate()
        let tolerance = try request.tolerance.map { try Tolerance(relative: $0, floor: request.toleranceFloor) }
        var reports = [CompareMethodReport]()
        var comparisons = [Comparison.ComparisonResult]()
        var overlay = [OverlayRecipe.Method]()
        var tables = [String: Table]()
        var output = ExperimentOutput()
        var outcome = RunOutcome.completed(request.theory.steps), divergence: DivergenceError?
        var chatterRate: Double?
        for method in request.methods where outcome.status == .completed {
            let theoryConfig = request.theoryConfiguration(method)
            let theory = try runTheoryKeepingRows(theoryConfig, cancellation: cancellation)
            let simConfig = request.simulationConfiguration(method)
            var sim: SimulationResult?
            if theory.outcome.status != .interrupted {
                let bar = progress("simulate \(method.rawValue)", simConfig.steps * simConfig.seeds)
                sim = try Simulator(simConfig).runKeepingRows(jobs: jobs, progress: bar, cancellation: cancellation)
                bar?.finish()
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
            let csv = request.csvName(method)
            // Exact SpecGD's post-escape 2-cycle band of c (docs/model.md §5) next to the overlay's columns.
            let band = OverlayCaptions.hasChatterBand(theoryConfig)
            var table = band ? OverlayCaptions.withChatterBand(result.table, theory: theoryConfig,
                                                                escapeStep: theory.summary.escape.escapeStep) : result.table
            // The map from every seed's own W₀, and the spread the law of W₀ predicts.
            let perSeed = try seedTheory(theory: theoryConfig, identity: theory, simulation: simConfig, sim: sim,
                                         cancellation: cancellation)
            var seeds: [SeedComparison]?, spread: SeedSpread?
            if let perSeed {
                seeds = perSeed.seeds
                table = try SeedTheoryBand.adding(to: table, runs: perSeed.runs,
                                                  statistics: TrajectoryComparison.defaultStatistics + ["b_over_a"])
                spread = try SeedTheory.predictedSpread(theory: theoryConfig, simulation: simConfig, seeds: perSeed.seeds,
                                                        settings: request.seedSpread)
            }
            // A period-2 chatter of the theory curves as its band (found in the rows, any method).
            table = ChatterEnvelope.addingToOverlay(table)
            if band { chatterRate = theoryConfig.learningRate }
            output.add(csv, table: table)
            if let perSeed, let spread {
                output.add(request.seedsName(method), table: perSeed.table)
                output.add(request.spreadName(method), table: spread.table)
            }
            tables[csv] = table
            overlay.append(.init(label: method.displayName, csv: csv, table: table,
                                 color: method == .gd ? .blue : .vermillion, bandLabel: band ? OverlayCaptions.bandLabel : nil,
                                 seedTheoryColor: method == .gd ? .bluishGreen : .reddishPurple))
            comparisons.append(result)
            reports.append(CompareMethodReport(method: method.rawValue, csv: csv, commonSteps: result.commonSteps,
                                               passed: result.passed, deviations: result.deviations,
                                               theoryEscape: theory.summary.escape, theory: theoryConfig, simulation: simConfig,
                                               theoryStatus: theory.outcome, simulationStatus: sim.outcome,
                                               seeds: seeds, seedTheoryNote: SeedTheory.unavailableReason(simConfig), spread: spread))
        }
        let sim = request.simulation
        let model = request.theory.experiment.covarianceWords.map(\.text).joined(separator: ", ")
        let title = OverlayCaptions.title(prefix: "Theory vs simulation", model: model, dimension: request.theory.dimension,
                                          lr: request.theory.learningRate, alpha: request.theory.alpha,
                                          simulation: sim.initialization, seeds: sim.seeds, seed: sim.seed)
            + (request.theoryLambda.map { " (theory at λ = \(Table.format($0)))" } ?? "")
        var recipe = OverlayRecipe.recipe(methods: overlay, name: figureName, title: title,
                                          references: chatterRate.map(OverlayCaptions.chatterReferences) ?? [:])
        recipe.description += " Simulation: \(OverlayCaptions.seeds(count: sim.seeds, master: sim.seed))."
        if chatterRate != nil { recipe.description += " " + OverlayCaptions.chatterExplanation(simulation: sim.initialization) }
        output.add(recipe, tables: tables)
        let passed: Bool? = tolerance == nil ? nil : reports.allSatisfy { $0.passed == true }
        let summary = CompareSummary(passed: passed, tolerance: tolerance, methods: reports)
        output.add(recordFile, kind: "compare", configuration: request.configuration, summary: summary, outcome: outcome)
        return CompareResult(configuration: request.configuration, summary: summary, outcome: outcome,
                             divergence: divergence, comparisons: comparisons, output: output)
    }

    /// The map from each seed's projected W₀ (`SeedTheory`), compared with that seed's
    /// simulation; nil when per-seed theory does not apply (a random teacher). Seeds whose
    /// simulation did not run (a stopped run) are left out; an interrupted theory run ends the list.
    static func seedTheory(theory: TheoryConfiguration, identity: TheoryResult, simulation: SimulationConfiguration,
                           sim: SimulationResult, cancellation: CancellationToken?)
        throws -> (seeds: [SeedComparison], runs: [Table], table: Table)? {
        guard SeedTheory.unavailableReason(simulation) == nil else { return nil }
        let model = try theory.model()
        var seeds = [SeedComparison](), runs = [Table]()
        var table = Table(columns: SeedComparison.columns(groups: model.groups.map(\.name)))
        for (r, simTable) in sim.perSeed.enumerated() {
            let config = try SeedTheory.configuration(theory: theory, simulation: simulation, repetition: r)
            let run = try runTheoryKeepingRows(config, cancellation: cancellation)
            if run.outcome.status == .interrupted { break }
            let seed = try SeedComparison.measure(seed: r, start: config.start!.coefficients, simulation: simTable,
                                                  simulationEscape: sim.escapes[r], seedTheory: run, identity: identity)
            seeds.append(seed)
            runs.append(run.table)
            table.append(seed.row)
        }
        return (seeds, runs, table)
    }
}
