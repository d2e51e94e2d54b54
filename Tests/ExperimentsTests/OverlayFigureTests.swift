import Foundation
import Testing
import Comparison
@testable import Experiments
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory

/// The overlays (trajectories figure, compare) and the amplification figure: exact SpecGD's
/// post-escape 2-cycle band of c, the titles, the marker order (docs/model.md §5).
@Suite struct OverlayFigureTests {
    /// The band's top from the two sign conditions of the 2-cycle as derived (docs/model.md §5),
    /// solved by bisection rather than by the closed form: the lower phase c₋ satisfies
    /// (p + 2)c₋² < p(c₋ + η)²/3 + 2η + η², and the top of the band is the root plus η.
    static func ceilingByBisection(eta: Double, p: Int, spikeEnergy: Double = 0) -> Double {
        let pd = Double(p)
        func excess(_ c: Double) -> Double { (pd + 2) * c * c - pd * (c + eta) * (c + eta) / 3 - (2 * eta + eta * eta) - spikeEnergy / 3 }
        var lo = 0.0, hi = 1.0
        precondition(excess(lo) < 0 && excess(hi) > 0)
        for _ in 0..<200 { let mid = (lo + hi) / 2; if excess(mid) < 0 { lo = mid } else { hi = mid } }
        return lo + eta
    }

    /// Closed form and bisection solve the same quadratic; the closed form's rounding is a few ε
    /// (its discriminant has no cancellation: every term is positive).
    @Test(arguments: [(1e-3, 10), (1e-3, 46), (1e-2, 14), (1e-4, 998), (3e-3, 1)])
    func chatterCeilingIsTheRootOfTheCycleConditions(eta: Double, p: Int) {
        let closed = EscapeAnalytics.specgdBulkChatterCeiling(lr: eta, bulkDimension: p)
        let bisected = Self.ceilingByBisection(eta: eta, p: p)
        #expect(abs(closed - bisected) <= 16 * Double.ulpOfOne * bisected, "\(closed) vs \(bisected)")
    }

    /// With the spike's term: the closed form solves the same quadratic as the bisection.
    @Test func chatterCeilingWithTheSpikeTerm() {
        for (eta, p, e) in [(1e-2, 8, 201 * 4e-4), (1e-3, 998, 9e-6), (1e-2, 3, 1001 * 1.7e-3)] {
            let closed = EscapeAnalytics.specgdBulkChatterCeiling(lr: eta, bulkDimension: p, spikeEnergy: e)
            let bisected = Self.ceilingByBisection(eta: eta, p: p, spikeEnergy: e)
            #expect(abs(closed - bisected) <= 16 * Double.ulpOfOne * bisected, "\(closed) vs \(bisected)")
        }
    }

    /// issue 19: the band without the spike term fails (λ = 8, d = 1000, η = 10⁻³ leaves it at
    /// 1.165·c_max two steps after entering; λ = 200, d = 10, η = 10⁻² sits at 1.07·c_max; λ = 1000,
    /// d = 5, η = 10⁻² exceeds even a b ≤ η term). With (1+λ)·max b² past escape, once the map is an
    /// exact 2-cycle c never leaves the band, and the overlay's band (from the row on which c stays
    /// inside) starts no later than the cycle.
    @Test(arguments: [(8.0, 1000, 1e-3), (200.0, 10, 1e-2), (1000.0, 5, 1e-2), (0.5, 3, 1e-2), (32.0, 10_000, 1e-4),
                      (8.0, 100, 1e-2), (1000.0, 1000, 1e-2)])
    func theBandHoldsOnceTheMapCycles(lambda: Double, d: Int, eta: Double) throws {
        let steps = Int(3.5 / eta)
        let config = TheoryConfiguration(method: .specgd, lambda: lambda, dimension: d, alpha: 1e-3, learningRate: eta, steps: steps, every: 1)
        let result = try runTheory(config)
        let a = result.table.column("a_signed")!, b = result.table.column("b_signed")!, c = result.table.column("c_signed")!
        let escape = try #require(result.summary.escape.escapeStep)
        func moves(_ k: Int) -> Bool { a[k + 2] != a[k] || b[k + 2] != b[k] || c[k + 2] != c[k] }
        let lastMove: Int? = (escape..<(c.count - 2)).last(where: moves)
        let cycle = lastMove.map { $0 + 1 } ?? escape
        #expect(cycle < c.count - 100, "the map cycles well before the end")
        let spike = (1 + lambda) * b[escape...].map { $0 * $0 }.max()!
        let ceiling = EscapeAnalytics.specgdBulkChatterCeiling(lr: eta, bulkDimension: d - 2, spikeEnergy: spike)
        #expect(c[cycle...].allSatisfy { abs($0) <= ceiling }, "\(c[cycle...].map { abs($0) }.max()! / ceiling)")
        var comparison = Table(columns: ["step", "b_theory", "c_theory"])
        for k in 0..<c.count { comparison.append([Double(k), abs(b[k]), abs(c[k])]) }
        let band = OverlayCaptions.withChatterBand(comparison, theory: config, escapeStep: escape)
        let upper = band.column(OverlayCaptions.bandUpper)!
        let start = try #require(upper.firstIndex { !$0.isNaN })
        #expect(start <= cycle && upper[start] == ceiling)
    }

    /// The map past escape: a 2-cycle (period 2 exactly, every coefficient η apart between the
    /// phases), with c inside the band from the step it enters on.
    @Test(arguments: [(12, 1e-3), (48, 1e-3), (16, 1e-2), (200, 1e-3)])
    func theMapsBulkSettlesInsideTheBand(d: Int, eta: Double) throws {
        let steps = Int(2.5 / eta)
        let result = try runTheory(TheoryConfiguration(method: .specgd, lambda: 8, dimension: d, alpha: 1e-3, learningRate: eta,
                                                       steps: steps, every: 1))
        let c = result.table.column("c")!, a = result.table.column("a")!
        let ceiling = EscapeAnalytics.specgdBulkChatterCeiling(lr: eta, bulkDimension: d - 2)
        let escape = try #require(result.summary.escape.escapeStep)
        let entry = try #require((escape..<c.count).first { c[$0] <= ceiling })
        #expect(c[entry...].allSatisfy { $0 >= 0 && $0 <= ceiling })
        // The cycle: the last steps repeat with period 2, a and c η apart between the phases.
        let n = c.count - 1
        #expect(c[n] == c[n - 2] && a[n] == a[n - 2])
        #expect(abs(abs(c[n] - c[n - 1]) - eta) < 1e-12 && abs(abs(a[n] - a[n - 1]) - eta) < 1e-12)
    }

    /// Without the band the caption says why in plain words: the closed forms are exact
    /// SpecGD's on the one-spike model, and the run is another method or another covariance.
    @Test func theCaptionSaysWhyTheBandIsAbsent() {
        var powerLaw = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 64, alpha: 0.001, learningRate: 0.001, steps: 10)
        powerLaw.experiment.covariance = .powerLaw
        #expect(!OverlayCaptions.hasChatterBand(powerLaw))
        let reason = OverlayCaptions.noChatterBandReason(powerLaw, label: "SpecGD")
        #expect(reason.contains("derived for exact SpecGD on the spiked model with one spike") && reason.contains("covariance is power law"))
        #expect(!reason.contains("not exact SpecGD") && !reason.contains("hold for exact SpecGD only"))
        var twoSpikes = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 64, alpha: 0.001, learningRate: 0.001, steps: 10)
        twoSpikes.experiment.spikes = [8, 2]
        #expect(OverlayCaptions.noChatterBandReason(twoSpikes, label: "SpecGD").contains("spiked model with 2 spikes"))
    }

    @Test func trajectoriesFigureShowsTheBandAndSaysWhereEachSideStarts() throws {
        let request = FigureSetRequest.quick
        let (recipe, tables) = try FigureSet(request).trajectories()
        #expect(recipe.title.contains("lr = 0.001, α = 0.001; theory from W₀ = αI"))
        #expect(recipe.title.contains("simulation from Gaussian W₀ (2 seeds)") && recipe.description.contains("2 seeds, master seed 0"))
        #expect(recipe.description.contains("chatter"))
        // GD has no band; SpecGD's equals the ceiling from its entry into the band on.
        #expect(tables["trajectories-gd.csv"]!.index(of: "c_band_upper") == nil)
        let spec = try #require(tables["trajectories-specgd.csv"])
        let lower = spec.column("c_band_lower")!, upper = spec.column("c_band_upper")!, c = spec.column("c_theory")!
        let start = try #require(upper.firstIndex { !$0.isNaN })
        // The spike's term at the map's largest (1+λ)b² from the escape on (the rows after the
        // escape step: the first recorded row with a ≥ a_esc, or the row before it when the escape
        // fell between recorded rows — the largest b² past escape is in either set here).
        let escape = try #require(spec.column("a_theory")!.firstIndex { $0 >= 0.5 })
        let spike = (1 + request.lambda) * spec.column("b_theory")![escape...].map { $0 * $0 }.max()!
        let ceiling = Self.ceilingByBisection(eta: request.learningRate, p: request.simulationDimension - 2, spikeEnergy: spike)
        #expect(lower[..<start].allSatisfy { $0.isNaN })
        #expect(lower[start...].allSatisfy { $0 == 0 })
        #expect(upper[start...].allSatisfy { abs($0 - ceiling) <= 16 * Double.ulpOfOne * ceiling })
        #expect(c[start...].allSatisfy { $0 <= upper[start] } && c[start - 1] > upper[start])
        // The simulations (off the manifold) fall below η after the map's entry and stay there
        // (measured, docs/model.md §5).
        let cSim = spec.column("c_sim")!
        let below = try #require(cSim.indices.first { $0 >= start && cSim[$0] < request.learningRate })
        #expect(cSim[below...].allSatisfy { $0 < request.learningRate })
        // The c panel draws the band (in the legend) and η; the loss panel η².
        let cPanel = try #require(recipe.panels.first { $0.title == "bulk c" })
        let band = try #require(cPanel.series.first { $0.kind == .band && $0.y == "c_band_lower" })
        #expect(band.upper == "c_band_upper" && band.label == OverlayCaptions.bandLabel && cPanel.legend)
        #expect(cPanel.references.contains { !$0.vertical && $0.value == request.learningRate && $0.label == "η" })
        let lossPanel = try #require(recipe.panels.first { $0.title == "population loss" })
        #expect(lossPanel.references.contains { !$0.vertical && $0.value == request.learningRate * request.learningRate })
        // Drawn: a grey band polygon in the SVG.
        let svg = try recipe.figure(tables: tables).svg
        #expect(svg.contains("fill=\"#777777\" fill-opacity=\"0.22\""))
        #expect(svg.contains("SpecGD map: post-escape 2-cycle band of c"))
        // Markers come after each panel's frame, so the alignment's markers at 1.0 are whole
        // (the earlier fix, kept).
        let panels = svg.components(separatedBy: "<defs><clipPath").dropFirst()
        #expect(panels.count == recipe.panels.count)
        for panel in panels {
            let frame = try #require(panel.range(of: "fill=\"none\" stroke=\"#000000\" stroke-width=\"1\"")).lowerBound
            let marker = try #require(panel.range(of: "<circle")).lowerBound
            #expect(frame < marker)
        }
    }

    /// compare's title follows its simulation side; with one seed there is no seed band and no
    /// "mean, q10–q90" (the earlier fix, kept), and ‖W‖²_F is set with a subscript.
    @Test(arguments: [(Initialization.gaussian, 2), (.identity, 1)])
    func compareTitleSaysTheStartSeedsAndRate(initialization: Initialization, seeds: Int) throws {
        var request = ExperimentsTests.compareRequest(methods: [.gd, .specgd], steps: 150)
        request.tolerance = nil
        request.theory.learningRate = 0.01
        request.simulation.learningRate = 0.01
        request.simulation.initialization = initialization
        request.simulation.seeds = seeds
        request.simulation.seed = 7
        let result = try CompareExperiment.run(request)
        let recipe = try #require(result.output.figures.first { $0.name == "overlay" })
        #expect(recipe.title.contains("lr = 0.01, α = ") && recipe.title.contains("; theory from W₀ = αI"))
        let start = initialization == .identity ? "W₀ = αI" : "Gaussian W₀"
        let seedText = seeds == 1 ? "seed 7" : "\(seeds) seeds"
        #expect(recipe.title.contains("simulation from \(start) (\(seedText))"), "\(recipe.title)")
        // The master seed moved to the caption (a shorter title).
        #expect(recipe.description.contains(seeds == 1 ? "Simulation: seed 7." : "Simulation: \(seeds) seeds, master seed 7."))
        let labels = recipe.panels.flatMap(\.series).compactMap(\.label)
        #expect(labels.contains { $0.contains("q10–q90") } == (seeds > 1))
        #expect(recipe.panels.flatMap(\.series).contains { $0.kind == .band && $0.y == "c_band_lower" })
        let svg = try recipe.figure(tables: result.output.tables).svg
        #expect(svg.contains("‖W‖²<tspan baseline-shift=\"sub\" font-size=\"75%\">F</tspan>"))
    }

    /// On an additive trajectory (a and b grow by η per step, SpecGD's window from (a₀, b₀))
    /// the measured per-step growth is the relaxation formula; from αI (b₀ = a₀) it is 1.
    @Test func specgdRelaxationGrowthIsTheAdditiveWindowsGrowth() throws {
        let eta = 1e-3, a0 = 9e-4, b0 = 1.1e-3, lambda = 8.0
        var table = Table(columns: ["step", "a", "b", "q"])
        for k in 0...60 { table.append([Double(k), a0 + Double(k) * eta, b0 + Double(k) * eta, 1e-4]) }
        let m = try EscapeMeasurement.measure(table, lambda: lambda)
        #expect(m.windowSteps > 5)
        let predicted = EscapeFigure.specgdRelaxationGrowth(initialSignal: m.initialSignal, initialRatio: m.initialRatio,
                                                            steps: m.windowSteps, learningRate: eta)
        // pow of a ratio near 1 over k steps: a few ε.
        #expect(abs(predicted - m.perStepGrowth) <= 64 * Double.ulpOfOne, "\(predicted) vs \(m.perStepGrowth)")
        #expect(predicted < 1, "b₀ > a₀: b/a relaxes down towards 1")
        #expect(EscapeFigure.specgdRelaxationGrowth(initialSignal: a0, initialRatio: 1, steps: 40, learningRate: eta) == 1)
    }

    /// Dense SpecGD from a Gaussian W₀: the growth of b/a is the relaxation from (b/a)₀, on the
    /// side of 1 that (b/a)₀ says, and the figure's column is that prediction.
    @Test func denseSpecgdGrowthIsARelaxationNotAnAmplification() throws {
        var request = CheckEscapeRequest(lambdas: [1, 16], dimension: 16, simulation: .init(seeds: 2))
        request.methods = [.specgd]
        let result = try CheckEscapeExperiment.run(request)
        let table = EscapeFigure.pointsTable(result.points, learningRate: 1e-3, specgdLearningRate: 1e-3)
        let predicted = table.column("specgd_sim_relaxation_growth")!, measured = table.column("specgd_sim_growth")!
        for (i, point) in result.points.enumerated() {
            let m = try #require(point.specgdSimulation)
            #expect(predicted[i] == EscapeFigure.specgdRelaxationGrowth(initialSignal: m.initialSignal, initialRatio: m.initialRatio,
                                                                        steps: m.windowSteps, learningRate: 1e-3))
            #expect(m.initialRatio != 1)
            #expect((measured[i] - 1).sign == (1 - m.initialRatio).sign && (predicted[i] - 1).sign == (1 - m.initialRatio).sign)
            #expect(point.specgdMap?.perStepGrowth == 1)
        }
        // Shorter window at λ = 16: further from 1.
        #expect(abs(measured[1] - 1) > abs(measured[0] - 1) && abs(predicted[1] - 1) > abs(predicted[0] - 1))
    }

    /// The hollow simulation markers come first and large, the filled map markers after them and
    /// small, so a map point inside a simulation point shows; sub- and superscripts are markup.
    @Test func amplificationDrawsMapMarkersOverSimulationMarkers() throws {
        let recipe = EscapeFigure.recipe(lambdaC: 2, simulation: true)
        for panel in recipe.panels {
            let markers = panel.series.enumerated().filter { $0.element.kind == .markers }
            let sims = markers.filter { $0.element.label?.hasSuffix("sim.") == true }
            let maps = markers.filter { $0.element.label?.hasSuffix("map") == true }
            // GD's growth panel and SpecGD's have one method each; the amplification panel both.
            let methods = panel.title.hasPrefix("GD") || panel.title.hasPrefix("SpecGD") ? 1 : 2
            #expect(sims.count == methods && maps.count == methods)
            #expect(sims.map(\.offset).max()! < maps.map(\.offset).min()!)
            #expect(sims.allSatisfy { !$0.element.filled && $0.element.size! > maps[0].element.size! })
            #expect(maps.allSatisfy { $0.element.filled })
            // λ_c is GD's threshold: on GD's panels, not on SpecGD's.
            #expect(panel.references.contains { $0.label == "λ_c = 2" } == !panel.title.hasPrefix("SpecGD"))
        }
        #expect(recipe.panels[2].yLabel == "(b/a)_k / (b/a)_0")
        #expect(recipe.panels[1].series.contains { $0.y == "specgd_sim_relaxation_growth" && $0.kind == .line })
        #expect(!recipe.description.contains("SpecGD stays at 1"))
        #expect(recipe.description.contains("Gaussian W₀"))
    }
}
