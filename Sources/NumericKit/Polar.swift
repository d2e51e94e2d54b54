import CLapacke
import SpecgdSupport

/// How the polar factor polar(G) = U Vᵀ (thin SVD G = U S Vᵀ) is computed.
public enum PolarMethod: String, Sendable, Codable, CaseIterable {
    /// Exact: LAPACK thin SVD, then U Vᵀ over the numerically non-zero singular values.
    /// Tall matrices (rows ≥ 2·columns, the narrow-network case) go QR first: G = QR,
    /// polar(G) = Q · polar(R) with the c×c SVD of R (`TallPolar`).
    case svd
    /// Newton–Schulz, cubic: X ← 1.5 X − 0.5 X XᵀX (converges for singular values in (0, √3)).
    case ns3
    /// Newton–Schulz, Muon's quintic X ← aX + b (XXᵀ)X + c (XXᵀ)²X with
    /// (a, b, c) = (3.4445, −4.7750, 2.0315): fast but only to a plateau (singular values end
    /// in roughly [0.7, 1.2], not at 1) — that is the design trade-off of Muon.
    case ns5
    /// Exact, from the small Gram matrix: GᵀG = V S² Vᵀ (syrk + LAPACK dsyevd), then
    /// polar(G) = (G V) S⁻¹ Vᵀ (two gemms) — cheaper than gesdd (≈ 1.6–1.8× at m = d = 512–1024).
    /// Squaring G squares its condition number, so it is used only when every singular value
    /// is ≥ `gramMinimumRatio` · s_max (far above √ε · s_max, where the Gram eigenvalues stop
    /// resolving it); otherwise the same matrix goes through the `svd` path (gesdd, with its
    /// zero-singular-value rule). Rank-deficient gradients therefore always take that path.
    case gram
    /// Polar Express (Amsel et al. 2025): per-step tuned quintics with a safety factor
    /// (`NewtonSchulzSchedule.polarExpress`).
    case polarExpress = "polar-express"
    /// Newton–Schulz with caller-given (a, b, c) rows, one per step (`NewtonSchulzSchedule.custom`).
    case custom

    /// Whether the rule is a Newton–Schulz iteration (it reads K and ε) rather than an exact polar.
    public var isNewtonSchulz: Bool { self != .svd && self != .gram }
}

/// Computes polar factors of r×c matrices into a caller-owned output with preallocated
/// buffers (no allocation per call).
///
/// Convention for zero singular values (docs/model.md §2): with the SVD method, singular values
/// s_i ≤ s_max · max(r, c) · ε (ε = 2.2e-16, LAPACK's usual rank tolerance) count as zero and
/// the polar factor has NO component on their singular directions, so polar(0) = 0 and the
/// polar factor of a rank-deficient G is the partial isometry on its range. Newton–Schulz
/// leaves exactly-zero singular values at zero too (odd polynomials map 0 to 0).
///
/// Newton–Schulz rules run a `NewtonSchulzSchedule` (docs/model.md §6): X = G / (f‖G‖_F + ε)
/// with the Frobenius norm of the whole matrix, then X ← X·p_k(XᵀX) (wide: p_k(XXᵀ)·X) with
/// p_k(A) = (b_k A + c_k A²) + a_k I for each row in order — on a diagonal X exactly the
/// association of `NewtonSchulzStep.callAsFunction`, so a dense run on the manifold rounds
/// each polynomial as the exact map does.
package struct PolarWorkspace: Sendable {
    package let rows: Int
    package let columns: Int
    package let method: PolarMethod
    /// The Newton–Schulz schedule (nil for the exact rules svd and gram).
    package let schedule: NewtonSchulzSchedule?
    /// Newton–Schulz iterations (0 for the exact rules).
    package var steps: Int { schedule?.steps.count ?? 0 }
    /// Relative threshold multiplier: s_i ≤ s_max · max(r, c) · ε · this counts as zero.
    package var thresholdScale: Double = 1
    /// When G is exactly diagonal (every off-diagonal entry 0, as on the invariant manifold
    /// W = diag(a, b, c, …) of docs/model.md §3), its thin SVD is known in closed form and the
    /// polar factor is diag(sign G_ii) under the same zero-threshold rule; this skips LAPACK
    /// (O(d·m) instead of O(d·m²)). The check stops at the first non-zero off-diagonal entry.
    package var diagonalFastPath = true
    /// The numerical rank used in the last SVD-based polar factor.
    package private(set) var lastRank = 0
    /// `.gram`: s_min / s_max below this sends the matrix to gesdd. 1e-5 ≈ 670 √ε. The Gram
    /// route's entrywise error (vs gesdd, and in orthonormality) is of order ε κ², κ = s_max/s_min:
    /// measured 1e-11–6e-11 at κ = 10³ and 1e-8 at κ = 5·10⁴ (tests pin ≤ ε κ²); gesdd's is ≈ ε.
    package var gramMinimumRatio = 1e-5
    /// `.gram`: how many polar factors went to gesdd because G was too ill-conditioned.
    package private(set) var gramFallbackCount = 0
    /// `.gram`: how many of those fallbacks were decided by the Cholesky pre-check (below)
    /// without the dsyevd.
    package private(set) var gramQuickRejectCount = 0

    private var svd: ThinSVD?
    /// SVD route for tall matrices (rows ≥ 2·columns): QR first, Q applied, never formed.
    private var tall: TallPolar?
    // Newton–Schulz buffers, on the small side: k = min(r, c).
    private var x: Matrix
    private var y: Matrix
    private var gram: Matrix
    private var poly: Matrix
    private var gram2: Matrix
    // Gram-route buffers: k×k Gram/eigenvectors, eigenvalues, r×c product, dsyevd work arrays.
    private var eigenvalues: [Double] = []
    private var eigenWork: [Double] = []
    private var eigenIWork: [Int32] = []
    private var choleskyScratch: [Double] = []
    private var powerVector: [Double] = []
    private var powerImage: [Double] = []

    package static let quinticCoefficients = (a: NewtonSchulzSchedule.quintic.a, b: NewtonSchulzSchedule.quintic.b,
                                             c: NewtonSchulzSchedule.quintic.c)

    /// `schedule` is the Newton–Schulz schedule of a Newton–Schulz `method` (required for
    /// `.custom`); without one, ns3, ns5 and polar-express take `NewtonSchulzSchedule.of(method,
    /// steps:)` with the default ε and safety factor. The exact rules ignore both.
    package init(rows: Int, columns: Int, method: PolarMethod, steps: Int = NewtonSchulzSchedule.defaultSteps,
                schedule: NewtonSchulzSchedule? = nil) {
        precondition(rows >= 1 && columns >= 1, "polar factor of an empty matrix")
        self.rows = rows
        self.columns = columns
        self.method = method
        if method.isNewtonSchulz {
            guard let resolved = schedule ?? NewtonSchulzSchedule.of(method, steps: steps) else {
                preconditionFailure("polar \(method.rawValue) needs a Newton–Schulz schedule")
            }
            self.schedule = resolved
        } else {
            self.schedule = nil
        }
        let k = min(rows, columns)
        if (method == .svd || method == .gram) && rows >= 2 * columns {
            tall = TallPolar(rows: rows, columns: columns)
        }
        if method == .svd {
            svd = tall == nil ? ThinSVD(rows: rows, columns: columns) : nil
            x = Matrix(rows: 0, columns: 0); y = x; gram = x; poly = x; gram2 = x
        } else if method == .gram {
            svd = tall == nil ? ThinSVD(rows: rows, columns: columns) : nil
            x = Matrix(rows: 0, columns: 0); poly = x; gram2 = x
            y = Matrix(rows: rows, columns: columns)
            gram = Matrix(rows: k, columns: k)
            eigenvalues = [Double](repeating: 0, count: k)
            // dsyevd's OPTIMAL workspace (queried): with the documented minimum, dsytrd runs
            // unblocked and the eigensolve is ~1.5× slower at k = 1024.
            let sizes = Self.eigenWorkspace(k)
            eigenWork = [Double](repeating: 0, count: sizes.work)
            eigenIWork = [Int32](repeating: 0, count: sizes.iwork)
            choleskyScratch = [Double](repeating: 0, count: k * k)
            powerVector = [Double](repeating: 0, count: k)
            powerImage = [Double](repeating: 0, count: k)
        } else {
            svd = nil
            x = Matrix(rows: rows, columns: columns)
            y = Matrix(rows: rows, columns: columns)
            gram = Matrix(rows: k, columns: k)
            poly = Matrix(rows: k, columns: k)
            gram2 = Matrix(rows: k, columns: k)
        }
    }

    /// out ← polar(g).
    package mutating func polar(_ g: Matrix, into out: inout Matrix) throws {
        precondition(g.rows == rows && g.columns == columns && out.rows == rows && out.columns == columns,
                     "polar workspace is \(rows)×\(columns)")
        switch method {
        case .svd: try polarBySVD(g, into: &out)
        case .gram: try polarByGram(g, into: &out)
        case .ns3, .ns5, .polarExpress, .custom: newtonSchulz(g, into: &out)
        }
    }

    private mutating func polarBySVD(_ g: Matrix, into out: inout Matrix) throws {
        if diagonalFastPath, Self.isDiagonal(g) {
            polarOfDiagonal(g, into: &out)
            return
        }
        if tall != nil {
            lastRank = try tall!.polar(g, thresholdScale: thresholdScale, into: &out)
            return
        }
        try svd!.factor(g)
        let r = Self.numericalRank(svd!.singularValues, rows: rows, columns: columns, scale: thresholdScale)
        lastRank = r
        guard r > 0 else {
            for i in 0..<out.storage.count { out.storage[i] = 0 }
            return
        }
        // U[:, :r] · Vᵀ[:r, :]: the leading columns of U are contiguous, the leading rows of
        // Vᵀ are a sub-block with leading dimension k. One gemm, no copies.
        BLAS.gemmSub(svd!.u, rowsA: rows, inner: r, svd!.vt, ldb: svd!.rank, columnsB: columns, into: &out)
    }

    /// The doubles a workspace for r×c and `method` holds: its copies of G, the SVD factors and
    /// LAPACK's workspace (dgesdd's optimal ≈ 3k² + max(r, c, 4k² + 4k), k = min(r, c)); the
    /// memory estimates' count.
    package static func estimatedDoubles(rows r: Double, columns c: Double, method: PolarMethod) -> Double {
        let k = Swift.min(r, c)
        func svd(_ r: Double, _ c: Double) -> Double {
            let k = Swift.min(r, c)
            return r * k + k * c + r * c + 3 * k * k + Swift.max(Swift.max(r, c), 4 * k * k + 4 * k) + 12 * k
        }
        var doubles: Double
        let tall = r >= 2 * c
        switch method {
        case .svd, .gram:
            doubles = tall ? r * c + c * c + svd(c, c) + 64 * c : svd(r, c)
            if method == .gram { doubles += r * c + 4 * k * k + 10 * k }
        case .ns3, .ns5, .polarExpress, .custom:
            doubles = 2 * r * c + 3 * k * k
        }
        return doubles
    }

    /// dsyevd (jobz = V) workspace lengths: LAPACK's optimum, at least the documented minimum.
    static func eigenWorkspace(_ k: Int) -> (work: Int, iwork: Int) {
        let minimum = (work: 1 + 6 * k + 2 * k * k, iwork: 3 + 5 * k)
        var a = [Double](repeating: 0, count: 1), w = [Double](repeating: 0, count: 1)
        var work = [Double](repeating: 0, count: 1)
        var iwork = [Int32](repeating: 0, count: 1)
        let info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, UInt8(ascii: "V").cChar, UInt8(ascii: "U").cChar, Int32(k),
                                       &a, Int32(max(k, 1)), &w, &work, -1, &iwork, -1)
        guard info == 0 else { return minimum }
        return (max(Int(work[0]), minimum.work), max(Int(iwork[0]), minimum.iwork))
    }

    /// Tall (r ≥ c): A = GᵀG = V S² Vᵀ, polar = (G V) S⁻¹ Vᵀ. Wide: A = GGᵀ = U S² Uᵀ,
    /// polar = U S⁻¹ (Uᵀ G). Falls back to `polarBySVD` when s_min < gramMinimumRatio · s_max.
    private mutating func polarByGram(_ g: Matrix, into out: inout Matrix) throws {
        if diagonalFastPath, Self.isDiagonal(g) {
            polarOfDiagonal(g, into: &out)
            return
        }
        let tall = rows >= columns
        if tall { BLAS.gram(g, into: &gram) } else { BLAS.outerGram(g, into: &gram) }
        let k = gram.rows
        // Once this workspace has seen an ill-conditioned matrix (an optimiser's gradients may
        // keep alternating), screen every call: the pre-check costs ~2 % of a Gram step and
        // saves a whole dsyevd on each matrix that would fall back.
        if gramFallbackCount > 0, !gramPassesConditionPrecheck() {
            gramFallbackCount += 1
            gramQuickRejectCount += 1
            try polarBySVD(g, into: &out)
            return
        }
        let info = gram.storage.withUnsafeMutableBufferPointer { pa in
            eigenvalues.withUnsafeMutableBufferPointer { pw in
                eigenWork.withUnsafeMutableBufferPointer { work in
                    eigenIWork.withUnsafeMutableBufferPointer { iwork in
                        LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, UInt8(ascii: "V").cChar, UInt8(ascii: "U").cChar,
                                            Int32(k), pa.baseAddress, Int32(k), pw.baseAddress,
                                            work.baseAddress, Int32(work.count), iwork.baseAddress, Int32(iwork.count))
                    }
                }
            }
        }
        // Eigenvalues ascending: s_max² last, s_min² first.
        let largest = eigenvalues[k - 1], smallest = eigenvalues[0]
        let ratio = gramMinimumRatio
        guard info == 0, largest > 0, largest.isFinite, smallest >= ratio * ratio * largest else {
            gramFallbackCount += 1
            try polarBySVD(g, into: &out)
            return
        }
        lastRank = k
        if tall {
            BLAS.gemm(g, gram, into: &y)                         // G V  (r×k)
            y.storage.withUnsafeMutableBufferPointer { py in
                for j in 0..<k {
                    let scale = 1 / eigenvalues[j].squareRoot()
                    for i in 0..<rows { py[i + j * rows] *= scale }
                }
            }
            BLAS.gemm(y, gram, transposeB: true, into: &out)     // (G V S⁻¹) Vᵀ
        } else {
            BLAS.gemm(gram, transposeA: true, g, into: &y)       // Uᵀ G  (k×c)
            y.storage.withUnsafeMutableBufferPointer { py in
                for j in 0..<columns {
                    for i in 0..<k { py[i + j * k] /= eigenvalues[i].squareRoot() }
                }
            }
            BLAS.gemm(gram, y, into: &out)                       // U (S⁻¹ Uᵀ G)
        }
    }

    /// A necessary condition for the Gram route at ~5 % of dsyevd's cost (dpotrf, k³/3 flops,
    /// on a copy of the Gram matrix A; 8 ms against 190 ms at k = 1024). ℓ is a lower bound
    /// on λ_max(A): the largest of max_i A_ii, tr A / k and the Rayleigh quotient after a few
    /// power steps from the largest diagonal's column (any Rayleigh quotient is ≤ λ_max). If
    /// A − r²ℓ I is not positive definite then λ_min < r²ℓ ≤ r² λ_max and the eigen-
    /// decomposition would be discarded. Passing it proves nothing: dsyevd still decides.
    private mutating func gramPassesConditionPrecheck() -> Bool {
        let k = gram.rows
        var largestDiagonal = 0.0, trace = 0.0, pivot = 0
        for i in 0..<k {
            let a = gram[i, i]
            if a > largestDiagonal { largestDiagonal = a; pivot = i }
            trace += a
        }
        var lower = max(largestDiagonal, trace / Double(k))
        guard lower > 0, lower.isFinite else { return false }
        // Power steps: v ← A v / ‖A v‖ from v = A e_pivot; ℓ ← max(ℓ, vᵀAv).
        for i in 0..<k { powerVector[i] = gram[i, pivot] }
        for _ in 0..<4 {
            var norm = 0.0
            for x in powerVector { norm += x * x }
            norm = norm.squareRoot()
            guard norm > 0, norm.isFinite else { break }
            for i in 0..<k { powerVector[i] /= norm }
            BLAS.gemv(gram, powerVector, into: &powerImage)
            var quotient = 0.0
            for i in 0..<k { quotient += powerVector[i] * powerImage[i] }
            lower = max(lower, quotient)
            swap(&powerVector, &powerImage)
        }
        let shift = gramMinimumRatio * gramMinimumRatio * lower
        let info = choleskyScratch.withUnsafeMutableBufferPointer { dst in
            gram.storage.withUnsafeBufferPointer { src in
                dst.baseAddress!.update(from: src.baseAddress!, count: k * k)
                for i in 0..<k { dst[i + i * k] -= shift }
                return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, UInt8(ascii: "U").cChar, Int32(k), dst.baseAddress, Int32(k))
            }
        }
        return info == 0
    }

    /// The zero-singular-value rule of the type's documentation, in one place: singular
    /// values ≤ s_max · max(r, c) · ε · scale count as zero.
    static func zeroTolerance(largest: Double, rows: Int, columns: Int, scale: Double) -> Double {
        largest * Double(max(rows, columns)) * Double.ulpOfOne * scale
    }

    /// How many of the descending singular values `s` are above `zeroTolerance`.
    static func numericalRank(_ s: [Double], rows: Int, columns: Int, scale: Double) -> Int {
        let tolerance = zeroTolerance(largest: s.first ?? 0, rows: rows, columns: columns, scale: scale)
        var rank = 0
        while rank < s.count, s[rank] > tolerance { rank += 1 }
        return rank
    }

    static func isDiagonal(_ g: Matrix) -> Bool {
        let r = g.rows
        return g.storage.withUnsafeBufferPointer { p in
            for j in 0..<g.columns {
                for i in 0..<r where i != j && p[i + j * r] != 0 { return false }
            }
            return true
        }
    }

    private mutating func polarOfDiagonal(_ g: Matrix, into out: inout Matrix) {
        let k = min(rows, columns)
        var largest = 0.0
        for i in 0..<k { largest = max(largest, abs(g[i, i])) }
        let tolerance = Self.zeroTolerance(largest: largest, rows: rows, columns: columns, scale: thresholdScale)
        for i in 0..<out.storage.count { out.storage[i] = 0 }
        var rank = 0
        for i in 0..<k where abs(g[i, i]) > tolerance {
            out[i, i] = g[i, i] > 0 ? 1 : -1
            rank += 1
        }
        lastRank = rank
    }

    private mutating func newtonSchulz(_ g: Matrix, into out: inout Matrix) {
        let schedule = schedule!
        let norm = g.frobeniusNorm
        let denominator = schedule.normalisationFactor * norm + schedule.epsilon
        guard denominator > 0, denominator.isFinite else {
            // G = 0 with ε = 0: no direction (the sign(0) = 0 convention), not 0/0.
            for i in 0..<out.storage.count { out.storage[i] = denominator.isFinite ? 0 : .nan }
            return
        }
        let scale = 1 / denominator
        for i in 0..<g.storage.count { x.storage[i] = g.storage[i] * scale }
        // Tall (r ≥ c): Gram A = XᵀX (c×c), X ← X·p(A). Wide: A = XXᵀ (r×r), X ← p(A)·X.
        let tall = rows >= columns
        for step in schedule.steps {
            if tall { BLAS.gram(x, into: &gram) } else { BLAS.outerGram(x, into: &gram) }
            let k = gram.rows
            // p(A) = (b A + c A²) + a I; a cubic row (c = 0) skips the A² product (b A + 0 is b A).
            if step.c != 0 {
                BLAS.gemm(gram, gram, into: &gram2)
                for i in 0..<poly.storage.count { poly.storage[i] = step.b * gram.storage[i] + step.c * gram2.storage[i] }
            } else {
                for i in 0..<poly.storage.count { poly.storage[i] = step.b * gram.storage[i] }
            }
            for i in 0..<k { poly.storage[i + i * k] += step.a }
            if tall { BLAS.gemm(x, poly, into: &y) } else { BLAS.gemm(poly, x, into: &y) }
            swap(&x, &y)
        }
        out.storage.withUnsafeMutableBufferPointer { dst in
            x.storage.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
    }
}

extension BLAS {
    /// C (r×c) ← A[:, :inner] · B[:inner, :], A with leading dimension r, B with leading
    /// dimension ldb: the product of leading blocks without copying them out. C is the
    /// leading r×c block of `out` with leading dimension ldc (default r).
    static func gemmSub(_ a: Matrix, rowsA r: Int, inner: Int, _ b: Matrix, ldb: Int, columnsB c: Int,
                        into out: inout Matrix, ldc: Int? = nil) {
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                out.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, blasint(r), blasint(c), blasint(inner),
                                1, pa.baseAddress, blasint(r), pb.baseAddress, blasint(ldb), 0, pc.baseAddress,
                                blasint(ldc ?? r))
                }
            }
        }
    }
}
