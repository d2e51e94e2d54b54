import Foundation
import Comparison
import Plot
import PlotRecipes
import SpecgdSupport
import Model
import Theory

/// The amplification-vs-λ figure of `check-escape`: measured b/a growth of GD against ρ(λ)
/// and ρ^k (λ_c marked), SpecGD's on a panel of its own that tells the claim (growth 1 from αI)
/// from the dense runs' relaxation of (b/a)₀, and the window's total amplification.
public enum EscapeFigure {
    /// The measurements at one λ (nil where that run was not made).
    public struct Point: Sendable {
        public var lambda: Double
        public var gdMap: EscapeMeasurement?
        public var gdSimulation: EscapeMeasurement?
        public var specgdMap: EscapeMeasurement?
        public var specgdSimulation: EscapeMeasurement?

        public init(lambda: Double, gdMap: EscapeMeasurement? = nil, gdSimulation: EscapeMeasurement? = nil,
                    specgdMap: EscapeMeasurement? = nil, specgdSimulation: EscapeMeasurement? = nil) {
            self.lambda = lambda
            self.gdMap = gdMap
            self.gdSimulation = gdSimulation
            self.specgdMap = specgdMap
            self.specgdSimulation = specgdSimulation
        }
    }

    static let pointsFile = "amplification.csv"
    static let curveFile = "rho-curve.csv"

    /// SpecGD's per-step growth of b/a over a window of k steps from (a₀, b₀ = r₀a₀) when a and
    /// b both grow by η per step (docs/model.md §5: in the linear window both gradient
    /// coefficients are negative): ((b₀ + kη)/(a₀ + kη) / r₀)^(1/k). From W₀ = αI (r₀ = 1) it is
    /// exactly 1; from a Gaussian W₀ (r₀ ≠ 1) b/a relaxes towards 1, so it is above 1 for
    /// r₀ < 1 and below for r₀ > 1, the further from 1 the shorter the window (large λ).
    public static func specgdRelaxationGrowth(initialSignal a0: Double, initialRatio r0: Double, steps k: Int,
                                              learningRate eta: Double) -> Double {
        guard k > 0, a0 > 0, r0 > 0 else { return .nan }
        let n = Double(k)
        return pow((r0 * a0 + n * eta) / (a0 + n * eta) / r0, 1 / n)
    }

    /// `amplification.csv`: one row per λ with the measured per-step growth and window
    /// amplification of each run (NaN where not run), GD's prediction ρ^k and, for the dense
    /// SpecGD runs, the relaxation of b/a from their measured start (`specgdRelaxationGrowth`).
    static func pointsTable(_ points: [Point], learningRate: Double, specgdLearningRate: Double? = nil) -> Table {
        var table = Table(columns: ["lambda", "gd_predicted_growth", "gd_predicted_amplification",
                                    "gd_map_growth", "gd_map_amplification", "gd_sim_growth", "gd_sim_amplification",
                                    "specgd_map_growth", "specgd_map_amplification", "specgd_sim_growth", "specgd_sim_amplification",
                                    "specgd_sim_relaxation_growth"])
        let eta = specgdLearningRate ?? learningRate
        for p in points {
            let reference = p.gdMap ?? p.gdSimulation
            let rho = reference.map { EscapeAnalytics.rho(lambda: p.lambda, lr: learningRate, q: $0.windowMeanQ) } ?? .nan
            let k = reference.map { Double($0.windowSteps) } ?? .nan
            func growth(_ m: EscapeMeasurement?) -> Double { m?.perStepGrowth ?? .nan }
            table.append([p.lambda, rho, pow(rho, k),
                          growth(p.gdMap), p.gdMap?.amplification ?? .nan,
                          growth(p.gdSimulation), p.gdSimulation?.amplification ?? .nan,
                          growth(p.specgdMap), p.specgdMap?.maxAmplification ?? .nan,
                          growth(p.specgdSimulation), p.specgdSimulation?.maxAmplification ?? .nan,
                          p.specgdSimulation.map {
                              specgdRelaxationGrowth(initialSignal: $0.initialSignal, initialRatio: $0.initialRatio,
                                                     steps: $0.windowSteps, learningRate: eta)
                          } ?? .nan])
        }
        return table
    }

    /// `rho-curve.csv`: ρ(λ, η̃, q) on a fine log grid spanning the measured λ.
    static func curveTable(lambdas: [Double], learningRate: Double, q: Double) -> Table {
        var table = Table(columns: ["lambda", "rho"])
        let positive = lambdas.filter { $0 > 0 }
        guard let lo = positive.min(), let hi = positive.max() else { return table }
        let (from, to) = (log10(lo) - 0.1, log10(max(hi, lo * 1.5)) + 0.1)
        for i in 0...200 {
            let lambda = pow(10, from + (to - from) * Double(i) / 200)
            table.append([lambda, EscapeAnalytics.rho(lambda: lambda, lr: learningRate, q: q)])
        }
        return table
    }

    /// Hollow simulation markers are drawn large and first, the filled map markers small and
    /// after them, so a map point inside a simulation point stays visible.
    static let simulationMarkerSize = 4.8, mapMarkerSize = 2.6

    /// `initialization`: where the dense runs start (the caption explains their SpecGD growth by it).
    public static func recipe(lambdaC: Double, simulation: Bool, initialization: Initialization = .gaussian,
                              name: String = "amplification") -> FigureRecipe {
        let gd = Color.blue, spec = Color.vermillion
        let pts = pointsFile
        func sims(_ kind: String) -> [SeriesRecipe] {
            guard simulation else { return [] }
            return [.markers(pts, x: "lambda", y: "gd_sim_\(kind)", label: "GD sim.", color: gd, shape: .square, filled: false,
                             size: simulationMarkerSize),
                    .markers(pts, x: "lambda", y: "specgd_sim_\(kind)", label: "SpecGD sim.", color: spec, shape: .triangle,
                             filled: false, size: simulationMarkerSize)]
        }
        func maps(_ kind: String) -> [SeriesRecipe] {
            [.markers(pts, x: "lambda", y: "gd_map_\(kind)", label: "GD map", color: gd, shape: .circle, filled: true, size: mapMarkerSize),
             .markers(pts, x: "lambda", y: "specgd_map_\(kind)", label: "SpecGD map", color: spec, shape: .diamond, filled: true,
                      size: mapMarkerSize)]
        }
        // GD's growth against ρ on its own panel; SpecGD's on another, where the claim (growth
        // exactly 1 from αI, the map's markers on the unit line) and the dense runs' relaxation
        // of (b/a)₀ towards 1 (shaded from the claim to its closed form, dotted) are told apart.
        let gdGrowth: [SeriesRecipe] = [.line(curveFile, x: "lambda", y: "rho", label: "GD prediction (ρ, ρ^k)", color: gd, style: .dashed)]
            + sims("growth").filter { $0.y.hasPrefix("gd_") } + maps("growth").filter { $0.y.hasPrefix("gd_") }
        var specGrowth = [SeriesRecipe]()
        if simulation {
            specGrowth.append(.band(pts, x: "lambda", lower: "specgd_map_growth", upper: "specgd_sim_relaxation_growth",
                                    label: "SpecGD sim.: relaxation of (b/a)_0 towards 1, not amplification", color: spec))
            specGrowth.append(.line(pts, x: "lambda", y: "specgd_sim_relaxation_growth", label: "SpecGD sim. prediction: b/a relaxes from (b/a)_0",
                                    color: spec, style: .dotted))
        }
        specGrowth += sims("growth").filter { $0.y.hasPrefix("specgd_") } + maps("growth").filter { $0.y.hasPrefix("specgd_") }
        let total: [SeriesRecipe] = [.line(pts, x: "lambda", y: "gd_predicted_amplification", label: "GD prediction (ρ, ρ^k)", color: gd, style: .dashed)]
            + sims("amplification") + maps("amplification")
        let lambdaLine = ReferenceRecipe(vertical: true, value: lambdaC, label: String(format: "λ_c = %.3g", lambdaC), color: .black, style: .dotted)
        let unit = ReferenceRecipe(vertical: false, value: 1, label: nil, color: .gray, style: .solid)
        let claim = ReferenceRecipe(vertical: false, value: 1, label: "claim from αI: 1", color: .black, style: .solid)
        let relaxation = simulation
            ? " Dense SpecGD from \(OverlayCaptions.start(initialization)) starts at (b/a)_0 ≠ 1 (1 only from αI), and b/a relaxes towards 1 as a and b grow by about η per step: its per-step growth follows ((b_0 + kη)/(a_0 + kη)/(b/a)_0)^(1/k) over the window's k steps (dotted), above 1 when (b/a)_0 < 1, below when (b/a)_0 > 1, further from 1 at large λ where the window is shorter. The shaded band between the claim and that closed form is this relaxation: the start moving towards the manifold, not growth of the spike, and the measured points sit on its edge."
            : ""
        return FigureRecipe(
            name: name, title: "Variance-induced misalignment: growth of b/a in the linear window",
            description: "Left: GD's per-step growth of the spike-to-signal ratio b/a in the linear window against λ; it follows ρ(λ, η̃, q) and exceeds 1 for λ > λ_c (dotted). Middle: SpecGD's, on its own axis. The claim is about the map from W₀ = αI (b_0/a_0 = 1): there a and b both grow by η per step and the growth is exactly 1 (the solid line, the map's markers on it).\(relaxation) None of SpecGD's growth is amplification of the spike. Right: total amplification of b/a over the window (GD: against ρ^k; SpecGD: its maximum over the window, at most max(1, (a/b)_0)). 'map' = exact summary map, 'sim.' = dense simulation (seed mean).",
            columns: 3, sharedLegend: true,
            panels: [
                PanelRecipe(title: "GD: per-step growth of b/a", xLabel: "spike strength λ", yLabel: "growth per step",
                            xScale: .log, yScale: .linear, series: gdGrowth, references: [lambdaLine, unit]),
                PanelRecipe(title: "SpecGD: per-step growth of b/a", xLabel: "spike strength λ", yLabel: "growth per step",
                            xScale: .log, yScale: .linear, series: specGrowth, references: [claim]),
                PanelRecipe(title: "amplification over the linear window", xLabel: "spike strength λ",
                            yLabel: "(b/a)_k / (b/a)_0", xScale: .log, yScale: .log, series: total,
                            references: [lambdaLine, unit]),
            ])
    }
}
