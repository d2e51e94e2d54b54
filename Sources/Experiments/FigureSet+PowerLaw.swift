import Foundation
import Comparison
import Plot
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory


// The power-law figure: a power-law spectrum with the teacher on a low-variance direction.
extension FigureSet {
    /// The power-law figure's model: d = 64, σ_i ∝ i^(−β) with β = 1, θ* on eigen-direction 16.
    static let powerLawDimension = 64, powerLawBeta = 1.0, powerLawSignal = 16

    /// β and the signal index of the figure: the request's with `--covariance power-law`, else
    /// the figure's own (β = 1, θ* on direction 16).
    var powerLawModel: (beta: Double, signal: Int) {
        options.experiment.covariance == .powerLaw ? (options.experiment.beta, options.experiment.signalIndex)
            : (Self.powerLawBeta, Self.powerLawSignal)
    }

    /// One run of the power-law figure.
    func powerLawConfiguration(_ optimizer: Optimizer) -> TheoryConfiguration {
        let steps = options.longSteps / 2, every = max(1, steps / 300)
        var config = theoryConfiguration(optimizer, dimension: Self.powerLawDimension, steps: steps, every: every)
        config.covariance = .powerLaw
        config.spikes = nil
        config.spectrum = nil
        (config.beta, config.signalIndex) = powerLawModel
        return config
    }

    func powerLaw() throws -> (FigureRecipe, [String: Table]) {
        let d = Self.powerLawDimension, (beta, signal) = powerLawModel
        var joined = StepColumns()
        for side in sides {
            let t = try exactRun(powerLawConfiguration(side.optimizer)).table
            for stat in ["a", "alignment", "loss"] { joined.add("\(side.key)_\(stat)", from: t, column: stat) }
        }
        let table = joined.table
        let model = "A power-law spectrum (mean eigenvalue 1) with the teacher on the \(signal)-th eigen-direction, so the \(signal - 1) larger-variance directions compete with it."
        let description = isPaperSet
            ? model + " GD grows the high-variance directions first; SpecGD moves every direction at the same speed."
            : model + " GD against \(compared) (\(comparedMap)). GD grows the high-variance directions first."
        let recipe = FigureRecipe(
            name: "power-law", title: title("Power-law covariance σ_i ∝ i^(−\(Table.format(beta))), d = \(d), θ* on eigen-direction \(signal) (exact map)"),
            description: description,
            columns: 3, sharedLegend: true, panels: [sidePanel(csv: "power-law.csv", stat: "a", title: "signal a", label: "a", log: false, legend: true),
                                 sidePanel(csv: "power-law.csv", stat: "alignment", title: "alignment", label: "a² / ‖W‖²_F", log: false, legend: false),
                                 sidePanel(csv: "power-law.csv", stat: "loss", title: "population loss", label: "loss L", log: true, legend: false)])
        return (recipe, ["power-law.csv": table])
    }
}
