import CLapacke
import SpecgdSupport

/// The exact polar factor of a tall r×c matrix (r ≥ 2c) through its QR factorisation:
/// G = Q R (Householder, dgeqrf), R = U_R S V_Rᵀ (dgesdd on the c×c triangle), and
/// polar(G) = Q · [U_R V_Rᵀ; 0], applied with dormqr — Q is never formed.
///
/// dgesdd itself starts with this QR for such shapes, then forms Q (dorgqr) and U = Q·U_R
/// (a gemm), after which polar = U Vᵀ costs another gemm; it also scans all r·c entries for
/// the max-norm (dlange, one function call per entry for the NaN test). Applying the
/// reflectors to the small c×c result replaces those three passes and the scan: a whole
/// SpecGD step at m = 4 went from 26 to 15 µs (d = 512) and from 46 to 28 µs (d = 1024).
/// Same singular values up to rounding, hence the same zero-singular-value rule as
/// `PolarWorkspace`'s SVD route.
struct TallPolar: Sendable {
    let rows: Int
    let columns: Int
    private var factors: Matrix          // dgeqrf's in-place output: R above, reflectors below
    private var tau: [Double]
    private var triangle: Matrix         // R (c×c, zero below the diagonal)
    private var svd: ThinSVD             // of R
    private var work: [Double]

    init(rows: Int, columns: Int) {
        precondition(rows >= columns && columns >= 1, "TallPolar needs rows ≥ columns ≥ 1")
        self.rows = rows
        self.columns = columns
        factors = Matrix(rows: rows, columns: columns)
        tau = [Double](repeating: 0, count: columns)
        triangle = Matrix(rows: columns, columns: columns)
        svd = ThinSVD(rows: columns, columns: columns)
        work = [Double](repeating: 0, count: max(Self.query(rows, columns), 1))
    }

    /// The larger of dgeqrf's and dormqr's optimal workspaces for this shape.
    private static func query(_ r: Int, _ c: Int) -> Int {
        var a = [Double](repeating: 0, count: 1), t = [Double](repeating: 0, count: 1)
        var cm = [Double](repeating: 0, count: 1), optimal = [Double](repeating: 0, count: 1)
        var best = c * 64
        if LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, Int32(r), Int32(c), &a, Int32(r), &t, &optimal, -1) == 0 {
            best = max(best, Int(optimal[0]))
        }
        if LAPACKE_dormqr_work(LAPACK_COL_MAJOR, UInt8(ascii: "L").cChar, UInt8(ascii: "N").cChar, Int32(r),
                               Int32(c), Int32(c), &a, Int32(r), &t, &cm, Int32(r), &optimal, -1) == 0 {
            best = max(best, Int(optimal[0]))
        }
        return best
    }

    /// out ← polar(g), singular values ≤ s_max · max(r, c) · ε · thresholdScale counted as
    /// zero (no component on their directions). Returns the numerical rank.
    mutating func polar(_ g: Matrix, thresholdScale: Double, into out: inout Matrix) throws -> Int {
        let r = rows, c = columns
        factors.storage.withUnsafeMutableBufferPointer { dst in
            g.storage.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
        let lwork = Int32(work.count)
        var info = factors.storage.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in
                work.withUnsafeMutableBufferPointer { pw in
                    LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, Int32(r), Int32(c), pa.baseAddress, Int32(r),
                                        pt.baseAddress, pw.baseAddress, lwork)
                }
            }
        }
        guard info == 0 else { throw NumericalFailure("LAPACK dgeqrf", "QR factorisation failed (info = \(info))") }
        for j in 0..<c {
            for i in 0..<c { triangle[i, j] = i <= j ? factors[i, j] : 0 }
        }
        try svd.factor(triangle)
        let rank = PolarWorkspace.numericalRank(svd.singularValues, rows: r, columns: c, scale: thresholdScale)
        // out ← [U_R[:, :rank] · V_Rᵀ[:rank, :]; 0], then out ← Q · out.
        for i in 0..<out.storage.count { out.storage[i] = 0 }
        guard rank > 0 else { return 0 }
        BLAS.gemmSub(svd.u, rowsA: c, inner: rank, svd.vt, ldb: c, columnsB: c, into: &out, ldc: r)  // top c×c block
        info = factors.storage.withUnsafeBufferPointer { pa in
            tau.withUnsafeBufferPointer { pt in
                out.storage.withUnsafeMutableBufferPointer { pc in
                    work.withUnsafeMutableBufferPointer { pw in
                        LAPACKE_dormqr_work(LAPACK_COL_MAJOR, UInt8(ascii: "L").cChar, UInt8(ascii: "N").cChar,
                                            Int32(r), Int32(c), Int32(c), pa.baseAddress, Int32(r), pt.baseAddress,
                                            pc.baseAddress, Int32(r), pw.baseAddress, lwork)
                    }
                }
            }
        }
        guard info == 0 else { throw NumericalFailure("LAPACK dormqr", "applying Q failed (info = \(info))") }
        return rank
    }
}
