import Foundation
import Plot
import PlotRecipes
import SpecgdSupport
import Model
import Theory

/// The sizes of the "Muon at scale" figure (docs/model.md §6): which d and λ it runs and the
/// constant of its learning-rate scaling. Every run starts at α = 1/d with η = η̃ = c/√d, so
/// exact SpecGD's escape step ⌈(a_esc − α)/η⌉ grows like √d while GD's grows like √d·ln d,
/// and every curve stays within a few 10⁵ steps up to d = 10⁸ (the map's cost is d-free).
public struct MuonAtScaleSizes: Sendable, Codable, Equatable {
    public var dimensions: [Int] = [1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]
    public var lambdas: [Double] = [1, 4, 16, 64]
    /// c in η = c/√d. 0.3 keeps GD stable at λ = 64, d = 10³ (η̃ ≈ 0.0095) and gives exact
    /// SpecGD ≈ 53 steps to escape there.
    public var learningRateConstant: Double = 0.3

    public init() {}

    public static var quick: MuonAtScaleSizes {
        var s = MuonAtScaleSizes()
        s.dimensions = [1000, 100_000, 100_000_000]
        s.lambdas = [1, 16]
        return s
    }

    /// Half-decade steps in d.
    public static var full: MuonAtScaleSizes {
        var s = MuonAtScaleSizes()
        s.dimensions = (0...10).map { Int((1000 * pow(10, Double($0) / 2)).rounded()) }
        return s
    }

    /// η = c/√d (η̃ for GD).
    public func learningRate(dimension d: Int) -> Double { learningRateConstant / Double(d).squareRoot() }
    /// α = 1/d.
    public func alpha(dimension d: Int) -> Double { 1 / Double(d) }
}

/// One optimizer of the "Muon at scale" figure: a preset (its name is the CSV column prefix)
/// and how it is drawn. The optimizer is the preset's value; only the drawing is the figure's.
public struct MuonAtScaleSeries: Sendable, Equatable {
    public var preset: OptimizerPreset
    var color: Color
    var shape: MarkerShape

    /// The CSV column prefix.
    public var key: String { preset.name }
    public var optimizer: Optimizer { preset.optimizer }
    /// "GD", "SpecGD (exact polar)", or the polar rule in words ("NS5, K = 8").
    public var label: String {
        if optimizer.method == .gd { return "GD" }
        if optimizer.isExactSpecGD || optimizer.polar == .svd { return "SpecGD (exact polar)" }
        return optimizer.polarDetails.joined(separator: ", ")
    }

    /// GD, exact SpecGD, Muon's quintic with K = 5, 8, 10 and Polar Express (K = 5, safety 1.01):
    /// no momentum, so the differences are the polar rule's alone.
    public static let all: [MuonAtScaleSeries] = [
        .init(preset: .gd, color: .blue, shape: .circle),
        .init(preset: .specgd, color: .vermillion, shape: .square),
        .init(preset: OptimizerPreset("ns5_k5", Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 5)),
              color: .bluishGreen, shape: .diamond),
        .init(preset: OptimizerPreset("ns5_k8", Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 8)),
              color: .reddishPurple, shape: .triangle),
        .init(preset: OptimizerPreset("ns5_k10", Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 10)),
              color: .orange, shape: .circle),
        .init(preset: OptimizerPreset("polar_express", Optimizer(method: .specgd, polar: .polarExpress, newtonSchulzSteps: 5)),
              color: .skyBlue, shape: .square),
    ]
}

extension FigureSet {
    /// The one theory run behind a point of "Muon at scale": the exact map (the optimizer map for
    /// the Newton–Schulz rules) from α = 1/d with η = c/√d, recorded at its first and last step
    /// only. The budget passes the escape with room: GD 2× its linear-window estimate + 1000,
    /// the SpecGD family 4× exact SpecGD's ⌈(a_esc − α)/η⌉ + 100 (a run still short of a_esc
    /// there shows as a missing point, never as a value). `base` is the figure set's experiment
    /// (its covariance and a_esc); the run sets its λ (the leading spike), d, α, η, optimizer and steps.
    public static func muonAtScaleConfiguration(_ method: MuonAtScaleSeries, lambda: Double, dimension d: Int,
                                                sizes: MuonAtScaleSizes, base: Experiment) -> TheoryConfiguration {
        let lr = sizes.learningRate(dimension: d), alpha = sizes.alpha(dimension: d), escapeThreshold = base.escapeThreshold
        let steps: Int
        if method.optimizer.method == .gd {
            let q0 = Double(d - 2) * alpha * alpha
            let estimate = EscapeAnalytics.gdEscapeStepEstimate(alpha: alpha, threshold: escapeThreshold, lr: lr, q: q0) ?? 10_000
            steps = Int(2 * estimate) + 1000
        } else {
            steps = Int(4 * (EscapeAnalytics.specgdEscapeStepEstimate(alpha: alpha, threshold: escapeThreshold, lr: lr) ?? 1000)) + 100
        }
        var e = base.withLeadingSpike(lambda)
        e.optimizer = method.optimizer
        e.dimension = d
        e.alpha = alpha
        e.learningRate = lr
        e.steps = steps
        e.every = steps
        return TheoryConfiguration(e)
    }

    /// The file of one λ's rows.
    package static func muonAtScaleFile(lambda: Double) -> String { "muon-at-scale-lambda-\(Table.format(lambda)).csv" }

    /// The run behind the φ panel: `muonAtScaleConfiguration` stopped after step 1, so its last
    /// row carries the first update's `phi_<g>` columns (every method starts at αI there, so the
    /// values differ only by the schedule).
    static func muonAtScaleFirstStepConfiguration(_ method: MuonAtScaleSeries, lambda: Double, dimension d: Int,
                                                         sizes: MuonAtScaleSizes, base: Experiment) -> TheoryConfiguration {
        var config = muonAtScaleConfiguration(method, lambda: lambda, dimension: d, sizes: sizes, base: base)
        config.steps = 1
        config.every = 1
        return config
    }

    /// The Newton–Schulz series (the ones with `phi_<g>` columns).
    static var muonAtScaleNewtonSchulz: [MuonAtScaleSeries] { MuonAtScaleSeries.all.filter { $0.optimizer.schedule != nil } }

    /// One λ: a row per d with, per method, the escape step, the peak amplification
    /// max |b/a|/|b/a|₀ up to escape and the escape step relative to exact SpecGD's (NaN
    /// without escape); then per Newton–Schulz method φ_K(x_a) and φ_K(x_b) of step 1
    /// (`<key>_phi_a_step1`, `<key>_phi_b_step1`: the `phi_a`, `phi_b` columns of a one-step run).
    func muonAtScaleTable(lambda: Double, sizes: MuonAtScaleSizes) throws -> Table {
        let methods = MuonAtScaleSeries.all, newtonSchulz = Self.muonAtScaleNewtonSchulz
        var table = Table(columns: ["dim", "lr", "alpha"] + methods.flatMap { m in
            ["escape_step", "peak_amplification", "escape_ratio"].map { "\(m.key)_\($0)" }
        } + newtonSchulz.flatMap { ["\($0.key)_phi_a_step1", "\($0.key)_phi_b_step1"] })
        for d in sizes.dimensions {
            let escapes = try methods.map {
                try runTheory(Self.muonAtScaleConfiguration($0, lambda: lambda, dimension: d, sizes: sizes,
                                                            base: options.experiment)).summary.escape
            }
            let exact = escapes[methods.firstIndex { $0.key == "specgd" }!].escapeStep.map(Double.init) ?? .nan
            var row = [Double(d), sizes.learningRate(dimension: d), sizes.alpha(dimension: d)]
            for e in escapes {
                let step = e.escapeStep.map(Double.init) ?? .nan
                row += [step, e.peakAmplification, step / exact]
            }
            for m in newtonSchulz {
                let first = try runTheory(Self.muonAtScaleFirstStepConfiguration(m, lambda: lambda, dimension: d, sizes: sizes,
                                                                                base: options.experiment)).table
                row += ["phi_a", "phi_b"].map { first.rows.last![first.index(of: $0)!] }
            }
            table.append(row)
        }
        return table
    }

    /// The "muon-at-scale" figure of `request` alone (its recipe and its CSVs by file name).
    public static func muonAtScale(_ request: FigureSetRequest) throws -> (FigureRecipe, [String: Table]) {
        try FigureSet(request).muonAtScale()
    }

    /// Peak b/a and escape step against d (10³ … 10⁸) for GD, exact SpecGD, NS5 with K = 5, 8,
    /// 10 and Polar Express: one column of panels per λ.
    func muonAtScale() throws -> (FigureRecipe, [String: Table]) {
        let sizes = options.muonScale
        var tables = [String: Table]()
        for lambda in sizes.lambdas { tables[Self.muonAtScaleFile(lambda: lambda)] = try muonAtScaleTable(lambda: lambda, sizes: sizes) }
        func series(_ csv: String, _ stat: String, methods: [MuonAtScaleSeries]) -> [SeriesRecipe] {
            methods.flatMap { m -> [SeriesRecipe] in
                [.line(csv, x: "dim", y: "\(m.key)_\(stat)", label: m.label, color: m.color),
                 .markers(csv, x: "dim", y: "\(m.key)_\(stat)", label: m.label, color: m.color, shape: m.shape, filled: true)]
            }
        }
        let all = MuonAtScaleSeries.all, family = all.filter { $0.key != "gd" }
        let unit = ReferenceRecipe(vertical: false, value: 1, label: nil, color: .gray, style: .dotted)
        var panels = [PanelRecipe]()
        for (row, (stat, label, log)) in [("peak_amplification", "peak |b/a| / |b/a|₀", true),
                                          ("escape_step", "escape step (a ≥ \(Table.format(options.escapeThreshold)))", true),
                                          ("escape_ratio", "escape step / exact SpecGD's", false)].enumerated() {
            for (i, lambda) in sizes.lambdas.enumerated() {
                let csv = Self.muonAtScaleFile(lambda: lambda)
                // GD's ratio (≈ 10) would flatten the SpecGD family's; its escape step is in the row above.
                let methods = stat == "escape_ratio" ? family : all
                // A log axis over less than a decade shows one tick: below λ_c GD's peak is 1 and every
                // curve stays within a factor of 2, so that panel is linear.
                let peak = methods.flatMap { tables[csv]!.column("\($0.key)_\(stat)")! }.filter(\.isFinite).max() ?? 1
                let logScale = log && (stat != "peak_amplification" || peak > 10)
                panels.append(PanelRecipe(title: "λ = \(Table.format(lambda))", xLabel: "dimension d", yLabel: label,
                                          xScale: .log, yScale: logScale ? .log : .linear, series: series(csv, stat, methods: methods),
                                          references: stat == "escape_step" ? [] : [unit], legend: row == 0 && i == 0))
            }
        }
        // φ_K at step 1: the signal's (solid, filled) and the spike's (dashed, open) singular value of
        // the first Newton–Schulz update; exact SpecGD's is 1 for both (the dotted line).
        for lambda in sizes.lambdas {
            let csv = Self.muonAtScaleFile(lambda: lambda)
            let phi = Self.muonAtScaleNewtonSchulz.flatMap { m -> [SeriesRecipe] in
                [.line(csv, x: "dim", y: "\(m.key)_phi_a_step1", label: nil, color: m.color),
                 .markers(csv, x: "dim", y: "\(m.key)_phi_a_step1", label: nil, color: m.color, shape: m.shape, filled: true),
                 .line(csv, x: "dim", y: "\(m.key)_phi_b_step1", label: nil, color: m.color, style: .dashed),
                 .markers(csv, x: "dim", y: "\(m.key)_phi_b_step1", label: nil, color: m.color, shape: m.shape, filled: false)]
            }
            panels.append(PanelRecipe(title: "λ = \(Table.format(lambda))", xLabel: "dimension d",
                                      yLabel: "φ_K at step 1: signal ●—, spike ○- -", xScale: .log, yScale: .linear,
                                      series: phi, references: [unit], legend: false))
        }
        let c = Table.format(sizes.learningRateConstant)
        let recipe = FigureRecipe(
            name: "muon-at-scale", title: "Muon at scale: Newton–Schulz polar factors against d (exact map, α = 1/d, η = \(c)/√d)",
            description: "Peak amplification max |b/a|/|b/a|₀ up to escape (top), the escape step (middle) and the escape step relative to exact SpecGD's (third row) and the Newton–Schulz singular values φ_K(x_a), φ_K(x_b) of the first update (bottom: signal filled and solid, spike open and dashed) against d from \(sizes.dimensions.first!) to \(sizes.dimensions.last!), one column per λ, on the exact grouped map (docs/model.md §6) from W₀ = I/d with η = η̃ = \(c)/√d and no momentum. A fixed number K of Newton–Schulz steps lifts a normalised coordinate x ≈ G_g/‖G‖_F = O(d^(-½)) only by about a₁^K, so at large d the signal's coordinate falls below the plateau while the spike's, (1+λ) times larger, does not: read off where each K stops behaving like exact SpecGD. The bottom row shows it directly: at large d the signal's φ_K falls below 1 while the spike's stays on the plateau, so the spike again moves faster than the signal.",
            columns: sizes.lambdas.count, sharedLegend: true, panels: panels)
        return (recipe, tables)
    }
}
