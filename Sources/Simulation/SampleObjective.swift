import Model
import NumericKit

/// The finite-sample loss L_n = (1/4n) Σ_i (‖Wᵀx_i‖² − y_i)² and its gradient
/// (1/n) Xᵀ(r ⊙ XW), r_i = ‖Wᵀx_i‖² − y_i: two gemms, O(n·d·m), nothing d×d.
///
/// Samples x = √σ ⊙ z (z standard normal) in Σ's eigenbasis, y = (θ*ᵀx)². They are drawn
/// sample by sample, so the first n samples of a stream do not depend on how many follow:
/// data sets of growing n from one seed are nested.
package struct SampleObjective: Sendable {
    package let problem: Problem
    package let width: Int
    package let count: Int
    private var x: Matrix          // n×d
    private var y: [Double]        // n
    private var z: Matrix          // n×m: XW, then r ⊙ XW
    private var residual: [Double] // n: ‖z_i‖² − y_i
    private let rootSpectrum: [Double]

    package init(problem: Problem, width: Int, count: Int) {
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
    package mutating func draw(using rng: inout Xoshiro256) {
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
    package mutating func loss(_ w: Matrix) -> Double {
        BLAS.gemm(x, w, into: &z)
        return residuals(scale: false)
    }

    /// gradient ← ∇L_n(W); returns L_n(W).
    @discardableResult
    package mutating func gradient(_ w: Matrix, into gradient: inout Matrix) -> Double {
        BLAS.gemm(x, w, into: &z)
        let value = residuals(scale: true)
        BLAS.gemm(x, transposeA: true, z, alpha: 1 / Double(count), into: &gradient)
        return value
    }

    /// Rows per block of the elementwise pass: the block of z (block × m) stays in cache
    /// between computing its residuals and scaling it.
    private static let block = 256

    /// With z = XW: residual_i = ‖z_i‖² − y_i, then (when `scale`) z ← r ⊙ z in place; returns L_n.
    /// One pass over z in blocks of rows, through raw pointers (no exclusivity or bounds checks
    /// in the inner loops, which run down a column and vectorise). Each residual is summed in
    /// the same order as always (−y_i, then j = 0, 1, …), so the results are bit-identical
    /// to the plain column loops.
    private mutating func residuals(scale: Bool) -> Double {
        let n = count, m = width, block = Self.block
        var total = 0.0
        y.withUnsafeBufferPointer { py in
            residual.withUnsafeMutableBufferPointer { pr in
                z.storage.withUnsafeMutableBufferPointer { pz in
                    let r = pr.baseAddress!, targets = py.baseAddress!, zb = pz.baseAddress!
                    var lo = 0
                    while lo < n {
                        let hi = min(lo + block, n)
                        for i in lo..<hi { r[i] = -targets[i] }
                        for j in 0..<m {
                            let column = zb + j * n
                            for i in lo..<hi { r[i] += column[i] * column[i] }
                        }
                        if scale {
                            for j in 0..<m {
                                let column = zb + j * n
                                for i in lo..<hi { column[i] *= r[i] }
                            }
                        }
                        lo = hi
                    }
                    for i in 0..<n { total += r[i] * r[i] }
                }
            }
        }
        return total / (4 * Double(n))
    }
}
