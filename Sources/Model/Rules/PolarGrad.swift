import NumericKit
import SpecgdSupport

/// PolarGrad (Lau, Long & Su 2025): the polar step scaled by the nuclear norm of what it
/// orthogonalises, u = ‖U‖_* · polar(U), with U the gradient or its momentum buffer (the
/// `momentum`/`nesterov` options SpecGD has). The scale restores the gradient's size that
/// SpecGD's polar factor discards: ‖U‖_* = Σ singular values = ⟨polar(U), U⟩. Rotation-invariant
/// (the polar factor and the nuclear norm are). On the manifold u_g = (Σ_h p_h |U_h|) · sign U_g.
/// The polar factor is exact (SVD; the diagonal fast path on the manifold).
package struct PolarGrad: UpdateRule {
    package static let name = "polargrad"
    package static let displayName = "PolarGrad"
    package static let summary = "PolarGrad, W ← W − η·‖U‖_*·polar(U), U = ∇L or its momentum buffer (--momentum --nesterov)"
    package static let options: [RuleOption] = [.momentum]
    package static let rotationInvariant = true
    package static let noPredictionReason = "no closed form for PolarGrad's escape (its step size ‖U‖_* changes with the whole state)"

    package init(_ optimizer: Optimizer) {}

    package func groupedDirection(_ x: GroupedStep) {
        let n = x.groups, cells = x.cells, u = x.direction, p = x.multiplicity, norm = x.scratch
        // ‖U‖_* per cell: Σ_g p_g |U_g|, groups in order.
        for j in 0..<cells { norm[j] = 0 }
        for g in 0..<n {
            let row = u + g * cells, weight = p[g]
            for j in 0..<cells { norm[j] += weight * abs(row[j]) }
        }
        for g in 0..<n {
            let row = u + g * cells
            for j in 0..<cells { row[j] = norm[j] * signum(row[j]) }
        }
    }

    /// The first step moves every coefficient by ‖U‖_* = Σ_g p_g |U_g| (the polar factor is ±1).
    package func firstSignalMove(source: [Double], multiplicity: [Double], signal: Int) -> Double? {
        source[signal] == 0 ? 0 : zip(source, multiplicity).reduce(0) { $0 + $1.1 * abs($1.0) }
    }

    package func denseStepper(rows: Int, columns: Int) -> any DenseRuleStepper {
        Dense(polar: PolarWorkspace(rows: rows, columns: columns, method: .svd, schedule: nil))
    }

    package static func denseWorkspaceDoubles(rows d: Double, columns m: Double) -> Double {
        PolarWorkspace.estimatedDoubles(rows: d, columns: m, method: .svd)
    }

    struct Dense: DenseRuleStepper {
        var polar: PolarWorkspace

        mutating func direction(gradient: Matrix, source: Matrix, into update: inout Matrix, step t: Int) throws {
            try polar.polar(source, into: &update)
            // ‖U‖_* = ⟨polar(U), U⟩ = Σ_i s_i (U = P·H with H ⪰ 0, tr H = Σ s_i).
            var nuclear = 0.0
            update.storage.withUnsafeBufferPointer { q in
                source.storage.withUnsafeBufferPointer { s in
                    for i in 0..<q.count { nuclear += q[i] * s[i] }
                }
            }
            update.storage.withUnsafeMutableBufferPointer { q in
                for i in 0..<q.count { q[i] = nuclear * q[i] }
            }
        }
    }
}
