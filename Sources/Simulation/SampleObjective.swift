import NumericKit

/// The finite-sample loss L_n = (1/4n) Σ_i (‖Wᵀx_i‖² − y_i)² and its gradient
/// (1/n) Xᵀ(r ⊙ XW), r_i = ‖Wᵀx_i‖² − y_i: two gemms, O(n·d·m), nothing d×d.
///
/// Samples x = √σ ⊙ z (z standard normal) in Σ's eigenbasis, y = (θ*ᵀx)². They are drawn
/// sample by sample, so the first n samples of a stream do not depend on how many follow:
/// data sets of growing n from one seed are nested.
public struct SampleObjective: Sendable {
    public let problem: Problem
    public let width: Int
    public let count: Int
    private var x: Matrix          // n×d
    private var y: [Double]        // n
    private var z: Matrix          // n×m: XW, then r ⊙ XW
    private var residual: [Double] // n: ‖z_i‖² − y_i
    private let rootSpectrum: [Double]

    public init(problem: Problem, width: Int, count: Int) {
        self.problem = problem
        self.width = width
        self.count = count
        x = Matrix(rows: count, columns: problem.dimension)
        y = [Double](repeating: 0, count: count)
        z = Matrix(rows: count, columns: width)
        residual = [Double](repeating: 0, count: count)
        rootSpectrum = problem.spectrum.map { $0.squareRoot() }
    }

    /// Replaces the data set with `count` fresh samples from `rng`.
    public mutating func draw(using rng: inout Xoshiro256) {
        let n = count, d = problem.dimension
        x.storage.withUnsafeMutableBufferPointer { px in
            for i in 0..<n {
                for j in 0..<d { px[i + j * n] = rootSpectrum[j] * rng.gaussian() }
            }
        }
        BLAS.gemv(x, problem.teacher, into: &y)
        for i in 0..<n { y[i] *= y[i] }
    }

    /// L_n(W).
    public mutating func loss(_ w: Matrix) -> Double {
        residuals(w)
    }

    /// gradient ← ∇L_n(W); returns L_n(W).
    @discardableResult
    public mutating func gradient(_ w: Matrix, into gradient: inout Matrix) -> Double {
        let value = residuals(w)
        let n = count, m = width
        // z ← r ⊙ z, row by row.
        z.storage.withUnsafeMutableBufferPointer { pz in
            for j in 0..<m { for i in 0..<n { pz[i + j * n] *= residual[i] } }
        }
        BLAS.gemm(x, transposeA: true, z, alpha: 1 / Double(n), into: &gradient)
        return value
    }

    /// z ← XW, residual_i = ‖z_i‖² − y_i; returns L_n.
    private mutating func residuals(_ w: Matrix) -> Double {
        let n = count, m = width
        BLAS.gemm(x, w, into: &z)
        for i in 0..<n { residual[i] = -y[i] }
        z.storage.withUnsafeBufferPointer { pz in
            for j in 0..<m { for i in 0..<n { residual[i] += pz[i + j * n] * pz[i + j * n] } }
        }
        var total = 0.0
        for i in 0..<n { total += residual[i] * residual[i] }
        return total / (4 * Double(n))
    }
}
