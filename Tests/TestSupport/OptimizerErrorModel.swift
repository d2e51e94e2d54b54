// The error model of a dense identity-manifold run of a *continuous* optimizer of MODEL.md §6
// (GD with momentum, decay or scale; SpecGD with a Newton–Schulz schedule; Adam) against the
// exact grouped map. The sign methods need none: with every sign determined their coefficients
// agree bit for bit (SimulationTests/OptimizerAgreementTests).
//
// State z = (s, B, m, v) per group, one step z' = F(z) + ρ on each side, ρ the step's rounding.
// The difference δ of the two computed trajectories obeys, to first order,
//   δ_{k+1} = J_k δ_k + (ρ̂_k − ρ̃_k),   so   |δ_N| ≤ Σ_{k<N} |Φ(N, k+1)| r_k,
// Φ(N, k+1) = J_{N−1}⋯J_{k+1} the exact transition (products of Jacobians, never of their
// absolute values: momentum's Jacobian is non-normal and |J| would grow where J contracts) and
// r_k ≥ |ρ̂_k − ρ̃_k| componentwise. J_k is the Jacobian of an independent transcription of §6 at
// the map's state, by forward-mode dual numbers. r_k is first-order running error analysis: every
// rounding site of the step gets a perturbation input with its bound (both sides' roundings
// added) and r_k = Σ_sites |∂F/∂site|·bound:
//   G_g        gradientErrorBound (ManifoldErrorModel.swift): both sides' gradient roundings;
//   B' = βB+G  2γ₂(β|B| + |G|);  Nesterov U = G + βB'  2γ₂(|G| + β|B'|);
//   scale      1/(f‖U‖_F + ε): ‖U‖²_F summed over d entries (dense) or n weighted groups (map):
//              relative (γ_d + γ_{n+1})/2 + 2γ₅;  x = U·scale  2γ₁|x|;
//   each Newton–Schulz step y ↦ y((b y² + c y⁴) + a)  2γ₇|y|(|a| + |b|y² + |c|y⁴);
//   Adam m'  2γ₃(β₁|m| + (1−β₁)|G|),  v'  2γ₄(β₂v + (1−β₂)G²),  u  2γ₅|u|;
//   s' = keep·s − η'u  2γ₃(keep|s| + η'|u|).
// Constants both sides compute by the same expression (η', 1 − η'ω, 1 − βᵗ, the schedule's rows)
// are the constants of F, so they carry no error. O(δ²) terms are dropped (δ ≲ 1e-12 here).

import Foundation
import NumericKit

/// The step rule of a continuous optimizer, in plain numbers (the test maps the library's
/// `Optimizer` onto it).
public struct ContinuousRule: Sendable {
    /// polarGrad: u = N·sign U, N = Σ_g p_g|U_g| (PolarGrad's ‖U‖_*·polar(U) on the manifold);
    /// shampoo: l ← l + G² (the state's v slot), u = (r·G)·r, r = 1/√√l (Shampoo's
    /// L^(−1/4) G R^(−1/4) on the manifold).
    public enum Direction: Sendable {
        case gradient, newtonSchulz(NewtonSchulzSchedule), adam(beta1: Double, beta2: Double, epsilon: Double)
        case polarGrad, shampoo
    }
    public var direction: Direction
    public var momentum: Double
    public var nesterov: Bool
    /// η' and 1 − η'ω, as both sides compute them.
    public var learningRate: Double
    public var keep: Double
    public init(direction: Direction, momentum: Double, nesterov: Bool, learningRate: Double, keep: Double) {
        self.direction = direction; self.momentum = momentum; self.nesterov = nesterov
        self.learningRate = learningRate; self.keep = keep
    }
}

/// A value with its derivatives with respect to the state and the rounding sites.
struct Dual {
    var v: Double
    var d: [Double]
    init(_ v: Double, count: Int, seed: Int? = nil) {
        self.v = v
        d = [Double](repeating: 0, count: count)
        if let seed { d[seed] = 1 }
    }
    init(v: Double, d: [Double]) { self.v = v; self.d = d }
    static func + (x: Dual, y: Dual) -> Dual { Dual(v: x.v + y.v, d: zip(x.d, y.d).map { $0 + $1 }) }
    static func - (x: Dual, y: Dual) -> Dual { Dual(v: x.v - y.v, d: zip(x.d, y.d).map { $0 - $1 }) }
    static func * (x: Dual, y: Dual) -> Dual { Dual(v: x.v * y.v, d: zip(x.d, y.d).map { y.v * $0 + x.v * $1 }) }
    static func / (x: Dual, y: Dual) -> Dual {
        Dual(v: x.v / y.v, d: zip(x.d, y.d).map { ($0 * y.v - x.v * $1) / (y.v * y.v) })
    }
    static func * (a: Double, x: Dual) -> Dual { Dual(v: a * x.v, d: x.d.map { a * $0 }) }
    static func + (x: Dual, a: Double) -> Dual { Dual(v: x.v + a, d: x.d) }
    func squareRoot() -> Dual { let r = v.squareRoot(); return Dual(v: r, d: d.map { $0 / (2 * r) }) }
    /// |x| away from 0 (the sign is a constant of the step while it is determined).
    var magnitude: Dual { v < 0 ? -1 * self : self }
}

/// The bound of this file's header, at checkpoints.
public struct ContinuousRunBound: Sendable {
    /// Per checkpoint step, the bound on |ŝ_g − s̃_g| per group.
    public var coefficients: [Int: [Double]] = [:]
}

/// `trajectory[k]` is the map's state (s, B, m, v; each `groups.count` long) before step k + 1,
/// for k = 0…N. Returns the bound at every step in `checkpoints` (≤ N).
public func continuousDenseVersusMapBound(groups: [ManifoldGroup], dimension d: Int, rule: ContinuousRule,
                                          trajectory: [(s: [Double], b: [Double], m: [Double], v: [Double])],
                                          checkpoints: [Int]) -> ContinuousRunBound {
    let n = groups.count
    let nz = 4 * n
    var steps = 0
    if case .newtonSchulz(let schedule) = rule.direction { steps = schedule.steps.count }
    let sites = n * (steps + 8) + 1
    let width = nz + sites
    var jacobians: [[Double]] = []  // nz×nz row-major
    var local: [[Double]] = []      // r_k
    for k in 0..<(trajectory.count - 1) {
        let z = trajectory[k]
        var bounds = [Double](repeating: 0, count: sites)
        var next = 0
        func site(_ x: Dual, _ bound: Double) -> Dual {
            var y = x
            y.d[nz + next] += 1
            bounds[next] = bound
            next += 1
            return y
        }
        func seed(_ values: [Double], _ offset: Int) -> [Dual] {
            values.indices.map { Dual(values[$0], count: width, seed: offset + $0) }
        }
        let s = seed(z.s, 0), b = seed(z.b, n), m = seed(z.m, 2 * n), v = seed(z.v, 3 * n)
        // G_g = σ_g s_g (2σ_g(s_g² − t_g) + T), T = Σ p σ (s² − t).
        var trace = Dual(0, count: width)
        for g in 0..<n { trace = trace + (groups[g].multiplicity * groups[g].sigma) * (s[g] * s[g] + (-groups[g].target)) }
        let gradientBound = gradientErrorBound(groups: groups, dimension: d, path: .diagonal, state: z.s)
        let gradient = (0..<n).map { g -> Dual in
            let q = groups[g]
            let exact = q.sigma * (s[g] * ((2 * q.sigma) * (s[g] * s[g] + (-q.target)) + trace))
            return site(exact, gradientBound[g])
        }
        var newB = b, newM = m, newV = v
        var u: [Dual]
        let beta = rule.momentum
        if case .adam(let beta1, let beta2, let epsilon) = rule.direction {
            let t = Double(k + 1)
            let c1 = 1 - pow(beta1, t), c2 = 1 - pow(beta2, t)
            u = []
            for g in 0..<n {
                let gv = abs(gradient[g].v)
                newM[g] = site(beta1 * m[g] + (1 - beta1) * gradient[g],
                               2 * gammaBound(3) * (beta1 * abs(m[g].v) + (1 - beta1) * gv))
                newV[g] = site(beta2 * v[g] + (1 - beta2) * (gradient[g] * gradient[g]),
                               2 * gammaBound(4) * (beta2 * abs(v[g].v) + (1 - beta2) * gv * gv))
                let ratio = ((1 / c1) * newM[g]) / (((1 / c2) * newV[g]).squareRoot() + epsilon)
                u.append(site(ratio, 2 * gammaBound(5) * abs(ratio.v)))
            }
        } else if case .shampoo = rule.direction {
            // l' = l + G² (G² and the sum: γ₂ per side); r = 1/√√l' is the same expression of l'
            // on both sides (the dense eigenvalues of a diagonal L are its entries), so no site;
            // u = (r·G)·r, two products (γ₂ per side).
            u = []
            for g in 0..<n {
                let l = site(v[g] + gradient[g] * gradient[g], 2 * gammaBound(2) * (abs(v[g].v) + gradient[g].v * gradient[g].v))
                newV[g] = l
                let r = Dual(1, count: width) / l.squareRoot().squareRoot()
                let value = (r * gradient[g]) * r
                u.append(site(value, 2 * gammaBound(2) * abs(value.v)))
            }
        } else {
            if beta > 0 {
                u = []
                for g in 0..<n {
                    newB[g] = site(beta * b[g] + gradient[g], 2 * gammaBound(2) * (beta * abs(b[g].v) + abs(gradient[g].v)))
                    u.append(rule.nesterov
                        ? site(gradient[g] + beta * newB[g], 2 * gammaBound(2) * (abs(gradient[g].v) + beta * abs(newB[g].v)))
                        : newB[g])
                }
            } else {
                u = gradient
            }
            if case .polarGrad = rule.direction {
                // N = Σ p_g|U_g|: d products ±1·U (exact) summed densely (γ_d) against n weighted
                // groups (γ_{n+1}); u = N·sign U, one product (γ₁ per side).
                var nuclear = Dual(0, count: width)
                for g in 0..<n { nuclear = nuclear + groups[g].multiplicity * u[g].magnitude }
                nuclear = site(nuclear, (gammaBound(Double(d)) + gammaBound(Double(n + 1))) * abs(nuclear.v))
                for g in 0..<n {
                    let sign: Double = u[g].v > 0 ? 1 : (u[g].v < 0 ? -1 : 0)
                    let value = sign * nuclear
                    u[g] = site(value, 2 * gammaBound(1) * abs(value.v))
                }
            }
            if case .newtonSchulz(let schedule) = rule.direction {
                var normSquared = Dual(0, count: width)
                for g in 0..<n { normSquared = normSquared + groups[g].multiplicity * (u[g] * u[g]) }
                var scale = Dual(1, count: width) / (schedule.normalisationFactor * normSquared.squareRoot() + schedule.epsilon)
                let relative = (gammaBound(Double(d)) + gammaBound(Double(n + 1))) / 2 + 2 * gammaBound(5)
                scale = site(scale, relative * abs(scale.v))
                for g in 0..<n {
                    var y = u[g] * scale
                    y = site(y, 2 * gammaBound(1) * abs(y.v))
                    for row in schedule.steps {
                        let y2 = y * y
                        let magnitude = abs(y.v) * (abs(row.a) + abs(row.b) * y2.v + abs(row.c) * y2.v * y2.v)
                        y = site(y * ((row.b * y2 + row.c * (y2 * y2)) + row.a), 2 * gammaBound(7) * magnitude)
                    }
                    u[g] = y
                }
            }
        }
        let newS = (0..<n).map { g in
            site(rule.keep * s[g] - rule.learningRate * u[g],
                 2 * gammaBound(3) * (rule.keep * abs(s[g].v) + rule.learningRate * abs(u[g].v)))
        }
        let out = newS + newB + newM + newV
        var jac = [Double](repeating: 0, count: nz * nz)
        var r = [Double](repeating: 0, count: nz)
        for i in 0..<nz {
            for j in 0..<nz { jac[i * nz + j] = out[i].d[j] }
            for q in 0..<next { r[i] += abs(out[i].d[nz + q]) * bounds[q] }
        }
        // A state component the method does not use (B without momentum, m and v without Adam)
        // is 0 on both sides and stays so: F copies it.
        jacobians.append(jac)
        local.append(r)
    }
    var result = ContinuousRunBound()
    for N in checkpoints {
        // Σ_{k<N} |Φ(N, k+1)| r_k, Φ accumulated backwards: P = Φ(N, k+1), then P ← P·J_k.
        var p = [Double](repeating: 0, count: nz * nz)
        for i in 0..<nz { p[i * nz + i] = 1 }
        var e = [Double](repeating: 0, count: nz)
        var k = N - 1
        while k >= 0 {
            let r = local[k]
            for i in 0..<nz { for j in 0..<nz { e[i] += abs(p[i * nz + j]) * r[j] } }
            let jac = jacobians[k]
            var q = [Double](repeating: 0, count: nz * nz)
            for i in 0..<nz { for l in 0..<nz where p[i * nz + l] != 0 { for j in 0..<nz { q[i * nz + j] += p[i * nz + l] * jac[l * nz + j] } } }
            p = q
            k -= 1
        }
        result.coefficients[N] = Array(e[0..<n])
    }
    return result
}
