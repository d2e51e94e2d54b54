import Testing
import NumericKit
import Model
import Simulation
import SpecgdSupport
import Theory
import TestSupport

/// `updateSpectrum` (simulate --update-spectrum): the extreme singular values of each recorded
/// step's update, against the exact map's `phi_<g>` columns from W₀ = αI (docs/model.md §6:
/// on the manifold the update is diagonal with |u| = φ_K(x_g) on group g, so its singular values
/// are the phi_<g>).
@Suite struct UpdateSpectrumTests {
    /// Muon's quintic, K = 5, d = 16, η = 2e-4: the window where OptimizerAgreementTests hold the
    /// dense W to the map within r = 1e-10 relative (3000 steps). First-order error model per
    /// step k, at the map's state s before it:
    /// - the gradient coefficient G_g = σs·h, h = 2σ(s² − t) + T, carries r amplified by h's
    ///   cancellation: κ_g = 1 + 2(2σ_g s_g² + Σ_h p_h σ_h s_h²)/|h_g|;
    /// - x_g = |G_g|/(f‖U‖_F + ε): numerator and norm, (κ_g + max_h κ_h)·r;
    /// - φ_K multiplies a relative error of x by its condition Π_k |x p_k′(x)/p_k(x)| along the
    ///   K steps, and rounds ≤ 10ε per polynomial step;
    /// - LAPACK's singular values: backward stable, so within p(d)·ε·σ_max (Weyl), p(d) = d.
    @Test func denseUpdateSpectrumIsTheMapsPhi() throws {
        let d = 16, lr = 2e-4, steps = 600, alpha = 0.05, r = 1e-10
        let optimizer = Optimizer(method: .specgd, polar: .ns5)
        var dense = SimulationConfiguration(method: .specgd, lambda: 8, dimension: d, alpha: alpha, learningRate: lr,
                                            steps: steps, every: 1)
        dense.optimizer = optimizer
        dense.recordWallTime = false
        dense.updateSpectrum = true
        let table = try Simulator(dense).run().perSeed[0]
        #expect(table.columns.suffix(2) == ["update_sigma_min", "update_sigma_max"])
        var theory = TheoryConfiguration(method: .specgd, lambda: 8, dimension: d, alpha: alpha, learningRate: lr, steps: steps, every: 1)
        theory.optimizer = optimizer
        let map = try runTheory(theory)
        let model = map.model
        let schedule = try #require(optimizer.schedule)
        let phiColumns = model.groups.map { map.table.index(of: "phi_\($0.name)")! }
        let signed = ["a_signed", "b_signed", "c_signed"].map { map.table.index(of: $0)! }
        let n = table.columns.count
        #expect(map.table.rows.count == table.rows.count)
        #expect(table.rows[0][n - 2] == 0 && table.rows[0][n - 1] == 0)
        var worst = 0.0
        for k in 1...steps {
            let before = signed.map { map.table.rows[k - 1][$0] }
            let phi = phiColumns.map { map.table.rows[k][$0] }
            let bound = Self.relativeBound(model: model, schedule: schedule, state: before, r: r)
            let svd = Double(d) * eps * phi.max()!
            let gMax = phi.indices.max { phi[$0] < phi[$1] }!, gMin = phi.indices.min { phi[$0] < phi[$1] }!
            let sigmaMin = table.rows[k][n - 2], sigmaMax = table.rows[k][n - 1]
            let eMax = abs(sigmaMax - phi[gMax]) / (bound[gMax] * phi[gMax] + svd)
            let eMin = abs(sigmaMin - phi[gMin]) / (bound[gMin] * phi[gMin] + svd)
            worst = max(worst, eMax, eMin)
            #expect(eMax <= 1, "step \(k): σ_max \(sigmaMax) vs φ \(phi[gMax])")
            #expect(eMin <= 1, "step \(k): σ_min \(sigmaMin) vs φ \(phi[gMin])")
        }
        // The spectrum is not degenerate: the groups' φ differ (the signal's x is smaller than the bulk's share).
        let last = phiColumns.map { map.table.rows[steps][$0] }
        #expect(last.max()! - last.min()! > 1e-3)
    }

    /// The relative error bound of φ_K(x_g) per group at `state` (the error model above).
    static func relativeBound(model: GroupedModel, schedule: NewtonSchulzSchedule, state s: [Double], r: Double) -> [Double] {
        let g = model.gradient(s)
        let t = model.trace(s)
        var mass = 0.0, normSquared = 0.0
        for (h, group) in model.groups.enumerated() {
            mass += Double(group.multiplicity) * group.eigenvalue * s[h] * s[h]
            normSquared += Double(group.multiplicity) * g[h] * g[h]
        }
        let kappa = model.groups.indices.map { h -> Double in
            let group = model.groups[h]
            let inner = 2 * group.eigenvalue * (s[h] * s[h] - group.target) + t
            return 1 + 2 * (2 * group.eigenvalue * s[h] * s[h] + mass) / abs(inner)
        }
        let norm = schedule.normalisationFactor * normSquared.squareRoot() + schedule.epsilon
        return model.groups.indices.map { h in
            var x = abs(g[h]) / norm, condition = 1.0
            for step in schedule.steps {
                let p = step(x)
                let slope = step.a + 3 * step.b * x * x + 5 * step.c * x * x * x * x
                condition *= abs(x * slope / p)
                x = p
            }
            return condition * (kappa[h] + kappa.max()!) * r + 10 * Double(schedule.steps.count) * eps
        }
    }
}
