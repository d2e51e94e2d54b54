import Model
import NumericKit

/// Computes a, b, c, q, alignment of W with preallocated buffers: the dense values of
/// `TrajectoryColumns.simulation` (Model) — step, a = ‖Wᵀθ*‖, b = ‖Wᵀv‖ (0 without a spike),
/// c = ‖P⊥W‖_F/√(d − #projected), q = ‖P⊥W‖²_F, loss (population), alignment = a²/‖W‖²_F,
/// spike_alignment = a²/(a² + b²), then train_loss and wall_time.
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
