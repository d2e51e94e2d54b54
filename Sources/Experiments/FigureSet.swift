import Foundation
import Comparison
import Plot
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory

/// The sizes of the paper's figure set (`specgd figures`): the request `FigureSet.run` runs.
/// `quick` keeps a debug build under a minute (for CI); the default takes well under a minute
/// in release; `full` is the paper's sizes. Codable: every sidecar stores it as `options`.
public struct FigureSetRequest: Sendable, Codable, Equatable {
    public var lambda: Double = 8
    public var learningRate: Double = 1e-3
    public var alpha: Double = 1e-3
    public var escapeThreshold: Double = 0.5
    /// d of the theory-only figures.
    public var theoryDimension: Int = 1000
    /// d of the dense simulations overlaid on the trajectories.
    public var simulationDimension: Int = 48
    public var seeds: Int = 3
    public var seed: UInt64 = 0
    public var trajectorySteps: Int = 3000
    public var lambdas: [Double] = [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]
    public var dimensions: [Int] = [10, 30, 100, 300, 1000, 3000, 10_000, 30_000]
    public var longSteps: Int = 12_000
    /// The sizes of "muon-at-scale". Not among the coded keys, so the other figures' sidecars
    /// stay as they were; that figure's sidecar stores them as `muonScale`.
    public var muonScale = MuonAtScaleSizes()
    /// The figures' size (one width for all of them). Not among the coded keys either: each
    /// recipe stores it, and the data do not depend on it.
    public var size: FigureSize = .screen
    /// The optimizer of the figures' second side (docs/model.md §6), against plain GD, the
    /// paper's baseline: exact SpecGD by default. Stored (and coded, as `optimizer`) only when
    /// it is another one, so the default set's sidecars stay as they were.
    public var optimizer: Optimizer {
        get { comparedOptimizer ?? Optimizer(method: .specgd) }
        set { comparedOptimizer = newValue.isExactSpecGD ? nil : newValue }
    }
    private var comparedOptimizer: Optimizer?

    private enum CodingKeys: String, CodingKey {
        case lambda, learningRate, alpha, escapeThreshold, theoryDimension, simulationDimension, seeds, seed,
             trajectorySteps, lambdas, dimensions, longSteps
        case comparedOptimizer = "optimizer"
    }

    public init() {}

    /// Larger simulations, finer λ and d grids, longer runs (a minute or two in release).
    public static var full: FigureSetRequest {
        var o = FigureSetRequest()
        o.simulationDimension = 100
        o.seeds = 5
        o.trajectorySteps = 3500
        o.lambdas = (0...24).map { 0.25 * pow(2, Double($0) / 3) }
        o.dimensions = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]
        o.longSteps = 20_000
        o.muonScale = .full
        return o
    }

    /// The optimizer's one-line refusals (an option its method ignores, a value out of range),
    /// then each backend's: the exact map and the dense runs of the trajectories take it.
    public func validate() throws {
        try optimizer.validate()
        let set = FigureSet(self)
        try set.theoryConfiguration(optimizer, steps: trajectorySteps, every: 1).validate()
        try set.trajectorySimulation(optimizer).validate()
    }

    public static var quick: FigureSetRequest {
        var o = FigureSetRequest()
        o.simulationDimension = 12
        o.seeds = 2
        o.trajectorySteps = 2600
        o.lambdas = [0.5, 1, 2, 4, 8, 16]
        o.dimensions = [10, 100, 1000, 10_000]
        o.longSteps = 6000
        o.muonScale = .quick
        return o
    }
}

/// The paper's figure set: every SVG with the CSV it was drawn from, a JSON sidecar per CSV
/// and the figure's recipe (so `export-notebook` can redraw it).
public struct FigureSet: Sendable {
    /// The figures, in the order `run` makes them.
    public static let names = ["trajectories", "escape-vs-lambda", "escape-vs-dim", "loss", "bulk", "power-law", "muon-at-scale"]

    public var options: FigureSetRequest
    /// Polled by the figures' runs: once cancelled, the figure being made is dropped and `run`
    /// returns the figures finished before it.
    var cancellation: CancellationToken?
    /// Advanced by every dense simulation step (total `simulationSteps`).
    var simulationProgress: SpecgdSupport.Progress?

    public init(_ request: FigureSetRequest, cancellation: CancellationToken? = nil,
                simulationProgress: SpecgdSupport.Progress? = nil) {
        self.options = request
        self.cancellation = cancellation
        self.simulationProgress = simulationProgress
    }

    /// The configuration of each data sidecar (kind "figures"; its summary is `["rows": n]`).
    public struct DataRecord: Codable, Sendable {
        public var figure: String
        public var description: String
        public var options: FigureSetRequest
        /// muon-at-scale only: its sizes (`options` leaves them out).
        public var muonScale: MuonAtScaleSizes?
    }

    /// Makes every figure (`progress` is called with each name before it is made); the output
    /// holds, per figure, its CSVs, their sidecars (kind "figures") and the SVG with its recipe.
    /// A cancelled `cancellation` ends the set after the figures finished so far.
    public static func run(_ request: FigureSetRequest, cancellation: CancellationToken? = nil,
                           simulationProgress: SpecgdSupport.Progress? = nil,
                           progress: (String) -> Void = { _ in }) throws -> ExperimentOutput {
        try FigureSet(request, cancellation: cancellation, simulationProgress: simulationProgress).run(progress: progress)
    }

    func run(progress: (String) -> Void) throws -> ExperimentOutput {
        var output = ExperimentOutput()
        let makers: [(String, () throws -> (FigureRecipe, [String: Table]))] = [
            ("trajectories", trajectories), ("escape-vs-lambda", escapeVersusLambda), ("escape-vs-dim", escapeVersusDimension),
            ("loss", lossCurves), ("bulk", bulkContraction), ("power-law", powerLaw),
            ("muon-at-scale", muonAtScale),
        ]
        for (name, make) in makers {
            if cancellation?.isCancelled == true { break }
            progress(name)
            let made: (FigureRecipe, [String: Table])
            do { made = try make() } catch is RunInterrupted { break }
            let (recipe, tables) = made
            for file in tables.keys.sorted() {
                let table = tables[file]!
                output.add(file, table: table)
                output.add(sidecarPath(for: file), kind: "figures",
                           configuration: DataRecord(figure: recipe.name, description: recipe.description, options: options,
                                                         muonScale: name == "muon-at-scale" ? options.muonScale : nil),
                           summary: ["rows": table.rows.count])
            }
            output.add(recipe, tables: tables)
        }
        output.resize(options.size)
        return output
    }

    /// One side of the figures: its optimizer, the prefix of its CSV columns (and the suffix of
    /// its trajectory file), its legend label, colour and marker.
    struct Side: Sendable {
        var key: String
        var label: String
        var optimizer: Optimizer
        var color: Color
        var shape: MarkerShape
    }

    /// The CSV prefix of a second side that is not exact SpecGD (`specgd_` keeps meaning exact
    /// SpecGD; the sidecars' `options.optimizer` says which optimizer it is).
    public static let optimizerKey = "optimizer"

    /// Whether the second side is exact SpecGD: the paper's figures, with their closed forms.
    var isPaperSet: Bool { options.optimizer.isExactSpecGD }

    /// Plain GD (the paper's baseline), then the requested optimizer (exact SpecGD by default).
    var sides: [Side] {
        let o = options.optimizer
        return [Side(key: "gd", label: Method.gd.displayName, optimizer: Optimizer(method: .gd), color: .blue, shape: .circle),
                Side(key: isPaperSet ? Method.specgd.rawValue : Self.optimizerKey, label: o.displayName, optimizer: o,
                     color: .vermillion, shape: .square)]
    }

    /// The second side's name, for descriptions.
    var compared: String { sides[1].label }

    /// Which exact map runs the second side, in words: the optimizer map of docs/model.md §6,
    /// or (exact SpecGD through another dense polar rule, gram) the discrete map itself.
    var comparedMap: String { options.optimizer.isPlain ? "the discrete map of docs/model.md §3" : "the optimizer map of docs/model.md §6" }

    /// `text` as the paper's set titles it, or led by "GD vs <optimizer>: " for another optimizer.
    func title(_ text: String) -> String {
        isPaperSet ? text : "GD vs \(compared): " + text.prefix(1).lowercased() + text.dropFirst()
    }

    /// The exact map of `optimizer` (the optimizer map of docs/model.md §6 unless it is plain).
    func theoryConfiguration(_ optimizer: Optimizer, lambda: Double? = nil, dimension: Int? = nil, steps: Int, every: Int) -> TheoryConfiguration {
        var config = TheoryConfiguration(method: optimizer.method, lambda: lambda ?? options.lambda, dimension: dimension ?? options.theoryDimension,
                                         alpha: options.alpha, learningRate: options.learningRate, steps: steps, every: every,
                                         escapeThreshold: options.escapeThreshold)
        config.optimizer = optimizer
        return config
    }

    func theory(_ optimizer: Optimizer, lambda: Double? = nil, dimension: Int? = nil, steps: Int, every: Int) throws -> TheoryResult {
        try exactRun(theoryConfiguration(optimizer, lambda: lambda, dimension: dimension, steps: steps, every: every))
    }

    /// `runTheory`, stopped by `cancellation` (throws `RunInterrupted`).
    func exactRun(_ configuration: TheoryConfiguration) throws -> TheoryResult {
        try runTheoryKeepingRows(configuration, cancellation: cancellation).requireCompleted()
    }

    /// `runSimulation`, stopped by `cancellation` (throws `RunInterrupted`).
    func denseRun(_ configuration: SimulationConfiguration) throws -> SimulationResult {
        try Simulator(configuration).runKeepingRows(progress: simulationProgress, cancellation: cancellation).requireCompleted()
    }

    /// One panel with a line per side, reading `<side>_<stat>` columns of `csv`.
    func sidePanel(csv: String, stat: String, title: String, label: String, log: Bool, legend: Bool) -> PanelRecipe {
        PanelRecipe(title: title, xLabel: "step k", yLabel: label, yScale: log ? .log : .linear,
                    series: sides.map { .line(csv, x: "step", y: "\($0.key)_\(stat)", label: $0.label, color: $0.color) },
                    legend: legend)
    }
}

/// Trajectories recorded on the same steps, joined column by column: `step` from the first
/// one added, then each named column. Figures store several runs in one CSV this way.
struct StepColumns {
    private(set) var columns = ["step"]
    private var data = [[Double]]()

    mutating func add(_ name: String, from trajectory: Table, column: String) {
        if data.isEmpty { data = [trajectory.column("step")!] }
        precondition(trajectory.rows.count == data[0].count, "joined trajectories must share their steps")
        columns.append(name)
        data.append(trajectory.column(column)!)
    }

    var table: Table {
        Table(columns: columns, rows: (0..<(data.first?.count ?? 0)).map { r in data.map { $0[r] } })
    }
}
