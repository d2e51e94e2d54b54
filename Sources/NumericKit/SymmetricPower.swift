import CLapacke
import Foundation

/// A^p for a symmetric positive definite n×n A (a matrix function through its eigenvalues:
/// A = V Λ Vᵀ by LAPACK's dsyevd, A^p = V Λ^p Vᵀ), with every buffer allocated once: a
/// preconditioner's inverse fourth roots L^(−1/4), R^(−1/4) (docs/model.md §6).
///
/// Contract: the eigenvalues are λ_i ≥ 0 up to dsyevd's backward error (≈ n ε ‖A‖); a
/// non-positive or non-finite eigenvalue, or a failed factorisation, throws (the caller
/// reports it as the divergence it is). On an exactly diagonal A the tridiagonal reduction is
/// the identity and the divide and conquer deflates every entry, so A^p is diag(pow(a_ii, p))
/// exactly: the dense run on the manifold rounds like the grouped map.
public struct SymmetricPower: Sendable {
    public let size: Int
    private var vectors: Matrix
    private var scaled: Matrix
    private var values: [Double]
    private var work: [Double]
    private var iwork: [Int32]

    public init(size n: Int) {
        precondition(n >= 1, "SymmetricPower needs n ≥ 1")
        size = n
        vectors = Matrix(rows: n, columns: n)
        scaled = Matrix(rows: n, columns: n)
        values = [Double](repeating: 0, count: n)
        let lengths = PolarWorkspace.eigenWorkspace(n)
        work = [Double](repeating: 0, count: lengths.work)
        iwork = [Int32](repeating: 0, count: lengths.iwork)
    }

    /// Doubles this workspace holds for n (the memory estimate's count).
    package static func doubles(size n: Double) -> Double {
        2 * n * n + n + (1 + 6 * n + 2 * n * n) + (3 + 5 * n) / 2
    }

    /// out ← A^power (A is read only; its upper triangle is what dsyevd reads).
    public mutating func power(_ a: Matrix, _ power: Double, into out: inout Matrix) throws {
        let n = size
        precondition(a.rows == n && a.columns == n && out.rows == n && out.columns == n, "SymmetricPower: \(n)×\(n) matrices")
        vectors.storage.withUnsafeMutableBufferPointer { v in
            a.storage.withUnsafeBufferPointer { src in v.baseAddress!.update(from: src.baseAddress!, count: n * n) }
        }
        let info = vectors.storage.withUnsafeMutableBufferPointer { v in
            values.withUnsafeMutableBufferPointer { w in
                work.withUnsafeMutableBufferPointer { wk in
                    iwork.withUnsafeMutableBufferPointer { iw in
                        LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, UInt8(ascii: "V").cChar, UInt8(ascii: "U").cChar, Int32(n),
                                            v.baseAddress, Int32(n), w.baseAddress, wk.baseAddress, Int32(wk.count),
                                            iw.baseAddress, Int32(iw.count))
                    }
                }
            }
        }
        guard info == 0 else { throw SymmetricPowerError(detail: "dsyevd failed (info \(info))") }
        for (i, lambda) in values.enumerated() where !(lambda > 0 && lambda.isFinite) {
            throw SymmetricPowerError(detail: "eigenvalue \(i + 1) is \(lambda), not positive and finite")
        }
        // scaled = V Λ^p (column j times λ_j^p), then out = scaled · Vᵀ.
        for j in 0..<n {
            let factor = Self.pow(values[j], power)
            for i in 0..<n { scaled.storage[i + j * n] = vectors.storage[i + j * n] * factor }
        }
        BLAS.gemm(scaled, vectors, transposeB: true, into: &out)
    }

    /// x^p, with the quarter powers the rules use done by square roots (correctly rounded
    /// steps, the same expression the grouped map evaluates).
    @inline(__always)
    public static func pow(_ x: Double, _ p: Double) -> Double {
        if p == -0.25 { return 1 / x.squareRoot().squareRoot() }
        if p == -0.5 { return 1 / x.squareRoot() }
        return Foundation.pow(x, p)
    }
}

/// A matrix power that could not be formed (a non-positive eigenvalue, LAPACK failure).
package struct SymmetricPowerError: Error, CustomStringConvertible, Sendable {
    package let detail: String
    package var description: String { detail }
}
