import Foundation
import Testing
import Comparison
@testable import Experiments
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory

/// The figure set with another optimizer than exact SpecGD on its second side (Muon here):
/// every number is a single run of that optimizer (the exact map's optimizer map, the dense
/// Simulator), GD stays plain, the labels name the optimizer and exact SpecGD's closed forms
/// are not drawn. The default set keeps its keys, budgets and data.
@Suite struct FigureSetOptimizerTests {
    static let muonLabel = "Muon (NS5, K = 5, β = 0.95, Nesterov)"

    static var request: FigureSetRequest {
        var r = FigureSetRequest.quick
        r.optimizer = .muon
        return r
    }

    /// Every figure but muon-at-scale (unchanged by the optimizer), made once.
    static let figures = Result { () throws -> [String: (FigureRecipe, [String: Table])] in
        let set = FigureSet(request)
        return ["trajectories": try set.trajectories(), "escape-vs-lambda": try set.escapeVersusLambda(),
                "escape-vs-dim": try set.escapeVersusDimension(), "loss": try set.lossCurves(),
                "bulk": try set.bulkContraction(), "power-law": try set.powerLaw()]
    }

    static func figure(_ name: String) throws -> (FigureRecipe, [String: Table]) { try figures.get()[name]! }

    /// One theory run built here, not through the figure set: the request's λ, d, α, η and
    /// threshold with `optimizer` (runTheory runs the optimizer map of docs/model.md §6 for a
    /// non-plain one, DiscreteMap for plain GD).
    static func configuration(_ optimizer: Optimizer, lambda: Double = 8, dimension: Int = 1000, steps: Int, every: Int) -> TheoryConfiguration {
        let r = request
        var c = TheoryConfiguration(method: optimizer.method, lambda: lambda, dimension: dimension, alpha: r.alpha,
                                    learningRate: r.learningRate, steps: steps, every: every, escapeThreshold: r.escapeThreshold)
        c.optimizer = optimizer
        return c
    }

    // MARK: the numbers are single runs

    /// escape-vs-lambda and escape-vs-dim: each optimizer_ cell is the escape metric of one
    /// Muon run of 8000 steps (the budget of every optimizer but exact SpecGD), checked with
    /// `==` against runTheory and, for the escape step and the peak, against the optimizer
    /// map's own escape probe (a second path to the same per-step numbers); gd_ cells are
    /// plain GD's 8000-step runs.
    @Test(arguments: ["escape-vs-lambda", "escape-vs-dim"])
    func escapeMetricsAreSingleMuonRuns(name: String) throws {
        let (_, tables) = try Self.figure(name)
        let table = try #require(tables["\(name).csv"])
        let r = Self.request
        let points: [(Double, lambda: Double, dim: Int)] = name == "escape-vs-lambda"
            ? r.lambdas.map { ($0, $0, r.theoryDimension) } : r.dimensions.map { (Double($0), r.lambda, $0) }
        #expect(table.rows.count == points.count)
        for (row, point) in zip(table.rows, points) {
            #expect(row[0] == point.0)
            for (key, optimizer) in [("gd", Optimizer(method: .gd)), ("optimizer", Optimizer.muon)] {
                let config = Self.configuration(optimizer, lambda: point.lambda, dimension: point.dim, steps: 8000, every: 8000)
                let e = try runTheory(config).summary.escape
                let step = try #require(e.escapeStep, "\(key) escapes at \(point)")
                func cell(_ stat: String) -> Double { row[table.index(of: "\(key)_\(stat)")!] }
                #expect(cell("escape_step") == Double(step), "\(key) \(point)")
                #expect(cell("alignment_at_escape") == e.alignmentAtEscape && cell("spike_alignment_at_escape") == e.signalSpikeAlignmentAtEscape)
                #expect(cell("amplification") == e.amplification && cell("peak_amplification") == e.peakAmplification, "\(key) \(point)")
                if key == "optimizer" {
                    let model = try config.model()
                    let probe = try OptimizerMap(model: model, optimizer: .muon, learningRate: config.learningRate)
                        .escapeMetrics(from: model.identityStart(alpha: config.alpha), steps: 8000, threshold: config.escapeThreshold)
                    #expect(probe.escapeStep == step && probe.peakAmplification == e.peakAmplification, "\(point)")
                }
            }
        }
    }

    /// loss, bulk and power-law: each optimizer_ column is one Muon run's column, row for row.
    @Test func longRunsAreSingleMuonRuns() throws {
        let r = Self.request
        let half = r.longSteps / 2, halfEvery = max(1, half / 300)
        let loss = try #require(try Self.figure("loss").1["loss.csv"])
        for lambda in [1, r.lambda, 4 * r.lambda] {
            let run = try runTheory(Self.configuration(.muon, lambda: lambda, steps: half, every: halfEvery)).table
            #expect(loss.column("optimizer_lambda_\(Table.format(lambda))") == run.column("loss"), "λ = \(lambda)")
            #expect(loss.column("step") == run.column("step"))
        }
        let bulk = try #require(try Self.figure("bulk").1["bulk.csv"])
        let long = try runTheory(Self.configuration(.muon, steps: r.longSteps, every: max(1, r.longSteps / 400))).table
        for stat in ["q", "c", "a"] { #expect(bulk.column("optimizer_\(stat)") == long.column(stat), "\(stat)") }
        let powerLaw = try #require(try Self.figure("power-law").1["power-law.csv"])
        var config = Self.configuration(.muon, dimension: 64, steps: half, every: halfEvery)
        config.covariance = .powerLaw
        config.beta = 1
        config.signalIndex = 16
        let run = try runTheory(config).table
        for stat in ["a", "alignment", "loss"] { #expect(powerLaw.column("optimizer_\(stat)") == run.column(stat), "\(stat)") }
    }

    /// trajectories: the theory columns are one Muon map run (d = the simulations' d), the
    /// simulation columns the mean and 10/90 % quantiles of Simulator's Muon runs from a
    /// Gaussian W₀ (the request's seeds).
    @Test func trajectoriesAreAMuonMapRunAndMuonSimulations() throws {
        let r = Self.request
        let every = r.trajectoryEvery
        let table = try #require(try Self.figure("trajectories").1["trajectories-optimizer.csv"])
        let theory = try runTheory(Self.configuration(.muon, dimension: r.simulationDimension, steps: r.trajectorySteps, every: every)).table
        var sim = SimulationConfiguration(method: .specgd, lambda: r.lambda, dimension: r.simulationDimension, initialization: .gaussian,
                                          alpha: r.alpha, learningRate: r.learningRate, steps: r.trajectorySteps, every: every,
                                          seeds: r.seeds, seed: r.seed)
        sim.optimizer = .muon
        sim.recordWallTime = false
        let simulated = try Simulator(sim).run().aggregate
        #expect(r.seeds > 1 && table.column("step") == theory.column("step") && table.column("step") == simulated.column("step"))
        for stat in ["a", "b", "c", "q", "loss", "alignment", "spike_alignment"] {
            #expect(table.column("\(stat)_theory") == theory.column(stat), "\(stat)")
            #expect(table.column("\(stat)_sim") == simulated.column(stat), "\(stat)")
            #expect(table.column("\(stat)_sim_q10") == simulated.column("\(stat)_q10") && table.column("\(stat)_sim_q90") == simulated.column("\(stat)_q90"))
        }
    }

    /// GD stays plain GD: its columns are the default set's, byte for byte.
    @Test func gdSideIsTheDefaultSetsGD() throws {
        let plain = FigureSet(.quick)
        let (_, muon) = try Self.figure("escape-vs-lambda")
        let (_, paper) = try plain.escapeVersusLambda()
        let gdColumns = muon["escape-vs-lambda.csv"]!.columns.filter { $0.hasPrefix("gd_") }
        #expect(gdColumns.count == 5)
        for column in gdColumns {
            #expect(muon["escape-vs-lambda.csv"]!.column(column)!.map(Table.format) == paper["escape-vs-lambda.csv"]!.column(column)!.map(Table.format))
        }
        #expect(try Self.figure("trajectories").1["trajectories-gd.csv"]!.csv == (try plain.trajectories()).1["trajectories-gd.csv"]!.csv)
    }

    // MARK: what the figures say

    /// Titles lead with "GD vs Muon (…)", every legend entry names GD or Muon, none says SpecGD.
    @Test func labelsAndTitlesNameTheOptimizer() throws {
        for (name, (recipe, _)) in try Self.figures.get() {
            #expect(recipe.title.hasPrefix("GD vs \(Self.muonLabel): "), "\(name): \(recipe.title)")
            let labels = recipe.panels.flatMap(\.series).compactMap(\.label)
            #expect(labels.contains { $0.hasPrefix(Self.muonLabel) } && labels.contains { $0.hasPrefix("GD") }, "\(name)")
            #expect(labels.allSatisfy { $0.hasPrefix(Self.muonLabel) || $0.hasPrefix("GD") }, "\(name): \(labels)")
            #expect(!(labels + [recipe.title]).contains { $0.contains("SpecGD") }, "\(name)")
            // No claim that holds for exact SpecGD only.
            for claim in ["never amplified", "λ-free", "chatters by ±η", "same speed"] {
                #expect(!recipe.description.contains(claim), "\(name): \(claim)")
            }
        }
    }

    /// Exact SpecGD's post-escape 2-cycle band of c and its η, η² levels (docs/model.md §5) are
    /// neither in the CSV nor drawn; GD's λ_c stays on escape-vs-lambda.
    @Test func closedFormsOfExactSpecGDAreNotDrawn() throws {
        let (recipe, tables) = try Self.figure("trajectories")
        #expect(tables.keys.sorted() == ["trajectories-gd.csv", "trajectories-optimizer.csv"])
        #expect(tables.values.allSatisfy { $0.index(of: OverlayCaptions.bandLower) == nil && $0.index(of: OverlayCaptions.bandUpper) == nil })
        let series = recipe.panels.flatMap(\.series)
        #expect(!series.contains { $0.kind == .band && $0.y == OverlayCaptions.bandLower })
        #expect(!series.contains { $0.label == OverlayCaptions.bandLabel })
        #expect(recipe.panels.allSatisfy { $0.references.allSatisfy { $0.label != "η" && $0.label != "η^2" } })
        #expect(!recipe.description.contains(OverlayCaptions.chatterExplanation(simulation: .gaussian)))
        // The caption says why: the closed forms are exact SpecGD's, and this side is not.
        #expect(recipe.description.contains("No 2-cycle band of c and no η, η² levels are drawn: their closed forms (docs/model.md §5) are derived for exact SpecGD on the spiked model with one spike, and \(Self.muonLabel) is not exact SpecGD."))
        let (escape, _) = try Self.figure("escape-vs-lambda")
        #expect(escape.panels.allSatisfy { $0.references.contains { $0.vertical && $0.label?.hasPrefix("λ_c = ") == true } })
    }

    // MARK: the default set

    /// Exact SpecGD, given or not, is the default: no `optimizer` key (the sidecars stay as
    /// they were), the `specgd_` prefix, its 1500-step budget, and the paper's closed forms.
    @Test func exactSpecGDIsThePaperSet() throws {
        var explicit = FigureSetRequest.quick
        explicit.optimizer = Optimizer(method: .specgd, polar: .svd)
        #expect(explicit == .quick && explicit.optimizer == Optimizer(method: .specgd))
        #expect(!String(decoding: try JSONOutput.encode(explicit), as: UTF8.self).contains("optimizer"))
        let encoded = String(decoding: try JSONOutput.encode(Self.request), as: UTF8.self)
        #expect(encoded.contains("\"optimizer\"") && encoded.contains("\"ns5\""))
        #expect(try ExperimentsTests.roundTrip(Self.request).optimizer == .muon)
        let set = FigureSet(.quick)
        #expect(set.sides.map(\.key) == ["gd", "specgd"] && set.sides.map(\.label) == ["GD", "SpecGD"])
        let (recipe, tables) = try set.escapeVersusLambda()
        #expect(recipe.title == "At escape, against the spike strength λ (d = 1000, exact map)")
        let table = try #require(tables["escape-vs-lambda.csv"])
        for (row, lambda) in zip(table.rows, FigureSetRequest.quick.lambdas) {
            let e = try runTheory(TheoryConfiguration(method: .specgd, lambda: lambda, dimension: 1000, alpha: 1e-3, learningRate: 1e-3,
                                                      steps: 1500, every: 1500, escapeThreshold: 0.5)).summary.escape
            #expect(row[table.index(of: "specgd_escape_step")!] == Double(e.escapeStep!) && row[table.index(of: "specgd_peak_amplification")!] == e.peakAmplification)
        }
        #expect(try set.trajectories().1["trajectories-specgd.csv"]!.index(of: OverlayCaptions.bandUpper) != nil)
    }

    /// Other optimizers take the `optimizer_` prefix, GD with momentum included (`gd_` is the
    /// plain baseline), and GD's 8000-step budget.
    @Test func everyOtherOptimizerIsOptimizerPrefixed() throws {
        for o in [Optimizer(method: .gd, momentum: 0.9), Optimizer(method: .signgd), Optimizer(method: .adam),
                  Optimizer(method: .specgd, polar: .gram)] {
            var r = FigureSetRequest.quick
            r.optimizer = o
            #expect(FigureSet(r).sides.map(\.key) == ["gd", "optimizer"], "\(o)")
            #expect(FigureSet.escapeBudget(o) == 8000)
            // Gram is exact SpecGD on the manifold: runTheory runs the discrete map, and the descriptions say so.
            #expect(FigureSet(r).comparedMap.contains("optimizer map") == !o.isPlain, "\(o)")
        }
        #expect(FigureSet.escapeBudget(Optimizer(method: .specgd)) == 1500 && FigureSet.escapeBudget(Optimizer(method: .gd)) == 8000)
    }

    @Test func optimizerNames() {
        #expect(Optimizer(method: .gd).displayName == "GD" && Optimizer(method: .specgd, polar: .svd).displayName == "SpecGD")
        #expect(Optimizer.muon.displayName == Self.muonLabel)
        #expect(Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 8).displayName == "SpecGD (NS5, K = 8)")
        #expect(Optimizer(method: .specgd, polar: .polarExpress, safetyFactor: 1.05).displayName == "SpecGD (Polar Express, K = 5, f = 1.05)")
        #expect(Optimizer(method: .specgd, polar: .ns3, newtonSchulzEpsilon: 0).displayName == "SpecGD (NS3, K = 5, ε = 0)")
        #expect(Optimizer(method: .specgd, polar: .custom, coefficients: [.init(1.5, -0.5, 0), .init(1.5, -0.5, 0)]).displayName == "SpecGD (custom NS, K = 2)")
        #expect(Optimizer(method: .specgd, polar: .gram).displayName == "SpecGD (Gram polar)")
        #expect(Optimizer(method: .signgd, momentum: 0.9).displayName == "SignGD (β = 0.9)")
        #expect(Optimizer(method: .gd, momentum: 0.9, nesterov: true, learningRateScale: .muon).displayName == "GD (β = 0.9, Nesterov, lr scale muon)")
        #expect(Optimizer(method: .adam).displayName == "Adam" && Optimizer(method: .adam, beta1: 0.9, beta2: 0.99).displayName == "Adam (β₂ = 0.99)")
        #expect(Optimizer(method: .adam, weightDecay: 0.01).displayName == "AdamW (ω = 0.01)")
    }
}
