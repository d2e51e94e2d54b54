import NumericKit

/// The population loss and gradient of MODEL.md §1 for diagonal Σ and a dense teacher,
/// from low-rank pieces only (never a d×d matrix):
///   A = WᵀΣW (m×m), u = WᵀΣθ (m), T = tr(MΣ) = tr A − θᵀΣθ,
///   ∇L = 2Σ(W A − θ uᵀ) + T ΣW                         O(d·m²)
///   L  = ¼(2 tr(MΣMΣ) + T²),  tr(MΣMΣ) = ‖A‖²_F − 2‖u‖² + (θᵀΣθ)².
/// All buffers are allocated once; `gradient` and `loss` allocate nothing.
public struct PopulationObjective: Sendable {
    public let problem: Problem
    public let width: Int
    private let rootSpectrum: [Double]
    private var root: Matrix      // Σ^{1/2} W
    private var sigmaW: Matrix    // Σ W
    private var gram: Matrix      // A = WᵀΣW
    private var product: Matrix   // W A − θ uᵀ
    private var u: [Double]
    /// When W is exactly diagonal (W₀ = αI keeps it so for θ* = e₁: the invariant manifold)
    /// A = WᵀΣW is diagonal and every piece costs O(d + nnz(θ*)²) instead of O(d·m²).
    /// Checking costs one scan that stops at the first non-zero off-diagonal entry.
    public var diagonalFastPath = true
    private var diagonal: [Double]   // W_ii, i < min(d, m)
    private var teacherSupport: [Int]

    public init(problem: Problem, width: Int) {
        self.problem = problem
        self.width = width
        let d = problem.dimension
        rootSpectrum = problem.spectrum.map { $0.squareRoot() }
        root = Matrix(rows: d, columns: width)
        sigmaW = Matrix(rows: d, columns: width)
        gram = Matrix(rows: width, columns: width)
        product = Matrix(rows: d, columns: width)
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

    /// ∇L for diagonal W: 2σ_i(w_i A_ii δ_ij − θ_i u_j) + T σ_i w_i δ_ij.
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

    /// Forms A, u and ΣW for W; returns T.
    private mutating func pieces(_ w: Matrix) -> Double {
        let d = problem.dimension, m = width
        let sigma = problem.spectrum
        w.storage.withUnsafeBufferPointer { pw in
            root.storage.withUnsafeMutableBufferPointer { pr in
                sigmaW.storage.withUnsafeMutableBufferPointer { ps in
                    for j in 0..<m {
                        let base = j * d
                        for i in 0..<d {
                            let x = pw[base + i]
                            pr[base + i] = rootSpectrum[i] * x
                            ps[base + i] = sigma[i] * x
                        }
                    }
                }
            }
        }
        BLAS.gram(root, into: &gram)
        BLAS.gemv(w, transpose: true, problem.sigmaTeacher, into: &u)
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
    public mutating func loss(_ w: Matrix) -> Double {
        if loadDiagonal(w) { return diagonalPieces().loss }
        // Two statements on purpose: in `lossFromPieces(pieces(w))` Swift would read `self`
        // for the outer call before `pieces` updates the buffers.
        let t = pieces(w)
        return lossFromPieces(t)
    }

    /// gradient ← ∇L(W); returns L(W) (free: same pieces).
    @discardableResult
    public mutating func gradient(_ w: Matrix, into gradient: inout Matrix) -> Double {
        if loadDiagonal(w) {
            let (t, loss) = diagonalPieces()
            diagonalGradient(t, into: &gradient)
            return loss
        }
        let t = pieces(w)
        BLAS.gemm(w, gram, into: &product)
        BLAS.ger(problem.teacher, u, alpha: -1, into: &product)
        let d = problem.dimension, m = width
        let sigma = problem.spectrum
        product.storage.withUnsafeBufferPointer { py in
            sigmaW.storage.withUnsafeBufferPointer { ps in
                gradient.storage.withUnsafeMutableBufferPointer { pg in
                    for j in 0..<m {
                        let base = j * d
                        for i in 0..<d { pg[base + i] = 2 * sigma[i] * py[base + i] + t * ps[base + i] }
                    }
                }
            }
        }
        return lossFromPieces(t)
    }
}
