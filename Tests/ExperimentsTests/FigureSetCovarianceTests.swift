import Foundation
import Testing
@testable import Experiments
import PlotRecipes
import Model
import SpecgdSupport
import Theory

/// The figure set on another covariance (docs/tutorial-figure-set.md "Other covariances"): each
/// figure either runs the request's covariance — every curve a single theory run of it — or is
/// skipped with a one-line reason; the sidecars record the covariance.
@Suite struct FigureSetCovarianceTests {
    static var powerLaw: FigureSetRequest {
        var r = FigureSetRequest.quick
        r.experiment.covariance = .powerLaw
        r.experiment.beta = 0.5
        r.experiment.signalIndex = 3
        return r
    }

    @Test func aPowerLawSkipsTheFiguresOverLambdaAndSaysWhy() throws {
        let r = Self.powerLaw
        try r.validate()
        // The trajectories' dense runs measure the map's groups: they overlay on every covariance.
        #expect(r.figures == ["trajectories", "escape-vs-dim", "bulk", "power-law"])
        var far = r
        far.experiment.signalIndex = 13
        #expect(far.unsupported("trajectories")?.message == "its dense runs' d = 12 is below signalIndex 13")
        for name in ["escape-vs-lambda", "loss", "muon-at-scale"] {
            #expect(r.unsupported(name)?.message == "it varies the spike strength λ, and covariance power-law has none", "\(name)")
        }
        // The spiked set draws every figure, with several spikes too.
        var spikes = FigureSetRequest.quick
        spikes.experiment.spikes = [8, 2]
        #expect(spikes.figures == FigureSet.names && FigureSetRequest.quick.figures == FigureSet.names)
        // A spectrum file fixes d: no figure over d, and the dense overlay runs at its d.
        var diagonal = FigureSetRequest.quick
        diagonal.experiment.covariance = .diagonal
        diagonal.experiment.spectrum = (1...40).map { 1 / Double($0) }
        diagonal.theoryDimension = 40
        #expect(diagonal.figures == ["trajectories", "bulk", "power-law"])
        #expect(diagonal.trajectoryDimension == 40 && FigureSet(diagonal).trajectorySimulation(diagonal.optimizer).dimension == 40)
        #expect(diagonal.unsupported("escape-vs-dim")?.message.contains("fixes d = 40") == true)
    }

    /// bulk and power-law run the request's power law: each side's curve is the single theory
    /// run of that experiment, bit for bit; the sidecar options round-trip with the covariance.
    @Test func theFiguresRunTheRequestsCovariance() throws {
        let r = Self.powerLaw, set = FigureSet(r)
        let (bulkRecipe, bulk) = try set.bulkContraction()
        #expect(bulkRecipe.title.contains("power law, β = 0.5, θ* on e3"))
        let steps = r.longSteps, every = max(1, steps / 400)
        for (key, optimizer) in [("gd", Optimizer(method: .gd)), ("specgd", Optimizer(method: .specgd))] {
            var e = Experiment(method: optimizer.method, dimension: r.theoryDimension, alpha: r.alpha, learningRate: r.learningRate,
                               steps: steps, every: every, escapeThreshold: r.escapeThreshold)
            e.covariance = .powerLaw
            e.beta = 0.5
            e.signalIndex = 3
            let single = try runTheory(TheoryConfiguration(e)).table
            #expect(bulk["bulk.csv"]!.column("\(key)_a") == single.column("a"), "\(key)")
            #expect(bulk["bulk.csv"]!.column("\(key)_q") == single.column("q"), "\(key)")
        }
        // The power-law figure takes the request's β and signal index.
        let (_, law) = try set.powerLaw()
        var c = set.powerLawConfiguration(Optimizer(method: .gd))
        #expect(c.beta == 0.5 && c.signalIndex == 3 && c.dimension == FigureSet.powerLawDimension)
        c.experiment.optimizer = Optimizer(method: .gd)
        #expect(law["power-law.csv"]!.column("gd_a") == (try runTheory(c)).table.column("a"))
        // (muonScale is muon-at-scale's sidecar's, not among the options' keys.)
        var stored = try ExperimentsTests.roundTrip(r)
        stored.muonScale = r.muonScale
        #expect(stored == r)
        let text = String(decoding: try JSONOutput.encode(r), as: UTF8.self)
        #expect(text.contains("\"covariance\" : \"power-law\"") && text.contains("\"signalIndex\" : 3"))
        #expect(!String(decoding: try JSONOutput.encode(FigureSetRequest.quick), as: UTF8.self).contains("covariance"))
    }
}
