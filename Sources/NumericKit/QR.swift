import CLapacke
import SpecgdSupport

/// Orthonormal bases by Householder QR (LAPACK dgeqrf + dorgqr).
package enum QR {
    /// The Q factor (r×c, r ≥ c, orthonormal columns) of A = QR, with column signs chosen
    /// so that diag(R) ≥ 0 — which makes Q of a Gaussian matrix Haar-distributed.
    package static func orthonormalColumns(of a: Matrix) throws -> Matrix {
        let r = a.rows, c = a.columns
        guard r >= c, c >= 1 else { throw InputError("QR needs rows ≥ columns ≥ 1 (got \(r)×\(c))") }
        var q = a
        var tau = [Double](repeating: 0, count: c)
        var info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(r), Int32(c), &q.storage, Int32(r), &tau)
        guard info == 0 else { throw NumericalFailure("LAPACK dgeqrf", "QR factorisation failed (info = \(info))") }
        var signs = [Double](repeating: 1, count: c)
        for j in 0..<c where q[j, j] < 0 { signs[j] = -1 }
        info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, Int32(r), Int32(c), Int32(c), &q.storage, Int32(r), &tau)
        guard info == 0 else { throw NumericalFailure("LAPACK dorgqr", "forming Q failed (info = \(info))") }
        for j in 0..<c where signs[j] < 0 {
            for i in 0..<r { q[i, j] = -q[i, j] }
        }
        return q
    }
}
