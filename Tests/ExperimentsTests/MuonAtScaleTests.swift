import Foundation
import Testing
import Experiments
import SpecgdSupport
import Model
import Theory

/// "muon-at-scale": its numbers are single theory runs, and the same request gives the same bytes.
@Suite struct MuonAtScaleTests {
    static var request: FigureSetRequest {
        var r = FigureSetRequest.quick
        r.muonScale.dimensions = [1000, 10_000_000]
        r.muonScale.lambdas = [4]
        return r
    }

    /// Every cell of the figure's CSV equals the run a user gets from `theory` with the same
    /// options: the configuration is rebuilt here from docs/model.md §6's recipe (α = 1/d,
    /// η = 0.3/√d, the optimizer named by its column), and the metrics are compared with `==`
    /// against `runTheory` (the figure's path) and against `OptimizerMap.escapeMetrics` (the
    /// optimizer map's own escape probe, a second path to the same per-step numbers).
    @Test func dataEqualSingleTheoryRuns() throws {
        let request = Self.request
        let (recipe, tables) = try FigureSet.muonAtScale(request)
        #expect(recipe.name == "muon-at-scale" && recipe.panels.count == 4)
        let table = try #require(tables[FigureSet.muonAtScaleFile(lambda: 4)])
        let optimizers: [String: Optimizer] = [
            "gd": Optimizer(method: .gd), "specgd": Optimizer(method: .specgd, polar: .svd),
            "ns5_k5": Optimizer(method: .specgd, polar: .ns5), "ns5_k8": Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 8),
            "ns5_k10": Optimizer(method: .specgd, polar: .ns5, newtonSchulzSteps: 10),
            "polar_express": Optimizer(method: .specgd, polar: .polarExpress),
        ]
        #expect(Set(MuonAtScaleSeries.all.map(\.key)) == Set(optimizers.keys))
        #expect(table.column("dim") == [1000, 10_000_000])
        for (r, d) in [1000, 10_000_000].enumerated() {
            let specgdStep = table.rows[r][table.index(of: "specgd_escape_step")!]
            for method in MuonAtScaleSeries.all {
                let figureConfig = FigureSet.muonAtScaleConfiguration(method, lambda: 4, dimension: d, sizes: request.muonScale,
                                                                      base: request.experiment)
                var config = TheoryConfiguration(method: method.optimizer.method, lambda: 4, dimension: d, alpha: 1 / Double(d),
                                                 learningRate: 0.3 / Double(d).squareRoot(), steps: figureConfig.steps,
                                                 every: figureConfig.steps, escapeThreshold: 0.5)
                config.optimizer = optimizers[method.key]!
                // (polar: .svd spelled out is the same update as nil; compare what runs.)
                #expect(config.optimizer.schedule == figureConfig.optimizer.schedule && config.lambda == figureConfig.lambda
                        && config.learningRate == figureConfig.learningRate && config.alpha == figureConfig.alpha, "\(method.key)")
                let e = try runTheory(config).summary.escape
                let model = try config.model()
                let probe = try OptimizerMap(model: model, optimizer: config.optimizer, learningRate: config.learningRate)
                    .escapeMetrics(from: model.identityStart(alpha: config.alpha), steps: config.steps, threshold: 0.5)
                let step = try #require(e.escapeStep, "\(method.key) escapes at d = \(d)")
                #expect(probe.escapeStep == step && probe.peakAmplification == e.peakAmplification, "\(method.key)")
                let row = table.rows[r]
                #expect(row[table.index(of: "\(method.key)_escape_step")!] == Double(step), "\(method.key) d = \(d)")
                #expect(row[table.index(of: "\(method.key)_peak_amplification")!] == e.peakAmplification, "\(method.key) d = \(d)")
                #expect(row[table.index(of: "\(method.key)_escape_ratio")!] == Double(step) / specgdStep)
            }
            // Exact SpecGD from a = b = α: both move by exactly η while growing, so b/a never
            // exceeds 1 and the escape step is ⌈(a_esc − α)/η⌉ (docs/model.md §5).
            let lr = 0.3 / Double(d).squareRoot()
            #expect(specgdStep == Double(EscapeAnalytics.specgdEscapeStep(alpha: 1 / Double(d), threshold: 0.5, lr: lr)!))
            #expect(table.rows[r][table.index(of: "specgd_peak_amplification")!] == 1)
        }
    }

    /// The φ panel (the fourth row): per Newton–Schulz series the signal's and the spike's φ_K of
    /// step 1, equal (`==`) to the `phi_a`, `phi_b` columns of a one-step `theory` run with the
    /// figure's options, and to |φ_K(x_g)| of the first gradient at αI; only the Newton–Schulz series
    /// have them. At d = 10⁷, K = 5 (λ = 4): the signal's value is below 1 and the spike's on the plateau.
    @Test func phiPanelIsFirstStepTheoryRuns() throws {
        let request = Self.request
        let (recipe, tables) = try FigureSet.muonAtScale(request)
        let table = try #require(tables[FigureSet.muonAtScaleFile(lambda: 4)])
        let panel = recipe.panels[3]
        #expect(panel.yLabel.hasPrefix("φ_K at step 1"))
        let newtonSchulz = MuonAtScaleSeries.all.filter { $0.optimizer.schedule != nil }
        #expect(newtonSchulz.map(\.key) == ["ns5_k5", "ns5_k8", "ns5_k10", "polar_express"])
        #expect(Set(panel.series.map(\.y)) == Set(newtonSchulz.flatMap { ["\($0.key)_phi_a_step1", "\($0.key)_phi_b_step1"] }))
        for (r, d) in [1000, 10_000_000].enumerated() {
            for method in newtonSchulz {
                var config = TheoryConfiguration(method: .specgd, lambda: 4, dimension: d, alpha: 1 / Double(d),
                                                 learningRate: 0.3 / Double(d).squareRoot(), steps: 1, every: 1, escapeThreshold: 0.5)
                config.optimizer = method.optimizer
                let run = try runTheory(config).table
                let schedule = try #require(method.optimizer.schedule)
                let model = try config.model()
                let gradient = model.gradient(model.identityStart(alpha: config.alpha))
                var squared = 0.0
                for (g, group) in model.groups.enumerated() { squared += Double(group.multiplicity) * (gradient[g] * gradient[g]) }
                let scale = 1 / (schedule.normalisationFactor * squared.squareRoot() + schedule.epsilon)
                for (g, name) in ["a", "b"].enumerated() {
                    let value = table.rows[r][table.index(of: "\(method.key)_phi_\(name)_step1")!]
                    #expect(value == run.rows.last![run.index(of: "phi_\(name)")!], "\(method.key) d = \(d)")
                    // `ManifoldGradient`'s expression is the map's, so this is exact too.
                    #expect(value == abs(schedule.apply(gradient[g] * scale)), "\(method.key) \(name) d = \(d)")
                }
            }
        }
        let phiA = table.rows[1][table.index(of: "ns5_k5_phi_a_step1")!], phiB = table.rows[1][table.index(of: "ns5_k5_phi_b_step1")!]
        #expect(phiA < 0.682 && phiB >= 0.682 && phiB <= 1.202, "φ₅(x_a) = \(phiA), φ₅(x_b) = \(phiB) at d = 10⁷")
    }

    @Test func theSameRequestGivesTheSameBytes() throws {
        let (recipe1, first) = try FigureSet.muonAtScale(Self.request)
        let (recipe2, second) = try FigureSet.muonAtScale(Self.request)
        #expect(recipe1 == recipe2)
        #expect(first.keys.sorted() == second.keys.sorted())
        for (name, table) in first { #expect(table.csv == second[name]!.csv, "\(name)") }
    }
}
