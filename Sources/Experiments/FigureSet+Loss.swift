import Foundation
import Comparison
import Plot
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory


// The loss figure: both sides' population loss at three λ.
extension FigureSet {
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
}
