import Foundation
import Comparison
import Plot
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory


// The bulk figure: the bulk mass, its coefficient and the signal over a long run.
extension FigureSet {
    func bulkContraction() throws -> (FigureRecipe, [String: Table]) {
        // An odd recording period: consecutive rows fall on both phases of a period-2 chatter,
        // so the rows hold both of its values (an even one would show a single phase).
        let steps = options.longSteps, every = max(1, steps / 400) | 1
        var joined = StepColumns()
        for side in sides {
            let t = try theory(side.optimizer, steps: steps, every: every).table
            for stat in ["q", "c", "a"] { joined.add("\(side.key)_\(stat)", from: t, column: stat) }
        }
        var table = joined.table
        let chatter = sides[1]
        for stat in ["q", "c", "a"] { table = Self.withEnvelope(table, column: "\(chatter.key)_\(stat)") }
        let description = isPaperSet
            ? "Bulk mass q = (d − 2)c², the bulk coefficient c and the signal a over a long run. SpecGD's bulk saturates where 2c² + T = 0 and then contracts at constant speed η, after which it chatters by ±η around its fixed point with period 2: the rows, recorded every \(every) steps (an odd number), alternate between the cycle's two values, and SpecGD is drawn as thin lines at the least and the largest value of each row and its neighbours with the band between them shaded. GD's bulk contracts multiplicatively, slowly while T ≈ 0."
            : "Bulk mass q = (d − 2)c², the bulk coefficient c and the signal a over a long run, for GD and \(compared) (\(comparedMap)). GD's bulk contracts multiplicatively, slowly while T ≈ 0. Exact SpecGD's saturation where 2c² + T = 0, its contraction at speed η and its ±η chatter (docs/model.md §5) are closed forms of exact SpecGD only: the figure shows what \(compared) does, drawn as thin lines at the least and the largest value of each row (recorded every \(every) steps) and its neighbours with the band between them shaded."
        let recipe = FigureRecipe(
            name: "bulk", title: title("Bulk growth and contraction (\(modelLabel), d = \(options.theoryDimension), exact map)"),
            description: description,
            columns: 3, sharedLegend: true, panels: [envelopePanel(stat: "q", title: "bulk mass q", label: "q = (d − 2) c²", log: true),
                                 envelopePanel(stat: "c", title: "bulk coefficient c", label: "c", log: true),
                                 envelopePanel(stat: "a", title: "signal a", label: "a", log: false)])
        return (recipe, ["bulk.csv": table])
    }

    /// A bulk panel: GD's line, and the second side drawn by its envelope (thin lines at the
    /// least and the largest of each row and its neighbours, shaded between), so a period-2
    /// chatter recorded at an odd period (rows alternating between the cycle's two values)
    /// shows as its band with both edges, not as a zigzag that fills it solid.
    func envelopePanel(stat: String, title: String, label: String, log: Bool) -> PanelRecipe {
        let gd = sides[0], other = sides[1], column = "\(other.key)_\(stat)"
        let band = isPaperSet ? "SpecGD's 2-cycle (min–max of neighbouring rows)" : "\(other.label): min–max of neighbouring rows"
        return PanelRecipe(title: title, xLabel: "step k", yLabel: label, yScale: log ? .log : .linear, series: [
            .line("bulk.csv", x: "step", y: "\(gd.key)_\(stat)", label: gd.label, color: gd.color),
            .band("bulk.csv", x: "step", lower: "\(column)_min", upper: "\(column)_max", label: band, color: other.color),
            .line("bulk.csv", x: "step", y: "\(column)_min", label: other.label, color: other.color, width: 1),
            .line("bulk.csv", x: "step", y: "\(column)_max", label: other.label, color: other.color, width: 1),
        ], legend: stat == "q")
    }

    /// `table` with `<column>_min` and `<column>_max`: the least and largest value of each row
    /// and the rows either side of it.
    static func withEnvelope(_ table: Table, column: String) -> Table {
        let values = table.column(column)!
        var out = Table(columns: table.columns + ["\(column)_min", "\(column)_max"])
        for (i, row) in table.rows.enumerated() {
            let window = values[max(0, i - 1)...min(values.count - 1, i + 1)]
            out.append(row + [window.min()!, window.max()!])
        }
        return out
    }
}
