import Foundation
import ArgumentParser
import NumericKit
import SpecgdSupport
import Model
import Theory

/// Steps per second of the exact optimizer map (docs/model.md §6) on the spiked 3-group model:
/// by default Muon's recipe (SpecGD, NS5 with K = 5, Nesterov momentum β = 0.95), the map
/// scripts/bench-all's "optimizer map" row times. Prints elapsed_seconds (best of --runs),
/// steps_per_second and the final a, b, c (for an agreement check against a reference).
struct OptimizerMapBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimizer-map",
        abstract: "Best wall time of the exact optimizer map on the spiked model (default: Muon's NS5 + Nesterov momentum).")

    @Option(help: "gd, specgd, signgd or adam.")
    var method: String = "specgd"

    @Option(help: "SpecGD's polar rule: svd, ns3, ns5, polar-express.")
    var polar: String = "ns5"

    @Option(name: .customLong("ns-steps"), parsing: .unconditional, help: "Newton–Schulz steps K.")
    var newtonSchulzSteps: Int = 5

    @Option(parsing: .unconditional, help: "Momentum β (0 = none; not for adam).")
    var momentum: Double = 0.95

    // A Bool flag defaulting to true needs its inversion (ArgumentParser refuses it otherwise).
    @Flag(inversion: .prefixedNo, help: "Nesterov momentum (default on).")
    var nesterov = true

    @Option(parsing: .unconditional, help: "Spike strength λ.")
    var lambda: Double = 8

    @Option(name: .customLong("dim"), parsing: .unconditional, help: "Dimension d (only a multiplicity).")
    var dimension: Int = 1000

    @Option(parsing: .unconditional, help: "Initial scale α (W₀ = αI).")
    var alpha: Double = 1e-3

    /// 10⁷ steps of 10⁻⁷ take a from α through escape (a ≈ 0.7), the regime the map is run in;
    /// far past escape the spike decays geometrically into subnormals, which cost more per step.
    @Option(parsing: .unconditional, help: "Learning rate η.")
    var lr: Double = 1e-7

    @Option(parsing: .unconditional, help: "Steps per run.")
    var steps: Int = 10_000_000

    @Option(parsing: .unconditional, help: "Timed runs (the best is printed).")
    var runs: Int = 3

    /// A sweep's row of cells: the batched escape metrics (`OptimizerMap.escapeMetrics(model:
    /// optimizer:learningRates:…)`) over `cells` learning rates spread log-evenly over
    /// [lr, 10·lr]; prints cell_steps_per_second and each cell's escape step.
    @Option(parsing: .unconditional, help: "Cells in one batch (1 = a single trajectory; more: the batched escape over lr … 10·lr).")
    var cells: Int = 1

    func optimizer() throws -> Optimizer {
        guard let method = Method(rawValue: method) else { throw InputError("--method: gd, specgd, signgd or adam (got '\(self.method)')") }
        var optimizer = Optimizer(method: method, momentum: method == .adam ? 0 : momentum, nesterov: method != .adam && momentum > 0 && nesterov)
        if method == .specgd {
            guard let rule = PolarMethod(rawValue: polar), rule != .custom else {
                throw InputError("--polar: svd, gram, ns3, ns5 or polar-express (got '\(polar)')")
            }
            optimizer.polar = rule
            if rule.isNewtonSchulz { optimizer.newtonSchulzSteps = newtonSchulzSteps }
        }
        return optimizer
    }

    func run() throws {
        try Validate.atLeast(runs, 1, "runs")
        try Validate.atLeast(steps, 1, "steps")
        try Validate.atLeast(cells, 1, "cells")
        let model = try GroupedModel.spiked(lambda: lambda, dimension: dimension)
        if cells > 1 { return try runBatch(model) }
        let map = try OptimizerMap(model: model, optimizer: try optimizer(), learningRate: lr)
        let start = OptimizerState(coefficients: model.identityStart(alpha: alpha))
        var best = Double.infinity
        var final = start
        for _ in 0..<runs { best = min(best, try seconds { final = try map.final(from: start, steps: steps) }) }
        print("elapsed_seconds=\(best)")
        print("steps_per_second=\(Double(steps) / best)")
        print("final=\(final.coefficients.map { String($0) }.joined(separator: ","))")
    }

    /// The batched escape over `cells` learning rates: best wall time and each cell's escape step.
    func runBatch(_ model: GroupedModel) throws {
        let rates = (0..<cells).map { lr * Foundation.pow(10, Double($0) / Double(cells - 1)) }
        let start = model.identityStart(alpha: alpha)
        let optimizer = try optimizer()
        var best = Double.infinity
        var metrics: [EscapeMetrics] = []
        for _ in 0..<runs {
            best = min(best, try seconds {
                metrics = try OptimizerMap.escapeMetrics(model: model, optimizer: optimizer, learningRates: rates, from: start, steps: steps)
            })
        }
        print("elapsed_seconds=\(best)")
        print("cell_steps_per_second=\(Double(steps * cells) / best)")
        print("learning_rates=\(rates.map { String($0) }.joined(separator: ","))")
        print("escape_steps=\(metrics.map { $0.escapeStep.map(String.init) ?? "none" }.joined(separator: ","))")
    }
}
