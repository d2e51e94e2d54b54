import Testing
import NumericKit
import Model
@testable import Simulation
import Theory
import TestSupport

extension GroupedModel {
    /// The groups as the error model reads them.
    var manifoldGroups: [ManifoldGroup] {
        groups.map { ManifoldGroup(sigma: $0.eigenvalue, multiplicity: Double($0.multiplicity), target: $0.target) }
    }
}

/// On the invariant manifold (W₀ = αI, population gradient) the dense run must reproduce
/// the exact summary map of docs/model.md §3 step for step.
@Suite struct TheoryAgreementTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var method: Method
        var lambda: Double
        var lr: Double
        var steps: Int
        var initialization: Initialization = .identity
        /// Several spikes (nil: the one of `lambda`).
        var spikes: [Double]? = nil
        var testDescription: String { "\(method) λ=\(spikes.map { "\($0)" } ?? "\(lambda)") \(initialization)" }
    }

    @Test(arguments: [
        Case(method: .gd, lambda: 8, lr: 0.02, steps: 3000),
        Case(method: .gd, lambda: 1, lr: 0.02, steps: 3000),
        Case(method: .specgd, lambda: 8, lr: 1.7e-3, steps: 2000),
        Case(method: .specgd, lambda: 0.5, lr: 1.7e-3, steps: 2000),
        // W₀ = αQ with Q Haar-orthogonal (m = d): by the right-rotation symmetry
        // L(WQ) = L(W), ∇L(WQ) = ∇L(W)Q, polar(GQ) = polar(G)Q, the run is diag(a, b, c…)·Q, so
        // the same map must come out — now through dense gradients and LAPACK's gesdd
        // (identity runs take the exact diagonal fast path of the polar factor).
        Case(method: .gd, lambda: 8, lr: 0.02, steps: 3000, initialization: .orthogonal),
        // SpecGD only up to the chattering stage (step ≈ 560 here): there the exact map enters a
        // period-2 cycle with all d − 2 bulk coordinates in lock-step; in a rotated basis
        // rounding splits the degenerate bulk singular values, they chatter independently and
        // the dense run leaves the cycle (it reaches a lower loss). Identity runs keep W
        // exactly diagonal and follow the map through that stage too (cases above).
        Case(method: .specgd, lambda: 8, lr: 1.7e-3, steps: 540, initialization: .orthogonal),
        // Several spikes: the theory's groups a, b, b2, c (`GroupedModel.spiked(spikes:)`) against
        // the dense Σ = I + 8e₂e₂ᵀ + 3e₃e₃ᵀ.
        Case(method: .gd, lambda: 8, lr: 0.02, steps: 3000, spikes: [8, 3]),
        Case(method: .specgd, lambda: 8, lr: 1.7e-3, steps: 2000, spikes: [8, 3]),
    ])
    func denseRunEqualsTheExactMap(_ test: Case) throws {
        let d = 16, alpha = 0.05
        var config = SimulationConfiguration(method: test.method, lambda: test.lambda, dimension: d,
                                             initialization: test.initialization, alpha: alpha, learningRate: test.lr,
                                             steps: test.steps, every: 1)
        config.recordWallTime = false
        config.spikes = test.spikes
        let table = try Simulator(config).runRepetition(0)

        let model = try GroupedModel.spiked(spikes: test.spikes ?? [test.lambda], dimension: d)
        let bulk = model.count - 1
        let map = try DiscreteMap(model: model, method: test.method, learningRate: test.lr)
        var expected: [[Double]] = []
        _ = try map.iterate(from: model.identityStart(alpha: alpha), steps: test.steps) { _, s in expected.append(s) }
        // The error model (TestSupport/ManifoldErrorModel.swift): e_k carried along the map's
        // trajectory through its Jacobian, plus each side's rounding of every observable.
        let bound = denseVersusMapBound(groups: model.manifoldGroups, dimension: d, spectral: test.method == .specgd,
                                        learningRate: test.lr, alpha: alpha,
                                        path: test.initialization == .identity ? .diagonal : .rotated, trajectory: expected)
        // SpecGD: every sign of the run is determined — |G_g| exceeds its own error bound (and
        // the polar's zero threshold) at every step, so the dense and map signs agree and the
        // comparison is meaningful (a tie would let one rounding flip a step).
        #expect(bound.signMargin > 1, "sign margin \(bound.signMargin)")
        let a = table.column("a")!, b = table.column("b")!, c = table.column("c")!
        let loss = table.column("loss")!, q = table.column("q")!
        #expect(a.count == test.steps + 1)
        var worst = 0.0  // max over steps and observables of |dense − map| / bound
        for k in 0...test.steps {
            let s = expected[k]
            let p = Double(model.groups[bulk].multiplicity)
            worst = max(worst, abs(a[k] - abs(s[0])) / bound.a[k], abs(b[k] - abs(s[1])) / bound.b[k],
                        abs(loss[k] - model.loss(s)) / bound.loss[k])
            // c and q: the bounds are the bulk group's; with several spikes the dense c, q are the
            // map's over every group but a and b (CompareCovarianceTests bounds those at step 0).
            guard bulk == 2 else { continue }
            worst = max(worst, abs(c[k] - abs(s[bulk])) / bound.c[k], abs(q[k] - p * s[bulk] * s[bulk]) / bound.q[k])
        }
        #expect(worst <= 1, "worst |dense − map| / bound \(worst)")
        // The run moved far from the start (so the comparison covers real dynamics).
        #expect(a.last! > 4 * alpha)
    }
}

/// The shared experiment means the same problem in both backends.
@Suite struct SharedExperimentTests {
    /// θ* sits on eigen-direction `signalIndex` of a power-law or diagonal spectrum, as in the
    /// theory's `GroupedModel.powerLaw(…, signalIndex:)` (the group with target 1).
    @Test func signalIndexPlacesTheTeacher() throws {
        var c = SimulationConfiguration(dimension: 6, steps: 1)
        c.covariance = .powerLaw
        c.signalIndex = 3
        let problem = try Problem(configuration: c)
        #expect(problem.teacher == [0, 0, 1, 0, 0, 0])
        var theory = TheoryConfiguration(dimension: 6)
        theory.experiment = c.experiment
        let model = try theory.model()
        #expect(model.groups[model.signalIndex].eigenvalue == problem.spectrum[2])
        // The spiked covariance keeps θ* = e₁ (signalIndex is not read there).
        c.covariance = .spiked
        #expect(try Problem(configuration: c).teacher == [1, 0, 0, 0, 0, 0])
    }

    /// One spike through `spikes` is the usual three-group model, bit for bit.
    @Test func oneSpikeListIsTheSpikedModel() throws {
        var listed = TheoryConfiguration(lambda: 3, dimension: 50, learningRate: 0.01, steps: 200)
        listed.spikes = [8]
        let plain = TheoryConfiguration(lambda: 8, dimension: 50, learningRate: 0.01, steps: 200)
        #expect(try listed.model() == plain.model())
        #expect(try runTheory(listed).table == runTheory(plain).table)
    }
}
