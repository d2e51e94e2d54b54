import Foundation
import Testing
import Model
@testable import Theory
import SpecgdSupport
import TestSupport
import NumericKit

@Suite struct TheoryRunTests {
    /// The library entry point records the same trajectory and escape metrics as the map.
    @Test(arguments: [Method.gd, .specgd])
    func mapRunAgreesWithTheMapAndItsMetrics(method: Method) throws {
        var config = TheoryConfiguration(method: method, lambda: 8, dimension: 1000, alpha: 1e-3, learningRate: 1e-3, steps: 3000, every: 7)
        config.escapeThreshold = 0.5
        let result = try runTheory(config)
        let model = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let map = try DiscreteMap(model: model, method: method, learningRate: 1e-3)
        #expect(result.summary.escape == (try map.escapeMetrics(from: model.identityStart(alpha: 1e-3), steps: 3000)))
        let steps = try #require(result.table.column("step"))
        #expect(steps.first == 0 && steps.last == 3000 && steps[1] == 7)
        #expect(result.table.rows.count == 3000 / 7 + 2)
        let end = try map.final(from: model.identityStart(alpha: 1e-3), steps: 3000)
        #expect(result.final == end)
        #expect(result.table.column("a")!.last == end[0] && result.table.column("q")!.last == 998 * end[2] * end[2])
    }

    /// The escape step found by the per-step probe is the first k with a ≥ threshold.
    @Test func escapeStepIsTheFirstCrossing() throws {
        let model = try GroupedModel.spiked(lambda: 4, dimension: 100)
        let map = try DiscreteMap(model: model, method: .gd, learningRate: 2e-3)
        var first: Int?
        _ = try map.iterate(from: model.identityStart(alpha: 1e-3), steps: 4000) { k, s in
            if first == nil && s[0] >= 0.5 { first = k }
        }
        let metrics = try map.escapeMetrics(from: model.identityStart(alpha: 1e-3), steps: 4000)
        #expect(metrics.escapeStep == first && first != nil)
    }

    @Test func flowRunsUseTheRequestedGrid() throws {
        var config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 100, alpha: 0.01, learningRate: 1e-2, steps: 300, every: 10)
        config.dynamics = .flow
        config.flow.stepper = .msbdf
        let result = try runTheory(config)
        let times = try #require(result.table.column("time"))
        #expect(times.count == 31 && times.last == 3)
        #expect(result.table.column("step")!.last == 300)
        // GD flow vs the map at η̃ = 10⁻²: close (O(η̃)) but not equal.
        config.dynamics = .map
        let map = try runTheory(config)
        let difference = abs(map.final[0] - result.final[0])
        #expect(difference > 0 && difference < 0.05)
    }

    @Test func largeDRunTracksQ() throws {
        var config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 1000, alpha: 1e-3, learningRate: 1e-3, steps: 3000, every: 100)
        config.dynamics = .largeD
        let limit = try runTheory(config)
        config.dynamics = .map
        let exact = try runTheory(config)
        // d = 1000 is already close to the limit in this window.
        let qLimit = limit.table.column("q")!, qExact = exact.table.column("q")!
        #expect(zip(qLimit, qExact).map { abs($0 - $1) }.max()! < 0.01)
        #expect(limit.summary.escape.escapeStep != nil)
    }

    @Test func configurationRoundTripsThroughJSON() throws {
        var config = TheoryConfiguration()
        config.covariance = .custom
        config.groups = try GroupedModel.spiked(lambda: 3, dimension: 10).groups
        config.dynamics = .flow
        config.flow.switching = .both
        let data = try JSONOutput.encode(config)
        #expect(try JSONOutput.decoder().decode(TheoryConfiguration.self, from: data) == config)
    }
}

@Suite struct FlowEscapeTests {
    /// The flows locate the escape by an event: SpecGD's a moves at unit speed, so
    /// t_esc = a_esc − α exactly; the GD flow's t_esc is the η̃ → 0 limit of the map's η̃·k_esc.
    @Test func flowEscapeTimesAreEventLocated() throws {
        var config = TheoryConfiguration(method: .specgd, lambda: 8, dimension: 1000, alpha: 1e-3, learningRate: 1e-3, steps: 1000, every: 250)
        config.dynamics = .flow
        let model = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let start = model.identityStart(alpha: 1e-3)
        let tolerance = config.flow.absoluteTolerance, eventTolerance = try ODESolver(  // the solver's default bracket
            system: ODESystem(dimension: 1, rightHandSide: { _, _, f in f[0] = 0 }), stepper: .rk8pd).eventTimeTolerance
        for switching in [SwitchingRule.filippov, .smoothed] {
            config.flow.switching = switching
            let summary = try runTheory(config).summary
            let time = try #require(summary.escapeTime)
            let steps = try #require(summary.flowStatistics).steps
            // Filippov: ȧ = 1 exactly, so rk8pd has no truncation error on a and only rounds:
            // per step y + h Σ b_i k_i (13 stage terms, Σ|b_i| < 3.2 for rk8pd's weights) and
            // t + h, i.e. ≤ 14 · 3.2 ε h + 2 ε max(|a|, |t|) ≤ 45 ε h + 2 ε; summed over the
            // run's N steps, plus the event bracket's width (eventTimeTolerance · max(1, t)).
            var bound = 45 * eps * time + 2 * Double(steps + 1) * eps + eventTolerance
            if switching == .smoothed {
                // Smoothed: ȧ = |g_a|/√(g_a² + ε²) < 1 (g_a < 0 before escape), so
                // t_esc − (a_esc − α) = ∫₀^t_esc (1 − ȧ) dt exactly — the smoothed sign's error
                // integrated along the path. Charged on a fine grid of the smoothed path at each
                // interval's larger end value (1 − ȧ falls as |g_a| grows). The solve's own error
                // in t_esc: the log-norm growth bound is useless here (∂ȧ/∂y ~ 1/ε on the sliding
                // bulk overflows exp(∫μ)), so it is estimated by Richardson from the same run at
                // tol/100 — |t(tol) − t(tol/100)| estimates the coarse error, doubled to cover the
                // fine run's own.
                let grid = (0...2000).map { time * Double($0) / 2000 }
                var deficit: [Double] = []
                let epsilon = config.flow.epsilon
                try GroupedFlow(model: model, kind: .smoothedSign(epsilon: epsilon)).solve(
                    from: start, at: grid, stepper: .rk8pd, absoluteTolerance: tolerance, relativeTolerance: tolerance) { _, s in
                        let g = model.gradient(s)[model.signalIndex]
                        deficit.append(1 - abs(g) / (g * g + epsilon * epsilon).squareRoot())
                    }
                let integral = (1..<deficit.count).reduce(0.0) { $0 + max(deficit[$1 - 1], deficit[$1]) * time / 2000 }
                var fine = config
                fine.flow.absoluteTolerance = tolerance / 100
                fine.flow.relativeTolerance = tolerance / 100
                let fineTime = try #require(try runTheory(fine).summary.escapeTime)
                bound += integral + 2 * abs(time - fineTime)
                #expect(integral > 0)
            }
            #expect(abs(time - 0.499) < bound, "\(switching): \(time), bound \(bound)")
            #expect(summary.escape.escapeStep == 499 || switching == .smoothed)
            // The event is bracketed to eventTimeTolerance · max(1, t) between two
            // re-integrations from the same step start (each within tol (1 + |a|) of the flow, a
            // test of a ≥ 0.5 on each), and |ȧ| ≤ 1: the state lands at most this far past 0.5.
            let signal = try #require(summary.escape.signalAtEscape)
            #expect(signal >= 0.5 && signal < 0.5 + eventTolerance + 2 * tolerance * 1.5, "\(signal)")
        }
        config.method = .gd
        config.steps = 3000
        let flow = try #require(try runTheory(config).summary.escapeTime)
        config.dynamics = .map
        let times = try [1e-3, 5e-4, 2.5e-4].map { lr -> Double in
            config.learningRate = lr
            config.steps = Int(3 / lr)
            return Double(try #require(try runTheory(config).summary.escape.escapeStep)) * lr
        }
        let gaps = times.map { abs($0 - flow) }
        #expect(gaps[0] > gaps[1] && gaps[1] > gaps[2] && gaps[2] < 2e-3, "flow \(flow), map \(times)")
    }
}
