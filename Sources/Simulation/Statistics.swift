import Model
import NumericKit
import Theory

/// Computes a, b, c, q, alignment of W: the dense values of `TrajectoryColumns.simulation`
/// (Model). With θ* an eigen-direction (`Problem.groups`) they are the map's columns of W's group
/// coefficients s_g = √(Σ_{i∈g} ‖e_iᵀW‖²/p_g) (`GroupedModel.observables(masses:total:loss:)`,
/// docs/model.md §5): a = s of θ*'s group, b = s of the map's spike group (the largest non-signal
/// eigenvalue), c and q over the remaining groups. Else (a random teacher) by projection:
/// a = ‖Wᵀθ*‖, b = ‖Wᵀv‖ (0 without a spike), c = ‖P⊥W‖_F/√(d − #projected), q = ‖P⊥W‖²_F,
/// P⊥ projecting out θ* and every spike. alignment = a²/‖W‖²_F, spike_alignment = a²/(a² + b²);
/// on the one-spike model both definitions give the same bits.
struct SummaryStatistics: Sendable {
    let problem: Problem
    private var overlap: [Double]     // Wᵀθ* (m)
    private var coefficients: Matrix  // QᵀW (k×m)
    private var residual: Matrix      // P⊥W (d×m)

    init(problem: Problem, width: Int) {
        self.problem = problem
        overlap = [Double](repeating: 0, count: width)
        coefficients = Matrix(rows: problem.projected.columns, columns: width)
        residual = Matrix(rows: problem.dimension, columns: width)
    }

    struct Values {
        var a, b, c, q, alignment, spikeAlignment: Double
        /// ‖W‖²_F.
        var trace: Double
    }

    mutating func measure(_ w: Matrix) -> Values {
        if let (model, coordinates) = problem.groups {
            // The dimensions match by construction (the problem's d is the model's).
            let masses = try! model.groupMasses(of: w, coordinateGroups: coordinates)
            let total = w.frobeniusNormSquared
            let o = model.observables(masses: masses, total: total, loss: .nan)
            return Values(a: o.a, b: o.b, c: o.c, q: o.q, alignment: o.alignment, spikeAlignment: o.spikeAlignment, trace: total)
        }
        BLAS.gemv(w, transpose: true, problem.teacher, into: &overlap)
        var a2 = 0.0
        for x in overlap { a2 += x * x }
        var b2 = 0.0
        if let k = problem.spikeCoordinate {
            for j in 0..<w.columns { b2 += w[k, j] * w[k, j] }
        }
        // P⊥W = W − Q(QᵀW), formed directly (no cancellation in ‖W‖² − ‖QᵀW‖²).
        residual.storage.withUnsafeMutableBufferPointer { dst in
            w.storage.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
        BLAS.gemm(problem.projected, transposeA: true, w, into: &coefficients)
        BLAS.gemm(problem.projected, coefficients, alpha: -1, beta: 1, into: &residual)
        let q = residual.frobeniusNormSquared
        let total = w.frobeniusNormSquared
        return Values(a: a2.squareRoot(), b: b2.squareRoot(),
                      c: (q / Double(problem.bulkDimension)).squareRoot(), q: q,
                      alignment: total > 0 ? a2 / total : 0,
                      spikeAlignment: a2 / (a2 + b2), trace: total)
    }
}
