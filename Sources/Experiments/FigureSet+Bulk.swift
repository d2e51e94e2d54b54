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
        let steps = options.longSteps, every = max(1, steps / 400)
        var joined = StepColumns()
        for side in sides {
            let t = try theory(side.optimizer, steps: steps, every: every).table
            for stat in ["q", "c", "a"] { joined.add("\(side.key)_\(stat)", from: t, column: stat) }
        }
        let table = joined.table
        let description = isPaperSet
            ? "Bulk mass q = (d − 2)c², the bulk coefficient c and the signal a over a long run. SpecGD's bulk saturates where 2c² + T = 0 and then contracts at constant speed η, after which it chatters by ±η around its fixed point (period 2: rows recorded every even number of steps all show the same phase); GD's bulk contracts multiplicatively, slowly while T ≈ 0."
            : "Bulk mass q = (d − 2)c², the bulk coefficient c and the signal a over a long run, for GD and \(compared) (\(comparedMap)). GD's bulk contracts multiplicatively, slowly while T ≈ 0. Exact SpecGD's saturation where 2c² + T = 0, its contraction at speed η and its ±η chatter (docs/model.md §5) are closed forms of exact SpecGD only: the figure shows what \(compared) does."
        let recipe = FigureRecipe(
            name: "bulk", title: title("Bulk growth and contraction (\(modelLabel), d = \(options.theoryDimension), exact map)"),
            description: description,
            columns: 3, sharedLegend: true, panels: [sidePanel(csv: "bulk.csv", stat: "q", title: "bulk mass q", label: "q = (d − 2) c²", log: true, legend: true),
                                 sidePanel(csv: "bulk.csv", stat: "c", title: "bulk coefficient c", label: "c", log: true, legend: false),
                                 sidePanel(csv: "bulk.csv", stat: "a", title: "signal a", label: "a", log: false, legend: false)])
        return (recipe, ["bulk.csv": table])
    }
}
