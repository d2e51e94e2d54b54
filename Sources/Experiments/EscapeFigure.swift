import Foundation
import Comparison
import Plot
import PlotRecipes
import SpecgdSupport
import Theory

/// The amplification-vs-λ figure of `check-escape`: measured b/a growth of GD and SpecGD
/// against ρ(λ) and ρ^k, with λ_c marked.
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

    public static let pointsFile = "amplification.csv"
    public static let curveFile = "rho-curve.csv"

    /// `amplification.csv`: one row per λ with the measured per-step growth and window
    /// amplification of each run (NaN where not run) and GD's prediction ρ^k.
    public static func pointsTable(_ points: [Point], learningRate: Double) -> Table {
        var table = Table(columns: ["lambda", "gd_predicted_growth", "gd_predicted_amplification",
                                    "gd_map_growth", "gd_map_amplification", "gd_sim_growth", "gd_sim_amplification",
                                    "specgd_map_growth", "specgd_map_amplification", "specgd_sim_growth", "specgd_sim_amplification"])
        for p in points {
            let reference = p.gdMap ?? p.gdSimulation
            let rho = reference.map { EscapeAnalytics.rho(lambda: p.lambda, lr: learningRate, q: $0.windowMeanQ) } ?? .nan
            let k = reference.map { Double($0.windowSteps) } ?? .nan
            func growth(_ m: EscapeMeasurement?) -> Double { m?.perStepGrowth ?? .nan }
            table.append([p.lambda, rho, pow(rho, k),
                          growth(p.gdMap), p.gdMap?.amplification ?? .nan,
                          growth(p.gdSimulation), p.gdSimulation?.amplification ?? .nan,
                          growth(p.specgdMap), p.specgdMap?.maxAmplification ?? .nan,
                          growth(p.specgdSimulation), p.specgdSimulation?.maxAmplification ?? .nan])
        }
        return table
    }

    /// `rho-curve.csv`: ρ(λ, η̃, q) on a fine log grid spanning the measured λ.
    public static func curveTable(lambdas: [Double], learningRate: Double, q: Double) -> Table {
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

    public static func recipe(lambdaC: Double, simulation: Bool, name: String = "amplification") -> FigureRecipe {
        let gd = Color.blue, spec = Color.vermillion
        let pts = pointsFile
        var growth: [SeriesRecipe] = [
            .line(curveFile, x: "lambda", y: "rho", label: "GD prediction (ρ, ρ^k)", color: gd, style: .dashed),
            .markers(pts, x: "lambda", y: "gd_map_growth", label: "GD map", color: gd, shape: .circle, filled: true),
            .markers(pts, x: "lambda", y: "specgd_map_growth", label: "SpecGD map", color: spec, shape: .diamond, filled: true),
        ]
        var total: [SeriesRecipe] = [
            .line(pts, x: "lambda", y: "gd_predicted_amplification", label: "GD prediction (ρ, ρ^k)", color: gd, style: .dashed),
            .markers(pts, x: "lambda", y: "gd_map_amplification", label: "GD map", color: gd, shape: .circle, filled: true),
            .markers(pts, x: "lambda", y: "specgd_map_amplification", label: "SpecGD map", color: spec, shape: .diamond, filled: true),
        ]
        if simulation {
            growth += [.markers(pts, x: "lambda", y: "gd_sim_growth", label: "GD sim.", color: gd, shape: .square, filled: false),
                       .markers(pts, x: "lambda", y: "specgd_sim_growth", label: "SpecGD sim.", color: spec, shape: .triangle, filled: false)]
            total += [.markers(pts, x: "lambda", y: "gd_sim_amplification", label: "GD sim.", color: gd, shape: .square, filled: false),
                      .markers(pts, x: "lambda", y: "specgd_sim_amplification", label: "SpecGD sim.", color: spec, shape: .triangle, filled: false)]
        }
        let lambdaLine = ReferenceRecipe(vertical: true, value: lambdaC, label: String(format: "λ_c = %.3g", lambdaC), color: .black, style: .dotted)
        let unit = ReferenceRecipe(vertical: false, value: 1, label: nil, color: .gray, style: .solid)
        return FigureRecipe(
            name: name, title: "Variance-induced misalignment: growth of b/a in the linear window",
            description: "Left: per-step growth of the spike-to-signal ratio b/a in the linear window against λ; GD follows ρ(λ, η̃, q) and exceeds 1 for λ > λ_c (dotted), SpecGD stays at 1. Right: total amplification of b/a over the window (GD: against ρ^k; SpecGD: its maximum over the window, bounded by 1). 'map' = exact summary map, 'sim.' = dense simulation (seed mean).",
            columns: 2, sharedLegend: true,
            panels: [
                PanelRecipe(title: "per-step growth of b/a", xLabel: "spike strength λ", yLabel: "growth per step",
                            xScale: .log, yScale: .linear, series: growth, references: [lambdaLine, unit]),
                PanelRecipe(title: "amplification over the linear window", xLabel: "spike strength λ",
                            yLabel: "(b/a)ₖ / (b/a)₀", xScale: .log, yScale: .log, series: total,
                            references: [lambdaLine, unit]),
            ])
    }
}
