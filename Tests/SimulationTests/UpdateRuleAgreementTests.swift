import Testing
import NumericKit
import Model
@testable import Simulation
import Theory
import TestSupport

/// The registered rules (Lion, PolarGrad, Shampoo; Sources/Model/Rules) on the dense path
/// against their exact grouped map from W₀ = αI with the population gradient, and their
/// rotation behaviour (docs/model.md §6).
@Suite struct UpdateRuleAgreementTests {
    typealias Agreement = OptimizerAgreementTests
    static let d = Agreement.d, alpha = Agreement.alpha

    static func optimizer(_ rule: any UpdateRule.Type, momentum: Double = 0, nesterov: Bool = false,
                          weightDecay: Double = 0, beta2: Double? = nil) -> Optimizer {
        Optimizer(method: Method(rawValue: rule.name)!, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay, beta2: beta2)
    }

    /// The map's states with the rule's own start (Shampoo's εI).
    static func mapStates(_ o: Optimizer, lr: Double, steps: Int) throws -> (model: GroupedModel, states: [OptimizerState]) {
        let model = try GroupedModel.spiked(lambda: Agreement.lambda, dimension: d)
        let map = try OptimizerMap(model: model, optimizer: o, learningRate: lr)
        var states: [OptimizerState] = []
        _ = try map.iterate(from: OptimizerState(coefficients: model.identityStart(alpha: alpha), optimizer: o), steps: steps) { _, s in
            states.append(s.copy())
        }
        return (model, states)
    }

    /// Lion is a sign method: while every sign of c = β₁m + (1 − β₁)G is determined, both sides
    /// compute fl(keep·s − η'·(±1)) from equal s, so the coefficients agree bit for bit. The
    /// margin bounds |c_dense − c_map|: m's recursion e_m' = β₂e_m + (1 − β₂)δG + 2γ₃(β₂|m| +
    /// (1 − β₂)|G|), and c adds β₁e_m + (1 − β₁)δG + 2γ₃(β₁|m| + (1 − β₁)|G|), δG both sides'
    /// gradient roundings (`gradientErrorBound`).
    @Test(arguments: [(nil as Double?, 0.0), (0.9, 0.1)])
    func lionEqualsTheMapBitForBit(beta2: Double?, weightDecay: Double) throws {
        let o = Self.optimizer(Lion.self, weightDecay: weightDecay, beta2: beta2)
        let lr = 1.7e-3, steps = 2000
        let dense = try Agreement.denseDiagonals(o, lr: lr, steps: steps)
        let (model, states) = try Self.mapStates(o, lr: lr, steps: steps)
        let pieces = ManifoldPieces(model.manifoldGroups)
        let lion = Lion(o), n = model.count
        var momentError = [Double](repeating: 0, count: n)
        var margin = Double.infinity, mismatches = 0
        for k in 0...steps {
            for i in 0..<Self.d where dense.diagonals[k][i] != states[k].coefficients[Agreement.group(i, model)] { mismatches += 1 }
            guard k < steps else { break }
            let s = states[k].coefficients, m = states[k].ruleState
            let g = pieces.gradient(s)
            let delta = gradientErrorBound(groups: model.manifoldGroups, dimension: Self.d, path: .diagonal, state: s)
            for q in 0..<n {
                let gError = 2 * delta[q]
                let c = lion.beta1 * m[q] + (1 - lion.beta1) * g[q]
                let cError = lion.beta1 * momentError[q] + (1 - lion.beta1) * gError
                    + 2 * gammaBound(3) * (lion.beta1 * abs(m[q]) + (1 - lion.beta1) * abs(g[q]))
                margin = min(margin, abs(c) / cError)
                momentError[q] = lion.beta2 * momentError[q] + (1 - lion.beta2) * gError
                    + 2 * gammaBound(3) * (lion.beta2 * abs(m[q]) + (1 - lion.beta2) * abs(g[q]))
            }
        }
        #expect(margin > 1, "sign margin \(margin)")
        #expect(mismatches == 0)
        #expect(dense.offDiagonalNonZero == 0)
        #expect(states.last!.coefficients[0] > 4 * Self.alpha)  // it escaped: real dynamics
    }

    /// PolarGrad (with and without Nesterov momentum) and Shampoo: |W_ii − s_g| within the
    /// first-order transition bound of TestSupport/OptimizerErrorModel.swift at every checkpoint,
    /// and that bound below 1e-10 relative through the escape.
    @Test(arguments: [
        (Self.optimizer(PolarGrad.self), 2e-4, 1500),
        (Self.optimizer(PolarGrad.self, momentum: 0.9, nesterov: true, weightDecay: 0.1), 5e-5, 1500),
        (Self.optimizer(Shampoo.self), 2e-2, 1500),
        (Optimizer(method: Method(rawValue: "shampoo")!, weightDecay: 0.1, preconditionerEpsilon: 1e-4), 2e-2, 1500),
    ])
    func continuousRulesFollowTheMap(_ o: Optimizer, lr: Double, steps: Int) throws {
        let dense = try Agreement.denseDiagonals(o, lr: lr, steps: steps)
        let (model, states) = try Self.mapStates(o, lr: lr, steps: steps)
        let eta = lr * o.learningRateFactor(rows: Self.d, columns: Self.d)
        let direction: ContinuousRule.Direction = o.method.updateRule! == Shampoo.self ? .shampoo : .polarGrad
        let rule = ContinuousRule(direction: direction, momentum: o.momentum, nesterov: o.nesterov, learningRate: eta,
                                  keep: 1 - eta * o.weightDecay)
        let zeros = [Double](repeating: 0, count: model.count)
        let checkpoints = [1, 10] + Array(stride(from: 100, through: steps, by: 100))
        let bound = continuousDenseVersusMapBound(
            groups: model.manifoldGroups, dimension: Self.d, rule: rule,
            trajectory: states.map { ($0.coefficients, $0.momentum, zeros, $0.ruleState.isEmpty ? zeros : $0.ruleState) },
            checkpoints: checkpoints)
        var worst = 0.0, relative = 0.0
        for k in checkpoints {
            let e = bound.coefficients[k]!, s = states[k].coefficients
            for i in 0..<Self.d {
                let g = Agreement.group(i, model)
                worst = max(worst, abs(dense.diagonals[k][i] - s[g]) / e[g])
                relative = max(relative, e[g] / abs(s[g]))
            }
        }
        #expect(worst <= 1, "worst |dense − map| / bound \(worst)")
        #expect(relative <= 1e-10, "bound \(relative) relative")
        #expect(dense.offDiagonalNonZero == 0)
        #expect(states.last!.coefficients[0] > 4 * Self.alpha, "a = \(states.last!.coefficients[0]): the run escapes")
    }

    /// W₀ = αQ against W₀ = αI: PolarGrad and Shampoo are rotation-invariant (polar and nuclear
    /// norm commute with W → WQ; L is unchanged and R → QᵀRQ), Lion's entrywise sign is not.
    /// The rotated run's own roundings: every step's products and factorisations have backward
    /// errors of order d·ε (gemm, gesdd, dsyevd), so over K steps of a non-expanding map the
    /// two starts differ by at most c·K·d·ε relative, c = 64 for the handful of products per
    /// step; Lion's difference is of order one.
    @Test func rotationInvarianceIsAsDocumented() throws {
        let steps = 400.0, d = 32.0
        let bound = 64 * steps * d * Double.ulpOfOne
        for rule in UpdateRules.all {
            let e = try RotationContrastTests.difference(Self.optimizer(rule))
            if rule.rotationInvariant {
                #expect(e <= bound, "\(rule.name): \(e) > \(bound)")
            } else {
                #expect(e > 0.1, "\(rule.name): \(e)")
            }
        }
    }

    /// The memory estimate counts each rule's workspace (Shampoo's d×d factors dominate).
    @Test func memoryEstimateCountsTheRuleWorkspace() throws {
        func bytes(_ o: Optimizer) -> Double {
            var c = SimulationConfiguration(method: o.method, dimension: 400)
            c.optimizer = o
            return c.memoryEstimate.bytes
        }
        let gd = bytes(Optimizer(method: .gd))
        #expect(bytes(Self.optimizer(Shampoo.self)) >= gd + 8 * (2 * 400 * 400 * 2))
        #expect(bytes(Self.optimizer(Lion.self)) >= gd + 8 * 400 * 400)
    }
}
