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

    public init(_ request: FigureSetRequest) {
        self.options = request
    }

    struct DataRecord: Codable, Sendable {
        var figure: String
        var description: String
        var options: FigureSetRequest
        /// muon-at-scale only: its sizes (`options` leaves them out).
        var muonScale: MuonAtScaleSizes?
    }

    /// Makes every figure (`progress` is called with each name before it is made); the output
    /// holds, per figure, its CSVs, their sidecars (kind "figures") and the SVG with its recipe.
    public static func run(_ request: FigureSetRequest, progress: (String) -> Void = { _ in }) throws -> ExperimentOutput {
        try FigureSet(request).run(progress: progress)
    }

    func run(progress: (String) -> Void) throws -> ExperimentOutput {
        var output = ExperimentOutput()
        let makers: [(String, () throws -> (FigureRecipe, [String: Table]))] = [
            ("trajectories", trajectories), ("escape-vs-lambda", escapeVersusLambda), ("escape-vs-dim", escapeVersusDimension),
            ("loss", lossCurves), ("bulk", bulkContraction), ("power-law", powerLaw),
            ("muon-at-scale", muonAtScale),
        ]
        for (name, make) in makers {
            progress(name)
            let (recipe, tables) = try make()
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
        try runTheory(theoryConfiguration(optimizer, lambda: lambda, dimension: dimension, steps: steps, every: every))
    }

    /// One panel with a line per side, reading `<side>_<stat>` columns of `csv`.
    func sidePanel(csv: String, stat: String, title: String, label: String, log: Bool, legend: Bool) -> PanelRecipe {
        PanelRecipe(title: title, xLabel: "step k", yLabel: label, yScale: log ? .log : .linear,
                    series: sides.map { .line(csv, x: "step", y: "\($0.key)_\(stat)", label: $0.label, color: $0.color) },
                    legend: legend)
    }

    /// The dense simulations overlaid on the trajectories: `optimizer` from a Gaussian W₀.
    func trajectorySimulation(_ optimizer: Optimizer) -> SimulationConfiguration {
        let every = max(1, options.trajectorySteps / 150)
        var c = SimulationConfiguration(method: optimizer.method, lambda: options.lambda, dimension: options.simulationDimension,
                                        initialization: .gaussian, alpha: options.alpha, learningRate: options.learningRate,
                                        steps: options.trajectorySteps, every: every, seeds: options.seeds, seed: options.seed)
        c.optimizer = optimizer
        c.recordWallTime = false
        return c
    }

    /// a, b, c, b/a, loss, alignment of GD and the second side at strong anisotropy: theory map
    /// lines over dense simulations from a random (gaussian) start, several seeds.
    func trajectories() throws -> (FigureRecipe, [String: Table]) {
        var tables = [String: Table](), methods = [OverlayRecipe.Method]()
        let d = options.simulationDimension, every = max(1, options.trajectorySteps / 150)
        let start = Initialization.gaussian
        var chatterRate: Double?
        for side in sides {
            let theoryConfiguration = theoryConfiguration(side.optimizer, dimension: d, steps: options.trajectorySteps, every: every)
            let theory = try runTheory(theoryConfiguration)
            let sim = try runSimulation(trajectorySimulation(side.optimizer))
            let simTable = options.seeds == 1 ? sim.perSeed[0] : sim.aggregate
            let comparison = try TrajectoryComparison.compare(theory: TrajectoryComparison.withSpikeRatio(theory.table), simulation: TrajectoryComparison.withSpikeRatio(simTable),
                                                              statistics: TrajectoryComparison.defaultStatistics + ["b_over_a"])
            let file = "trajectories-\(side.key).csv"
            // The 2-cycle band (and the η, η² levels) are exact SpecGD's closed forms (docs/model.md §5).
            let band = OverlayCaptions.hasChatterBand(theoryConfiguration)
            if band { chatterRate = options.learningRate }
            let table = band ? OverlayCaptions.withChatterBand(comparison.table, theory: theoryConfiguration,
                                                                escapeStep: theory.summary.escape.escapeStep) : comparison.table
            tables[file] = table
            methods.append(.init(label: side.label, csv: file, table: table, color: side.color,
                                 bandLabel: band ? OverlayCaptions.bandLabel : nil))
        }
        let title = OverlayCaptions.title(prefix: "GD vs \(compared)", lambda: options.lambda, dimension: d, lr: options.learningRate,
                                          alpha: options.alpha, simulation: start, seeds: options.seeds, seed: options.seed)
        var recipe = OverlayRecipe.recipe(methods: methods, name: "trajectories", title: title,
                                          references: chatterRate.map(OverlayCaptions.chatterReferences) ?? [:])
        let lines = isPaperSet ? "exact summary map from W₀ = αI" : "exact summary map from W₀ = αI (\(compared): \(comparedMap))"
        let setup = "Coefficients a (signal), b (spike), c (bulk), the ratio b/a, the loss and the alignment a²/‖W‖²_F against the step, at λ = \(Table.format(options.lambda)), lr = \(Table.format(options.learningRate)). Lines: \(lines); markers: dense simulations from a Gaussian W₀ (entries N(0, α²/d); \(OverlayCaptions.seeds(count: options.seeds, master: options.seed))\(options.seeds > 1 ? ", mean, band 10–90 %" : ""))."
        if chatterRate != nil {
            recipe.description = setup + " GD's spike b runs ahead of the signal a (b/a grows); SpecGD's does not. " + OverlayCaptions.chatterExplanation(simulation: start)
        } else {
            recipe.description = setup + " GD against \(compared). Exact SpecGD's post-escape 2-cycle band of c and its η, η² levels (docs/model.md §5) hold for exact SpecGD only and are not drawn."
        }
        return (recipe, tables)
    }

    /// The step budget of an escape-metric run: 8000 for GD (its escape slows with λ and d),
    /// 1500 = 3× ⌈(a_esc − α)/η⌉ for exact SpecGD, whose escape step is λ- and d-free, and GD's
    /// 8000 for every other optimizer, whose escape exact SpecGD's does not bound (a
    /// Newton–Schulz rule below its plateau moves a coordinate by less than η). A run that does
    /// not escape within it is a missing point.
    static func escapeBudget(_ optimizer: Optimizer) -> Int {
        optimizer.method != .gd && optimizer.isExactSpecGD ? 1500 : 8000
    }

    /// The escape columns of each side, in order.
    static let escapeStatistics = ["escape_step", "alignment_at_escape", "spike_alignment_at_escape", "amplification", "peak_amplification"]

    /// Escape metrics of the exact map for a list of configurations (one row each).
    func escapeRows(_ parameter: String, values: [Double], configure: (Double) -> (lambda: Double, dim: Int)) throws -> Table {
        var table = Table(columns: [parameter] + sides.flatMap { side in Self.escapeStatistics.map { "\(side.key)_\($0)" } })
        for value in values {
            var row = [value]
            let (lambda, dim) = configure(value)
            for side in sides {
                let steps = Self.escapeBudget(side.optimizer)
                let e = try theory(side.optimizer, lambda: lambda, dimension: dim, steps: steps, every: steps).summary.escape
                row += [e.escapeStep.map(Double.init) ?? .nan, e.alignmentAtEscape ?? .nan, e.signalSpikeAlignmentAtEscape ?? .nan,
                        e.amplification ?? .nan, e.peakAmplification]
            }
            table.append(row)
        }
        return table
    }

    /// The claim first: signal–spike alignment a²/(a²+b²) and the peak spike growth max |b/a|/|b/a|₀
    /// at escape (docs/model.md §5), then the escape step, then the overall alignment a²/‖W‖²_F,
    /// which also counts the bulk (SpecGD's bulk saturates early, so its overall alignment at
    /// escape is lower while its spike is not amplified).
    func escapePanels(csv: String, table: Table, x: String, xLabel: String, references: [ReferenceRecipe]) -> [PanelRecipe] {
        func series(_ column: String) -> [SeriesRecipe] {
            sides.flatMap { side -> [SeriesRecipe] in
                [.line(csv, x: x, y: "\(side.key)_\(column)", label: side.label, color: side.color),
                 .markers(csv, x: x, y: "\(side.key)_\(column)", label: side.label, color: side.color,
                          shape: side.shape, filled: true)]
            }
        }
        // Below λ_c every peak is 1 (up to SpecGD's ≈ 1): a log axis over less than a decade
        // would show a single label, so that panel is linear.
        let peak = sides.flatMap { table.column("\($0.key)_peak_amplification") ?? [] }.filter(\.isFinite).max() ?? 1
        let unit = ReferenceRecipe(vertical: false, value: 1, label: nil, color: .gray, style: .dotted)
        return [
            PanelRecipe(title: "signal–spike alignment", xLabel: xLabel, yLabel: "a² / (a² + b²) at escape", xScale: .log,
                        yScale: .linear, series: series("spike_alignment_at_escape"), references: references),
            PanelRecipe(title: "peak spike growth", xLabel: xLabel, yLabel: "max |b/a| / |b/a|₀ to escape", xScale: .log,
                        yScale: peak > 10 ? .log : .linear, series: series("peak_amplification"), references: references + [unit],
                        legend: false),
            PanelRecipe(title: "escape time", xLabel: xLabel, yLabel: "escape step (a ≥ \(Table.format(options.escapeThreshold)))",
                        xScale: .log, yScale: .log, series: series("escape_step"), references: references, legend: false),
            PanelRecipe(title: "overall alignment", xLabel: xLabel, yLabel: "a² / ‖W‖²_F at escape", xScale: .log,
                        yScale: .linear, series: series("alignment_at_escape"), references: references, legend: false),
        ]
    }

    /// For another optimizer than exact SpecGD: its map and budgets, in words.
    var escapeRunsNote: String {
        "\(compared) runs \(comparedMap) for \(Self.escapeBudget(options.optimizer)) steps, GD \(Self.escapeBudget(Optimizer(method: .gd))); a missing point is a run that did not escape within them."
    }

    func escapeVersusLambda() throws -> (FigureRecipe, [String: Table]) {
        let d = options.theoryDimension
        let table = try escapeRows("lambda", values: options.lambdas) { ($0, d) }
        let q0 = Double(d - 2) * options.alpha * options.alpha
        let lc = EscapeAnalytics.lambdaCritical(lr: options.learningRate, q: q0)
        let reference = ReferenceRecipe(vertical: true, value: lc, label: String(format: "λ_c = %.3g", lc), color: .black, style: .dotted)
        let metrics = "Signal–spike alignment a²/(a²+b²) at the escape step (first a ≥ \(Table.format(options.escapeThreshold))), the peak spike growth max |b/a|/|b/a|₀ up to escape, the escape step and the overall alignment a²/‖W‖²_F at escape, against λ for GD and \(compared) on the exact map (d = \(d), W₀ = \(Table.format(options.alpha))·I, η = \(Table.format(options.learningRate)))."
        let description = isPaperSet
            ? metrics + " Above λ_c GD's spike grows ahead of the signal and GD escapes misaligned; SpecGD's spike is never amplified (peak 1), its signal–spike alignment stays ≈ 1 and its escape time is λ-free. Its overall alignment is lower because its bulk c saturates early (see bulk), not because of the spike."
            : metrics + " λ_c (dotted) is GD's threshold (docs/model.md §5): above it GD's spike grows ahead of the signal. " + escapeRunsNote
        let recipe = FigureRecipe(
            name: "escape-vs-lambda", title: title("At escape, against the spike strength λ (d = \(d), exact map)"),
            description: description, columns: 2, sharedLegend: true,
            panels: escapePanels(csv: "escape-vs-lambda.csv", table: table, x: "lambda", xLabel: "spike strength λ", references: [reference]))
        return (recipe, ["escape-vs-lambda.csv": table])
    }

    func escapeVersusDimension() throws -> (FigureRecipe, [String: Table]) {
        let table = try escapeRows("dim", values: options.dimensions.map(Double.init)) { (options.lambda, Int($0)) }
        let description = isPaperSet
            ? "The same escape metrics against d at λ = \(Table.format(options.lambda)): signal–spike alignment and peak spike growth first, then the escape step and the overall alignment. The bulk mass q = (d − 2)c² grows with d, which slows GD and lets SpecGD's bulk saturate early."
            : "The same escape metrics against d at λ = \(Table.format(options.lambda)) for GD and \(compared): signal–spike alignment and peak spike growth first, then the escape step and the overall alignment. The bulk mass q = (d − 2)c² grows with d, which slows GD. " + escapeRunsNote
        let recipe = FigureRecipe(
            name: "escape-vs-dim", title: title("At escape, against the dimension d (λ = \(Table.format(options.lambda)), exact map)"),
            description: description, columns: 2, sharedLegend: true,
            panels: escapePanels(csv: "escape-vs-dim.csv", table: table, x: "dim", xLabel: "dimension d", references: []))
        return (recipe, ["escape-vs-dim.csv": table])
    }

    /// Below this relative spread two loss curves are one on the figure: 1 % is 0.004 decade,
    /// under a line's width on a log axis of ~7 decades over a panel.
    static let coincidenceTolerance = 0.01

    /// The largest relative spread max/min − 1 across `curves` at any row (0 for one curve).
    static func relativeSpread(_ curves: [[Double]]) -> Double {
        guard let count = curves.map(\.count).min() else { return 0 }
        var spread = 0.0
        for r in 0..<count {
            let values = curves.map { $0[r] }
            guard let lo = values.min(), let hi = values.max(), lo > 0 else { return .infinity }
            spread = max(spread, hi / lo - 1)
        }
        return spread
    }

    /// `value` rounded up to two significant digits, as a percentage ("0.64 %"), so the legend
    /// never claims a tighter agreement than the data have.
    static func percentUpperBound(_ value: Double) -> String {
        guard value > 0 else { return "0 %" }
        let percent = value * 100, exponent = Int(floor(log10(percent))) - 1
        let unit = pow(10, Double(exponent))
        return String(format: "%.\(max(0, -exponent))f", (percent / unit).rounded(.up) * unit) + " %"
    }

    /// The λ values of the loss figure: 1, λ and 4λ.
    var lossLambdas: [Double] { [1.0, options.lambda, 4 * options.lambda] }

    func lossCurves() throws -> (FigureRecipe, [String: Table]) {
        let lambdas = lossLambdas
        let steps = options.longSteps / 2, every = max(1, steps / 300)
        var joined = StepColumns()
        var series = [SeriesRecipe]()
        let styles: [LineStyle] = [.dotted, .solid, .dashed]
        var notes = [String]()
        for side in sides {
            var curves = [[Double]]()
            for lambda in lambdas {
                let t = try theory(side.optimizer, lambda: lambda, steps: steps, every: every).table
                joined.add("\(side.key)_lambda_\(Table.format(lambda))", from: t, column: "loss")
                curves.append(t.column("loss")!)
            }
            // Curves that coincide (SpecGD's: its plateau is λ-free) would hide their line
            // styles under one another: one legend entry says so, with the measured spread.
            let spread = Self.relativeSpread(curves)
            let coincide = spread < Self.coincidenceTolerance
            let list = lambdas.map(Table.format).joined(separator: ", ")
            if coincide { notes.append("\(side.label)'s three curves agree to \(Self.percentUpperBound(spread))") }
            for (i, lambda) in lambdas.enumerated() {
                let name = "\(side.key)_lambda_\(Table.format(lambda))"
                let label = coincide ? (i == 1 ? "\(side.label), λ = \(list) (coincide within \(Self.percentUpperBound(spread)))" : nil)
                    : "\(side.label), λ = \(Table.format(lambda))"
                series.append(.line("loss.csv", x: "step", y: name, label: label, color: side.color,
                                    style: coincide ? .solid : styles[i]))
            }
        }
        let table = joined.table
        let agreement = notes.isEmpty ? "" : " " + notes.joined(separator: "; ") + " (relative, at every recorded step), so the figure shows one curve and one legend entry for them."
        let claim = isPaperSet ? " SpecGD's plateau is short and λ-free; GD's plateau lengthens as the spike soaks up the early growth."
            : " GD's plateau lengthens as the spike soaks up the early growth."
        let recipe = FigureRecipe(
            name: "loss", title: title("Population loss (d = \(options.theoryDimension), exact map)"),
            description: "Population loss against the step for GD and \(compared) at λ ∈ {\(lambdas.map(Table.format).joined(separator: ", "))}.\(claim)\(agreement)",
            columns: 1, sharedLegend: true,
            panels: [PanelRecipe(title: "", xLabel: "step k", yLabel: "loss L", yScale: .log, series: series)])
        return (recipe, ["loss.csv": table])
    }

    func bulkContraction() throws -> (FigureRecipe, [String: Table]) {
        let steps = options.longSteps, every = max(1, steps / 400)
        var joined = StepColumns()
        for side in sides {
            let t = try theory(side.optimizer, steps: steps, every: every).table
            for stat in ["q", "c", "a"] { joined.add("\(side.key)_\(stat)", from: t, column: stat) }
        }
        let table = joined.table
        func panel(_ stat: String, _ title: String, _ label: String, log: Bool, legend: Bool) -> PanelRecipe {
            sidePanel(csv: "bulk.csv", stat: stat, title: title, label: label, log: log, legend: legend)
        }
        let description = isPaperSet
            ? "Bulk mass q = (d − 2)c², the bulk coefficient c and the signal a over a long run. SpecGD's bulk saturates where 2c² + T = 0 and then contracts at constant speed η, after which it chatters by ±η around its fixed point (period 2: rows recorded every even number of steps all show the same phase); GD's bulk contracts multiplicatively, slowly while T ≈ 0."
            : "Bulk mass q = (d − 2)c², the bulk coefficient c and the signal a over a long run, for GD and \(compared) (\(comparedMap)). GD's bulk contracts multiplicatively, slowly while T ≈ 0. Exact SpecGD's saturation where 2c² + T = 0, its contraction at speed η and its ±η chatter (docs/model.md §5) are closed forms of exact SpecGD only: the figure shows what \(compared) does."
        let recipe = FigureRecipe(
            name: "bulk", title: title("Bulk growth and contraction (λ = \(Table.format(options.lambda)), d = \(options.theoryDimension), exact map)"),
            description: description,
            columns: 3, sharedLegend: true, panels: [panel("q", "bulk mass q", "q = (d − 2) c²", log: true, legend: true),
                                 panel("c", "bulk coefficient c", "c", log: true, legend: false),
                                 panel("a", "signal a", "a", log: false, legend: false)])
        return (recipe, ["bulk.csv": table])
    }

    /// The power-law figure's model: d = 64, σ_i ∝ i^(−β) with β = 1, θ* on eigen-direction 16.
    static let powerLawDimension = 64, powerLawBeta = 1.0, powerLawSignal = 16

    /// One run of the power-law figure.
    func powerLawConfiguration(_ optimizer: Optimizer) -> TheoryConfiguration {
        let steps = options.longSteps / 2, every = max(1, steps / 300)
        var config = theoryConfiguration(optimizer, dimension: Self.powerLawDimension, steps: steps, every: every)
        config.covariance = .powerLaw
        config.beta = Self.powerLawBeta
        config.signalIndex = Self.powerLawSignal
        return config
    }

    func powerLaw() throws -> (FigureRecipe, [String: Table]) {
        let d = Self.powerLawDimension, beta = Self.powerLawBeta, signal = Self.powerLawSignal
        var joined = StepColumns()
        for side in sides {
            let t = try runTheory(powerLawConfiguration(side.optimizer)).table
            for stat in ["a", "alignment", "loss"] { joined.add("\(side.key)_\(stat)", from: t, column: stat) }
        }
        let table = joined.table
        func panel(_ stat: String, _ title: String, _ label: String, log: Bool, legend: Bool) -> PanelRecipe {
            sidePanel(csv: "power-law.csv", stat: stat, title: title, label: label, log: log, legend: legend)
        }
        let model = "A power-law spectrum (mean eigenvalue 1) with the teacher on the \(signal)-th eigen-direction, so the \(signal - 1) larger-variance directions compete with it."
        let description = isPaperSet
            ? model + " GD grows the high-variance directions first; SpecGD moves every direction at the same speed."
            : model + " GD against \(compared) (\(comparedMap)). GD grows the high-variance directions first."
        let recipe = FigureRecipe(
            name: "power-law", title: title("Power-law covariance σ_i ∝ i^(−\(Table.format(beta))), d = \(d), θ* on eigen-direction \(signal) (exact map)"),
            description: description,
            columns: 3, sharedLegend: true, panels: [panel("a", "signal a", "a", log: false, legend: true),
                                 panel("alignment", "alignment", "a² / ‖W‖²_F", log: false, legend: false),
                                 panel("loss", "population loss", "loss L", log: true, legend: false)])
        return (recipe, ["power-law.csv": table])
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
