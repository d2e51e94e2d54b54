import Model
import NumericKit

/// The population loss and gradient of docs/model.md §1 for diagonal Σ and a dense teacher,
/// from low-rank pieces only (never a d×d matrix):
///   A = WᵀΣW (m×m), u = WᵀΣθ (m), T = tr(MΣ) = tr A − θᵀΣθ,
///   ∇L = 2Σ(W A − θ uᵀ) + T ΣW = (ΣW)(2A + T I) − 2 (Σθ) uᵀ      O(d·m²)
///   L  = ¼(2 tr(MΣMΣ) + T²),  tr(MΣMΣ) = ‖A‖²_F − 2‖u‖² + (θᵀΣθ)².
/// BLAS work per gradient: one syrk for A (on Σ^{1/2}W, half a gemm) and one gemm that writes
/// ∇L directly; the rank-one teacher term touches only the rows where θ ≠ 0. At m = d that is
/// 3·d·m² flops against NumPy's 4·d·m² (two gemms), and two d×m passes besides the BLAS calls.
/// All buffers are allocated once; `gradient` and `loss` allocate nothing.
package struct PopulationObjective: Sendable {
    package let problem: Problem
    package let width: Int
    private let rootSpectrum: [Double]
    /// Σ^{1/2} W, then (in `gradient`, once A is formed) scaled in place to ΣW.
    private var root: Matrix
    /// A = WᵀΣW, then (in `gradient`, once the loss is read off it) 2A + T I.
    private var gram: Matrix
    private var u: [Double]
    /// When W is exactly diagonal (W₀ = αI keeps it so for θ* = e₁: the invariant manifold)
    /// A = WᵀΣW is diagonal and every piece costs O(d + nnz(θ*)²) instead of O(d·m²).
    /// Checking costs one scan that stops at the first non-zero off-diagonal entry.
    package var diagonalFastPath = true
    private var diagonal: [Double]   // W_ii, i < min(d, m)
    private var teacherSupport: [Int]

    package init(problem: Problem, width: Int) {
        self.problem = problem
        self.width = width
        let d = problem.dimension
        rootSpectrum = problem.spectrum.map { $0.squareRoot() }
        root = Matrix(rows: d, columns: width)
        gram = Matrix(rows: width, columns: width)
        u = [Double](repeating: 0, count: width)
        diagonal = [Double](repeating: 0, count: min(d, width))
        teacherSupport = problem.teacher.indices.filter { problem.teacher[$0] != 0 }
    }

    /// Reads W's diagonal into `diagonal` if W is exactly diagonal.
    private mutating func loadDiagonal(_ w: Matrix) -> Bool {
        guard diagonalFastPath else { return false }
        let d = problem.dimension, m = width
        let isDiagonal = w.storage.withUnsafeBufferPointer { p in
            for j in 0..<m {
                for i in 0..<d where i != j && p[i + j * d] != 0 { return false }
            }
            return true
        }
        guard isDiagonal else { return false }
        for i in 0..<diagonal.count { diagonal[i] = w[i, i] }
        return true
    }

    /// Diagonal W: A_jj = σ_j w_j² (0 beyond d), u_j = w_j σ_j θ_j; returns (T, L).
    private mutating func diagonalPieces() -> (trace: Double, loss: Double) {
        let sigma = problem.spectrum
        var trace = 0.0, quartic = 0.0, cross = 0.0
        for j in 0..<diagonal.count {
            let a = sigma[j] * diagonal[j] * diagonal[j]
            trace += a
            quartic += a * a
            u[j] = diagonal[j] * problem.sigmaTeacher[j]
            cross += u[j] * u[j]
        }
        for j in diagonal.count..<width { u[j] = 0 }
        let e = problem.teacherEnergy
        let t = trace - e
        return (t, 0.25 * (2 * (quartic - 2 * cross + e * e) + t * t))
    }

    /// ∇L for diagonal W: 2σ_i(w_i A_ii δ_ij − θ_i u_j) + T σ_i w_i δ_ij — on the manifold the
    /// coefficient `ManifoldGradient.coefficient` (Model) expanded, so equal to it to rounding
    /// only (TheoryAgreementTests; diagonalFastPathEqualsTheGeneralPath pins it to the general path).
    private mutating func diagonalGradient(_ t: Double, into gradient: inout Matrix) {
        let d = problem.dimension
        let sigma = problem.spectrum, theta = problem.teacher
        gradient.storage.withUnsafeMutableBufferPointer { pg in
            for k in 0..<pg.count { pg[k] = 0 }
            for j in 0..<diagonal.count {
                let w = diagonal[j]
                let a = sigma[j] * w * w
                pg[j + j * d] = 2 * sigma[j] * w * a + t * sigma[j] * w
            }
            for i in teacherSupport {
                for j in teacherSupport where j < width && u[j] != 0 {
                    pg[i + j * d] -= 2 * sigma[i] * theta[i] * u[j]
                }
            }
        }
    }

    /// Teacher rows: sparse (θ* = e₁ and friends) when fewer than a quarter of the rows.
    private var teacherIsSparse: Bool { 4 * teacherSupport.count < problem.dimension }

    /// Forms root = Σ^{1/2}W, A = rootᵀroot and u = WᵀΣθ for W; returns T.
    private mutating func pieces(_ w: Matrix) -> Double {
        let d = problem.dimension, m = width
        w.storage.withUnsafeBufferPointer { pw in
            root.storage.withUnsafeMutableBufferPointer { pr in
                rootSpectrum.withUnsafeBufferPointer { rs in
                    for j in 0..<m {
                        let base = j * d
                        for i in 0..<d { pr[base + i] = rs[i] * pw[base + i] }
                    }
                }
            }
        }
        BLAS.gram(root, into: &gram)
        if teacherIsSparse {
            // u_j = Σ_{i: θ_i ≠ 0} W_ij (Σθ)_i: no pass over W.
            for j in 0..<m {
                var sum = 0.0
                for i in teacherSupport { sum += w.storage[i + j * d] * problem.sigmaTeacher[i] }
                u[j] = sum
            }
        } else {
            BLAS.gemv(w, transpose: true, problem.sigmaTeacher, into: &u)
        }
        var trace = 0.0
        for j in 0..<m { trace += gram[j, j] }
        return trace - problem.teacherEnergy
    }

    private func lossFromPieces(_ t: Double) -> Double {
        var quartic = 0.0
        for x in gram.storage { quartic += x * x }
        var cross = 0.0
        for x in u { cross += x * x }
        let e = problem.teacherEnergy
        return 0.25 * (2 * (quartic - 2 * cross + e * e) + t * t)
    }

    /// L(W).
    package mutating func loss(_ w: Matrix) -> Double {
        if loadDiagonal(w) { return diagonalPieces().loss }
        // Two statements on purpose: in `lossFromPieces(pieces(w))` Swift would read `self`
        // for the outer call before `pieces` updates the buffers.
        let t = pieces(w)
        return lossFromPieces(t)
    }

    /// gradient ← ∇L(W); returns L(W) (free: same pieces).
    @discardableResult
    package mutating func gradient(_ w: Matrix, into gradient: inout Matrix) -> Double {
        if loadDiagonal(w) {
            let (t, loss) = diagonalPieces()
            diagonalGradient(t, into: &gradient)
            return loss
        }
        let t = pieces(w)
        let loss = lossFromPieces(t)
        let d = problem.dimension, m = width
        // gram ← 2A + T I, root ← Σ^{1/2} root = ΣW, then ∇L = (ΣW)(2A + T I) in one gemm.
        for k in 0..<gram.storage.count { gram.storage[k] *= 2 }
        for j in 0..<m { gram[j, j] += t }
        root.storage.withUnsafeMutableBufferPointer { pr in
            rootSpectrum.withUnsafeBufferPointer { rs in
                for j in 0..<m {
                    let base = j * d
                    for i in 0..<d { pr[base + i] *= rs[i] }
                }
            }
        }
        BLAS.gemm(root, gram, into: &gradient)
        // − 2 (Σθ) uᵀ
        if teacherIsSparse {
            for i in teacherSupport {
                let scale = 2 * problem.sigmaTeacher[i]
                for j in 0..<m { gradient.storage[i + j * d] -= scale * u[j] }
            }
        } else {
            BLAS.ger(problem.sigmaTeacher, u, alpha: -2, into: &gradient)
        }
        return loss
    }
}
