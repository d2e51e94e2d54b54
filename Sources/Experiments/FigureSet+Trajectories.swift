import Foundation
import Comparison
import Plot
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory


// The trajectories figure: theory lines of both sides with the dense runs overlaid.
extension FigureSet {
    /// The dense simulations overlaid on the trajectories: `optimizer` from a Gaussian W₀.
    func trajectorySimulation(_ optimizer: Optimizer) -> SimulationConfiguration {
        let every = options.trajectoryEvery
        var c = SimulationConfiguration(experiment(optimizer, dimension: options.trajectoryDimension, steps: options.trajectorySteps, every: every))
        c.initialization = .gaussian
        c.seeds = options.seeds
        c.seed = options.seed
        c.recordWallTime = false
        return c
    }

    /// a, b, c, b/a, loss, alignment of GD and the second side at strong anisotropy: theory map
    /// lines over dense simulations from a random (gaussian) start, several seeds.
    func trajectories() throws -> (FigureRecipe, [String: Table]) {
        var tables = [String: Table](), methods = [OverlayRecipe.Method]()
        let d = options.trajectoryDimension, every = options.trajectoryEvery
        let start = Initialization.gaussian
        var chatterRate: Double?
        for side in sides {
            let theoryConfiguration = theoryConfiguration(side.optimizer, dimension: d, steps: options.trajectorySteps, every: every)
            let theory = try exactRun(theoryConfiguration)
            let simulation = trajectorySimulation(side.optimizer)
            let sim = try denseRun(simulation)
            let simTable = options.seeds == 1 ? sim.perSeed[0] : sim.aggregate
            let comparison = try TrajectoryComparison.compare(theory: TrajectoryComparison.withSpikeRatio(theory.table), simulation: TrajectoryComparison.withSpikeRatio(simTable),
                                                              statistics: TrajectoryComparison.defaultStatistics + ["b_over_a"])
            let file = "trajectories-\(side.key).csv"
            // The 2-cycle band (and the η, η² levels) are exact SpecGD's closed forms (docs/model.md §5).
            let band = OverlayCaptions.hasChatterBand(theoryConfiguration)
            if band { chatterRate = options.learningRate }
            var table = band ? OverlayCaptions.withChatterBand(comparison.table, theory: theoryConfiguration,
                                                                escapeStep: theory.summary.escape.escapeStep) : comparison.table
            // The map from every seed's own W₀ beside the simulation's band, as compare draws it.
            if let perSeed = try CompareExperiment.seedTheory(theory: theoryConfiguration, identity: theory, simulation: simulation,
                                                              sim: sim, cancellation: cancellation) {
                try cancellation?.check(step: 0)  // a stopped per-seed run ends the list early: drop the figure
                table = try SeedTheoryBand.adding(to: table, runs: perSeed.runs, statistics: TrajectoryComparison.defaultStatistics + ["b_over_a"])
            }
            // A period-2 chatter of the theory curves as its band (found in the rows, any method).
            table = ChatterEnvelope.addingToOverlay(table)
            tables[file] = table
            methods.append(.init(label: side.label, csv: file, table: table, color: side.color,
                                 bandLabel: band ? OverlayCaptions.bandLabel : nil, seedTheoryColor: side.seedTheoryColor))
        }
        let title = OverlayCaptions.title(prefix: "GD vs \(compared)", model: modelLabel, dimension: d, lr: options.learningRate,
                                          alpha: options.alpha, simulation: start, seeds: options.seeds, seed: options.seed)
        var recipe = OverlayRecipe.recipe(methods: methods, name: "trajectories", title: title,
                                          references: chatterRate.map(OverlayCaptions.chatterReferences) ?? [:])
        let lines = isPaperSet ? "exact summary map from W₀ = αI" : "exact summary map from W₀ = αI (\(compared): \(comparedMap))"
        let setup = "Coefficients a (signal), b (spike), c (bulk), the ratio b/a, the loss and the alignment a²/‖W‖²_F against the step, at \(modelLabel), lr = \(Table.format(options.learningRate)). Lines: \(lines); markers: dense simulations from a Gaussian W₀ (entries N(0, α²/d); \(OverlayCaptions.seeds(count: options.seeds, master: options.seed))\(options.seeds > 1 ? ", mean, band 10–90 %" : "")); dashed: the same map from each seed's own projected W₀ (docs/model.md §3)\(options.seeds > 1 ? ", mean, band 10–90 %" : "")."
        if chatterRate != nil {
            recipe.description = setup + " GD's spike b runs ahead of the signal a (b/a grows); SpecGD's does not. " + OverlayCaptions.chatterExplanation(simulation: start)
        } else {
            let theory = theoryConfiguration(sides[1].optimizer, dimension: d, steps: options.trajectorySteps, every: every)
            recipe.description = setup + " GD against \(compared). " + OverlayCaptions.noChatterBandReason(theory, label: compared)
        }
        return (recipe, tables)
    }
}
