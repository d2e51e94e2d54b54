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
/// in release; `full` is the paper's sizes. The problem is one `Experiment` (λ, η, α, a_esc,
/// the covariance, d of the theory-only figures, and the optimizer drawn against plain GD);
/// the grids, sizes and seeds are the figure set's own. Codable: every sidecar stores it as
/// `options`, the experiment's fields at the top level as they always were.
@dynamicMemberLookup
public struct FigureSetRequest: ExperimentConfiguration, Sendable, Codable, Equatable {
    /// λ, η, α, a_esc, the covariance, d of the theory-only figures (`theoryDimension`) and the
    /// optimizer of the second side (exact SpecGD unless another one is asked for).
    public var experiment = Experiment(method: .specgd, lambda: 8, dimension: 1000, alpha: 1e-3, learningRate: 1e-3)
    /// d of the theory-only figures (the experiment's dimension).
    public var theoryDimension: Int {
        get { experiment.dimension }
        set { experiment.dimension = newValue }
    }
    /// d of the dense simulations overlaid on the trajectories (a spectrum file's own d wins:
    /// `trajectoryDimension`).
    var simulationDimension: Int = 48
    /// d of the trajectories figure, both sides: `simulationDimension`, or the d a spectrum file
    /// fixes (`--covariance diagonal`).
    var trajectoryDimension: Int { experiment.covariance == .diagonal ? theoryDimension : simulationDimension }
    public var seeds: Int = 3
    public var seed: UInt64 = 0
    var trajectorySteps: Int = 3000
    /// The recording period of the trajectories figure: about 150 rows, an odd number of steps
    /// apart, so consecutive rows fall on both phases of a period-2 chatter and the figure draws
    /// its band (an even period would record one phase only, as if there were no chatter).
    var trajectoryEvery: Int { max(1, trajectorySteps / 150) | 1 }
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
    /// paper's baseline: exact SpecGD by default (coded as `optimizer` only when it is another
    /// one, so the default set's sidecars stay as they were).
    public var optimizer: Optimizer {
        get { experiment.optimizer }
        set { experiment.optimizer = newValue.isExactSpecGD ? Optimizer(method: .specgd) : newValue }
    }

    /// The experiment's fields the sidecar writes (d as `theoryDimension`), and its covariance.
    static let experimentFields: [Experiment.RecordField] = [.lambda, .learningRate, .alpha, .escapeThreshold, .dimension]
    static let experimentKeys: [Experiment.RecordField: String] = [.dimension: "theoryDimension"]

    private enum CodingKeys: String, CodingKey {
        case simulationDimension, seeds, seed, trajectorySteps, lambdas, dimensions, longSteps
        case optimizer
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try experiment.decodeRecordFields(Self.experimentFields, keys: Self.experimentKeys, from: decoder)
        simulationDimension = try c.decode(Int.self, forKey: .simulationDimension)
        seeds = try c.decode(Int.self, forKey: .seeds)
        seed = try c.decode(UInt64.self, forKey: .seed)
        trajectorySteps = try c.decode(Int.self, forKey: .trajectorySteps)
        lambdas = try c.decode([Double].self, forKey: .lambdas)
        dimensions = try c.decode([Int].self, forKey: .dimensions)
        longSteps = try c.decode(Int.self, forKey: .longSteps)
        optimizer = try c.decodeIfPresent(Optimizer.self, forKey: .optimizer) ?? Optimizer(method: .specgd)
    }

    /// The one-spike spiked model with exact SpecGD writes the keys the sidecars always had.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try experiment.encodeRecordFields(Self.experimentFields, keys: Self.experimentKeys, to: encoder)
        try c.encode(simulationDimension, forKey: .simulationDimension)
        try c.encode(seeds, forKey: .seeds)
        try c.encode(seed, forKey: .seed)
        try c.encode(trajectorySteps, forKey: .trajectorySteps)
        try c.encode(lambdas, forKey: .lambdas)
        try c.encode(dimensions, forKey: .dimensions)
        try c.encode(longSteps, forKey: .longSteps)
        if !optimizer.isExactSpecGD { try c.encode(optimizer, forKey: .optimizer) }
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
    /// the covariance's (as every command), then each backend's: the exact map and the dense
    /// runs of the trajectories take it.
    public func validate() throws {
        try optimizer.validate()
        let set = FigureSet(self)
        try set.theoryConfiguration(optimizer, steps: trajectorySteps, every: 1).validate()
        if unsupported("trajectories") == nil { try set.trajectorySimulation(optimizer).validate() }
        if figures.isEmpty { throw InputError("no figure of the set can be drawn for \(InputError.field("covariance")) \(experiment.covariance.rawValue)") }
    }

    /// Why `figure` is not drawn for this covariance, in one line with its fields marked (nil:
    /// it is; `.message` reads it, the CLI shows the flags). A figure over
    /// λ needs a spike strength; one over d a d the covariance does not fix; muon-at-scale runs
    /// d up to 10⁸, which only the spiked model's groups afford.
    public func unsupported(_ figure: String) -> InputError? {
        let kind = experiment.covariance, f = InputError.field
        let noSpike = "it varies the spike strength λ, and \(f("covariance")) \(kind.rawValue) has none"
        switch figure {
        case "escape-vs-lambda", "loss", "muon-at-scale":
            return kind == .spiked ? nil : InputError(noSpike)
        case "escape-vs-dim":
            if kind == .diagonal { return InputError("it varies d, and the \(f("spectrum")) file fixes d = \(theoryDimension)") }
            if kind == .powerLaw, let smallest = dimensions.min(), experiment.signalIndex > smallest {
                return InputError("its smallest d = \(smallest) is below \(f("signalIndex")) \(experiment.signalIndex)")
            }
            return nil
        case "trajectories":
            // Its dense runs measure the map's groups (docs/model.md §5), so every covariance
            // overlays (at `trajectoryDimension`).
            if kind == .powerLaw && experiment.signalIndex > simulationDimension {
                return InputError("its dense runs' d = \(simulationDimension) is below \(f("signalIndex")) \(experiment.signalIndex)")
            }
            return nil
        case "power-law":
            if kind == .powerLaw && experiment.signalIndex > FigureSet.powerLawDimension {
                return InputError("its d = \(FigureSet.powerLawDimension) is below \(f("signalIndex")) \(experiment.signalIndex)")
            }
            return nil
        default:
            return nil
        }
    }

    /// The figures drawn for this covariance, in `FigureSet.names` order.
    public var figures: [String] { FigureSet.names.filter { unsupported($0) == nil } }

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

    var options: FigureSetRequest
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
        var options: FigureSetRequest
        /// muon-at-scale only: its sizes (`options` leaves them out).
        public var muonScale: MuonAtScaleSizes?
    }

    /// Makes every figure, or those `only` names (`progress` is called with each name before it
    /// is made); the output holds, per figure, its CSVs, their sidecars (kind "figures") and the
    /// SVG with its recipe. A cancelled `cancellation` ends the set after the figures finished so far.
    public static func run(_ request: FigureSetRequest, only: Set<String>? = nil, cancellation: CancellationToken? = nil,
                           simulationProgress: SpecgdSupport.Progress? = nil,
                           progress: (String) -> Void = { _ in }) throws -> ExperimentOutput {
        try FigureSet(request, cancellation: cancellation, simulationProgress: simulationProgress).run(only: only, progress: progress)
    }

    func run(only: Set<String>? = nil, progress: (String) -> Void) throws -> ExperimentOutput {
        var output = ExperimentOutput()
        let makers: [(String, () throws -> (FigureRecipe, [String: Table]))] = [
            ("trajectories", trajectories), ("escape-vs-lambda", escapeVersusLambda), ("escape-vs-dim", escapeVersusDimension),
            ("loss", lossCurves), ("bulk", bulkContraction), ("power-law", powerLaw),
            ("muon-at-scale", muonAtScale),
        ]
        for (name, make) in makers where options.unsupported(name) == nil && only?.contains(name) ?? true {
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
        /// The colour of its per-seed theory band (compare's: not the side's, so it is not read
        /// as the simulation's band).
        var seedTheoryColor: Color
    }

    /// The CSV prefix of a second side that is not exact SpecGD (`specgd_` keeps meaning exact
    /// SpecGD; the sidecars' `options.optimizer` says which optimizer it is).
    static let optimizerKey = "optimizer"

    /// Whether the second side is exact SpecGD: the paper's figures, with their closed forms.
    var isPaperSet: Bool { options.optimizer.isExactSpecGD }

    /// Plain GD (the paper's baseline), then the requested optimizer (exact SpecGD by default).
    var sides: [Side] {
        let o = options.optimizer
        return [Side(key: "gd", label: Method.gd.displayName, optimizer: Optimizer(method: .gd), color: .blue, shape: .circle,
                     seedTheoryColor: .bluishGreen),
                Side(key: isPaperSet ? Method.specgd.rawValue : Self.optimizerKey, label: o.displayName, optimizer: o,
                     color: .vermillion, shape: .square, seedTheoryColor: .reddishPurple)]
    }

    /// The covariance in a title or description: "λ = 8" for the spiked model, its parts for another.
    var modelLabel: String { options.experiment.covarianceWords.map(\.text).joined(separator: ", ") }

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
        TheoryConfiguration(experiment(optimizer, lambda: lambda, dimension: dimension, steps: steps, every: every))
    }

    /// The request's experiment with `optimizer`, the leading spike at `lambda` and d, steps
    /// and recording period set: what every run of the set starts from.
    func experiment(_ optimizer: Optimizer, lambda: Double? = nil, dimension: Int? = nil, steps: Int, every: Int) -> Experiment {
        var e = lambda.map(options.experiment.withLeadingSpike) ?? options.experiment
        e.optimizer = optimizer
        if let dimension { e.dimension = dimension }
        e.steps = steps
        e.every = every
        return e
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
