import CLapacke
import SpecgdSupport

/// The thin SVD A = U diag(s) Vᵀ of an r×c matrix (k = min(r, c)): U is r×k, Vᵀ is k×c,
/// s descending. A workspace: every buffer (including LAPACK's work arrays, sized once by a
/// workspace query) is allocated at construction, so `factor` allocates nothing.
///
/// Uses LAPACK's divide-and-conquer `dgesdd` (the fast one); if it reports failure to
/// converge (info > 0, rare but documented), the same matrix is factored with `dgesvd`.
package struct ThinSVD: Sendable {
    package let rows: Int
    package let columns: Int
    package var rank: Int { min(rows, columns) }
    package private(set) var u: Matrix
    package private(set) var singularValues: [Double]
    package private(set) var vt: Matrix
    /// How many factorisations needed the `dgesvd` fallback (diagnostics).
    package private(set) var fallbackCount = 0
    private var scratch: Matrix
    private var work: [Double]
    private var iwork: [Int32]
    private var workSVD: [Double]

    package init(rows: Int, columns: Int) {
        precondition(rows >= 1 && columns >= 1, "SVD needs a non-empty matrix")
        self.rows = rows
        self.columns = columns
        let k = min(rows, columns)
        u = Matrix(rows: rows, columns: k)
        vt = Matrix(rows: k, columns: columns)
        singularValues = [Double](repeating: 0, count: k)
        scratch = Matrix(rows: rows, columns: columns)
        iwork = [Int32](repeating: 0, count: 8 * k)
        work = [Double](repeating: 0, count: Self.query(rows, columns, gesdd: true))
        workSVD = [Double](repeating: 0, count: Self.query(rows, columns, gesdd: false))
    }

    /// Optimal LAPACK workspace length for this shape.
    private static func query(_ r: Int, _ c: Int, gesdd: Bool) -> Int {
        let k = min(r, c)
        var a = [Double](repeating: 0, count: 1)
        var s = [Double](repeating: 0, count: 1)
        var u = [Double](repeating: 0, count: 1)
        var vt = [Double](repeating: 0, count: 1)
        var optimal = [Double](repeating: 0, count: 1)
        var iw = [Int32](repeating: 0, count: max(8 * k, 1))
        let info: Int32
        if gesdd {
            info = LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, UInt8(ascii: "S").cChar, Int32(r), Int32(c), &a, Int32(r),
                                       &s, &u, Int32(r), &vt, Int32(k), &optimal, -1, &iw)
        } else {
            info = LAPACKE_dgesvd_work(LAPACK_COL_MAJOR, UInt8(ascii: "S").cChar, UInt8(ascii: "S").cChar,
                                       Int32(r), Int32(c), &a, Int32(r), &s, &u, Int32(r), &vt, Int32(k),
                                       &optimal, -1)
        }
        let fallback = gesdd ? 3 * k * k + max(max(r, c), 4 * k * k + 4 * k) : max(3 * k + max(r, c), 5 * k)
        return info == 0 ? max(Int(optimal[0]), fallback) : fallback
    }

    /// Factors `a` (left untouched). Throws only if both LAPACK routines fail.
    package mutating func factor(_ a: Matrix) throws {
        precondition(a.rows == rows && a.columns == columns, "SVD workspace is \(rows)×\(columns), got \(a.rows)×\(a.columns)")
        let r = Int32(rows), c = Int32(columns), k = Int32(rank)
        let lwork = Int32(work.count), lworkSVD = Int32(workSVD.count)
        scratch.storage.withUnsafeMutableBufferPointer { dst in
            a.storage.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
        var info = scratch.storage.withUnsafeMutableBufferPointer { pa in
            singularValues.withUnsafeMutableBufferPointer { ps in
                u.storage.withUnsafeMutableBufferPointer { pu in
                    vt.storage.withUnsafeMutableBufferPointer { pvt in
                        work.withUnsafeMutableBufferPointer { pw in
                            iwork.withUnsafeMutableBufferPointer { pi in
                                LAPACKE_dgesdd_work(LAPACK_COL_MAJOR, UInt8(ascii: "S").cChar, r, c, pa.baseAddress, r,
                                                    ps.baseAddress, pu.baseAddress, r, pvt.baseAddress, k,
                                                    pw.baseAddress, lwork, pi.baseAddress)
                            }
                        }
                    }
                }
            }
        }
        if info == 0 { return }
        // dgesdd failed (info > 0: no convergence; it overwrote its copy): retry with dgesvd.
        fallbackCount += 1
        scratch.storage.withUnsafeMutableBufferPointer { dst in
            a.storage.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
        info = scratch.storage.withUnsafeMutableBufferPointer { pa in
            singularValues.withUnsafeMutableBufferPointer { ps in
                u.storage.withUnsafeMutableBufferPointer { pu in
                    vt.storage.withUnsafeMutableBufferPointer { pvt in
                        workSVD.withUnsafeMutableBufferPointer { pw in
                            LAPACKE_dgesvd_work(LAPACK_COL_MAJOR, UInt8(ascii: "S").cChar, UInt8(ascii: "S").cChar,
                                                r, c, pa.baseAddress, r, ps.baseAddress, pu.baseAddress, r,
                                                pvt.baseAddress, k, pw.baseAddress, lworkSVD)
                        }
                    }
                }
            }
        }
        guard info == 0 else {
            throw NumericalFailure("LAPACK dgesdd/dgesvd", "SVD failed (info = \(info)); is the matrix finite?")
        }
    }
}

extension UInt8 {
    var cChar: CChar { CChar(bitPattern: self) }
}
