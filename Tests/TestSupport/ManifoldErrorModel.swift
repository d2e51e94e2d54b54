// The error model of a dense run on the invariant manifold against the exact summary map
// (MODEL.md §3): an absolute bound e_k on |ŝ_k − s̃_k| per group (ŝ the dense run's group
// coefficient, s̃ the map's), carried step by step along the map's own trajectory, and the
// bounds it implies on every recorded observable (a, b, c, q, loss). Nothing is fitted: each
// term is a count of roundings times the magnitude of what is rounded, at the current state.
//
// The recursion (first order in e, which stays ≲ 1e-12 here, so the neglected O(e²) terms are
// below 1e-20):
//   GD:      e_{k+1} = |I − η̃ J_k| e_k + η̃ (δG_map + δG_dense) + (update roundings of both),
//            J_k = ∂G/∂s at the map's state (the map's Jacobian);
//   SpecGD:  while every sign is determined (|G_g| above its error bound δG_g + |J| e, and above
//            the dense polar's zero threshold), sign G is locally constant, the map's Jacobian
//            is I, and e_{k+1} = e_k + η·(dense polar error) + (update roundings) — zero for the
//            diagonal fast path from e_0 = 0: both sides compute fl(s ∓ η) from equal inputs.
// δG bounds |fl(G(s)) − G(s)| of one evaluation: σ_g|s_g|·|δT| (the trace's error) plus
// (roundings)·ε·G⁺_g, G⁺_g = σ_g|s_g|(2σ_g(s_g² + t_g) + |T|) the same formula in magnitudes;
// |δT| ≤ γ_n T⁺, T⁺ = Σ_g p_g σ_g (s_g² + t_g), n the number of terms summed plus the
// roundings of one term.
//
// Rotated runs (W₀ = αQ, Q Haar): W = diag(s)·Q and every dense product mixes all m columns.
// A rounding error E of the step changes a group's coefficient by at most the RMS norm of E's
// rows in that group (a = ‖row_θ(W)‖, c = ‖P⊥W‖_F/√p), so δ_g is the per-row bound of E.
// Errors off the manifold are odd under the coordinate sign flips that fix the manifold point
// (W ↦ S W Qᵀ S Q), so they reach the group coefficients and the observables only at second
// order; Q's own deviation from orthonormality ((p + r) ε, dgeqrf/dorgqr) enters as e_0.

/// γ_n = n ε / (1 − n ε) (Higham): n roundings of relative size ≤ ε.
public func gammaBound(_ n: Double) -> Double { n * eps / (1 - n * eps) }

/// One group of the manifold: eigenvalue σ_g, multiplicity p_g, target t_g.
public struct ManifoldGroup: Sendable {
    public var sigma: Double
    public var multiplicity: Double
    public var target: Double
    public init(sigma: Double, multiplicity: Double, target: Double) {
        self.sigma = sigma; self.multiplicity = multiplicity; self.target = target
    }
}

/// Exact-arithmetic pieces of the manifold gradient (an independent transcription of MODEL.md
/// §3, so a wrong Jacobian in the library cannot hide in its own error model).
public struct ManifoldPieces {
    public let groups: [ManifoldGroup]
    public init(_ groups: [ManifoldGroup]) { self.groups = groups }

    public func trace(_ s: [Double]) -> Double {
        zip(groups, s).reduce(0) { $0 + $1.0.multiplicity * $1.0.sigma * ($1.1 * $1.1 - $1.0.target) }
    }
    /// T⁺ = Σ p σ (s² + t).
    public func traceMagnitude(_ s: [Double]) -> Double {
        zip(groups, s).reduce(0) { $0 + $1.0.multiplicity * $1.0.sigma * ($1.1 * $1.1 + $1.0.target) }
    }
    public func gradient(_ s: [Double]) -> [Double] {
        let t = trace(s)
        return groups.indices.map { g in
            let q = groups[g]
            return q.sigma * s[g] * (2 * q.sigma * (s[g] * s[g] - q.target) + t)
        }
    }
    /// G⁺_g = σ|s|(2σ(s² + t) + |T|).
    public func gradientMagnitude(_ s: [Double]) -> [Double] {
        let t = abs(trace(s))
        return groups.indices.map { g in
            let q = groups[g]
            return q.sigma * abs(s[g]) * (2 * q.sigma * (s[g] * s[g] + q.target) + t)
        }
    }
    /// ∂G_g/∂s_h = δ_gh σ_g(2σ_g(s_g² − t_g) + T + 4σ_g s_g²) + σ_g s_g · 2 p_h σ_h s_h.
    public func jacobian(_ s: [Double]) -> [[Double]] {
        let t = trace(s)
        return groups.indices.map { g in
            groups.indices.map { h in
                var x = groups[g].sigma * s[g] * 2 * groups[h].multiplicity * groups[h].sigma * s[h]
                if g == h { x += groups[g].sigma * (2 * groups[g].sigma * (s[g] * s[g] - groups[g].target) + t + 4 * groups[g].sigma * s[g] * s[g]) }
                return x
            }
        }
    }
    /// L⁺ = ¼(2 Σ p σ² (s² + t)² + T⁺²): the loss formula in magnitudes.
    public func lossMagnitude(_ s: [Double]) -> Double {
        var quadratic = 0.0
        for g in groups.indices {
            let m = s[g] * s[g] + groups[g].target
            quadratic += groups[g].multiplicity * groups[g].sigma * groups[g].sigma * m * m
        }
        let t = traceMagnitude(s)
        return 0.25 * (2 * quadratic + t * t)
    }
    /// |J| e (entrywise absolute Jacobian applied to the error vector).
    public func absoluteJacobianTimes(_ s: [Double], _ e: [Double]) -> [Double] {
        jacobian(s).map { row in zip(row, e).reduce(0) { $0 + abs($1.0) * $1.1 } }
    }
}

/// How the dense run forms its gradient and polar factor.
public enum DenseManifoldPath: Sendable {
    /// W₀ = αI: W stays exactly diagonal and the population objective and the polar factor take
    /// their diagonal fast paths (per-coordinate arithmetic, T summed over d coordinates).
    case diagonal
    /// W₀ = αQ: dense syrk/gemm gradient and, for SpecGD, gesdd's polar factor.
    case rotated
}

/// Bounds, per recorded step k = 0…steps, on |dense − map| of each observable.
public struct ManifoldRunBound: Sendable {
    /// e_k per group.
    public var state: [[Double]] = []
    public var a: [Double] = [], b: [Double] = [], c: [Double] = [], q: [Double] = [], loss: [Double] = []
    /// SpecGD: min over steps and groups of |G_g| / (its error bound + the polar's zero
    /// threshold); > 1 means every sign of the run was determined (∞ for GD).
    public var signMargin = Double.infinity
}

/// The dense-vs-map bound along the map's `trajectory` (states k = 0…steps) of the spiked model
/// (groups [signal, spike, …, bulk], the layout `GroupedModel.spiked` builds: the first spike is
/// b, the bulk is the last group), dimension d = width m.
/// `spectral`: SpecGD (else GD) with step `learningRate`; `alpha` the initial scale (the rotated
/// start's e_0). Every model term is documented in this file's header.
public func denseVersusMapBound(groups: [ManifoldGroup], dimension d: Int, spectral: Bool, learningRate eta: Double,
                                alpha: Double, path: DenseManifoldPath, trajectory: [[Double]]) -> ManifoldRunBound {
    let model = ManifoldPieces(groups)
    let n = groups.count
    let dd = Double(d), m = Double(d)
    let bulk = n - 1
    let p = groups[bulk].multiplicity
    var bound = ManifoldRunBound()
    // e_0: the identity start is exact on both sides; αQ̂ is off orthonormal by (d + m) ε.
    var e = [Double](repeating: path == .diagonal ? 0 : alpha * Double(d + d) * eps, count: n)
    for k in trajectory.indices {
        let s = trajectory[k]
        let t = model.trace(s), tPlus = model.traceMagnitude(s)
        let gradient = model.gradient(s), gPlus = model.gradientMagnitude(s)
        let traceMap = gammaBound(Double(n + 4)) * tPlus
        let traceDense = gammaBound(path == .diagonal ? dd + 3 : dd + m + 7) * tPlus
        let normA = groups.indices.reduce(0.0) { $0 + groups[$1].multiplicity * groups[$1].sigma * s[$1] * s[$1] * groups[$1].sigma * s[$1] * s[$1] }.squareRoot()
        let deltaA = gammaBound(dd + 6) * tPlus
        let gradientError = gradientErrorBound(groups: groups, dimension: d, path: path, state: s)
        // Observables at step k: the state's error plus each side's rounding of the observable.
        let rowTerms = path == .diagonal ? 1.0 : m      // entries summed into a², b²
        let bulkTerms = path == .diagonal ? p : p * m   // entries summed into q
        bound.state.append(e)
        bound.a.append(e[0] + gammaBound(rowTerms + 2) * abs(s[0]))
        bound.b.append(e[1] + gammaBound(rowTerms + 2) * abs(s[1]))
        bound.c.append(e[bulk] + (gammaBound(bulkTerms + 1) / 2 + gammaBound(2)) * abs(s[bulk]))
        bound.q.append(2 * p * abs(s[bulk]) * e[bulk] + p * e[bulk] * e[bulk]
                       + (gammaBound(bulkTerms + 1) + gammaBound(2)) * p * s[bulk] * s[bulk])
        // Loss: ∂L/∂s_g = p_g G_g (plus the second-order ½ Σ p_g |J_gh| e_g e_h), and the two
        // formulas' roundings: the map's n-term sums, the dense run's d-term (diagonal) or
        // m²-term (rotated, Σ A_ij² with A's own error) sums, each relative to L⁺, plus the
        // trace's error through T²/4.
        let jacobianE = model.absoluteJacobianTimes(s, e)
        var lossState = 0.0
        for g in 0..<n { lossState += groups[g].multiplicity * (abs(gradient[g]) * e[g] + 0.5 * jacobianE[g] * e[g]) }
        let lPlus = model.lossMagnitude(s)
        let lossMap = gammaBound(Double(n + 8)) * lPlus + 0.5 * abs(t) * traceMap + 0.25 * traceMap * traceMap
        let lossDense = (path == .diagonal ? gammaBound(dd + 8) * lPlus
                                           : gammaBound(m * m + 8) * lPlus + normA * deltaA)
            + 0.5 * abs(t) * traceDense + 0.25 * traceDense * traceDense
        bound.loss.append(lossState + lossMap + lossDense)
        guard k + 1 < trajectory.count else { break }
        // One step.
        if spectral {
            let largest = gradient.map(abs).max()!
            // The dense polar's zero threshold max|G| · max(d, m) ε (diagonal fast path and gesdd's rank).
            let threshold = largest * dd * eps * (1 + 1e-3)
            for g in 0..<n {
                let error = gradientError[g] + jacobianE[g] + threshold
                bound.signMargin = min(bound.signMargin, abs(gradient[g]) / error)
            }
            switch path {
            case .diagonal:
                // Bit for bit while e = 0; otherwise fl(x ∓ η) on inputs e apart: e plus one
                // rounding on each side.
                for g in 0..<n where e[g] > 0 { e[g] += gammaBound(2) * (abs(s[g]) + eta) }
            case .rotated:
                // gesdd's polar factor: exact for G + E, ‖E‖₂ ≤ d ε ‖G‖₂, condition 2/s_min, plus the
                // U Vᵀ gemm: 4 d ε κ (polarRoutesBound); the gradient's own rounding ‖δG‖₂ ≤ ‖δG‖_F
                // through the same condition number 2/s_min.
                let smallest = gradient.map(abs).min()!
                let kappa = largest / smallest
                var frobenius = 0.0
                for g in 0..<n { frobenius += groups[g].multiplicity * gradientError[g] * gradientError[g] }
                let polarError = 4 * dd * eps * kappa + 2 * frobenius.squareRoot() / smallest
                for g in 0..<n { e[g] += eta * polarError + gammaBound(2) * (abs(s[g]) + eta) * 2 }
            }
        } else {
            var next = [Double](repeating: 0, count: n)
            let jacobian = model.jacobian(s)
            for g in 0..<n {
                var carried = 0.0
                for h in 0..<n { carried += abs((g == h ? 1 : 0) - eta * jacobian[g][h]) * e[h] }
                // fl(s − fl(η G)) on each side: ≤ ε(|s| + 2η|G|)(1 + ε) each.
                next[g] = carried + eta * gradientError[g] + 2 * gammaBound(2) * (abs(s[g]) + 2 * eta * abs(gradient[g]))
            }
            e = next
        }
    }
    return bound
}

/// A bound on |G_dense − G_map| per group at the (map's) state `s`: both sides' rounding of one
/// gradient evaluation (this file's header), d = m.
public func gradientErrorBound(groups: [ManifoldGroup], dimension d: Int, path: DenseManifoldPath, state s: [Double]) -> [Double] {
    let model = ManifoldPieces(groups)
    let n = groups.count
    let dd = Double(d), m = Double(d)
    let t = model.trace(s), tPlus = model.traceMagnitude(s)
    let gPlus = model.gradientMagnitude(s)
    // The trace's error: the map sums n terms of 4 roundings; the dense run d terms σ_i w_i²
    // (diagonal) or the m diagonal entries of the syrk (d-term sums, Σ^{1/2} rounded).
    let traceMap = gammaBound(Double(n + 4)) * tPlus
    let traceDense = gammaBound(path == .diagonal ? dd + 3 : dd + m + 7) * tPlus
    // ‖A‖_F and the syrk's ‖ΔA‖_F ≤ γ_{d+6} ‖Σ^{1/2}W‖²_F (rotated only).
    let normA = groups.indices.reduce(0.0) { $0 + groups[$1].multiplicity * groups[$1].sigma * s[$1] * s[$1] * groups[$1].sigma * s[$1] * s[$1] }.squareRoot()
    let deltaA = gammaBound(dd + 6) * tPlus
    var gradientError = [Double](repeating: 0, count: n)
    for g in 0..<n {
        let rowScale = groups[g].sigma * abs(s[g])
        let mapError = rowScale * traceMap + gammaBound(6) * gPlus[g]
        let denseError: Double
        switch path {
        case .diagonal:
            // 2σw(σw²) + Tσw − 2σθ(wσθ): three terms of ≤ 5 roundings, two sums.
            denseError = rowScale * traceDense + gammaBound(8) * gPlus[g]
        case .rotated:
            // row_i((ΣW)(2A + T I)) − 2(Σθ)_i uᵀ: the gemm's γ_m |ΣW||2A + TI| (‖|X|‖₂ ≤ ‖X‖_F),
            // ΣW's three roundings, 2(ΣW)ΔA and the trace's error; the teacher row's rank-one
            // term, 3 roundings of 2σ²|s|t.
            denseError = rowScale * (traceDense + 2 * deltaA + gammaBound(m + 4) * (2 * normA + abs(t) * m.squareRoot()))
                + gammaBound(3) * 2 * groups[g].sigma * groups[g].sigma * abs(s[g]) * groups[g].target
        }
        gradientError[g] = mapError + denseError
    }
    return gradientError
}
