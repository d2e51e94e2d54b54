import CLapacke

/// Thin wrappers over OpenBLAS's CBLAS for column-major `Matrix` values. They write into
/// caller-owned outputs so hot loops allocate nothing.
package enum BLAS {
    /// C ← alpha · op(A) · op(B) + beta · C, op = transpose when the flag is set.
    package static func gemm(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
                            alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb && c.rows == m && c.columns == n,
                     "gemm shapes: op(A) \(m)×\(k), op(B) \(kb)×\(n), C \(c.rows)×\(c.columns)")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<c.storage.count { c.storage[i] *= beta }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(CblasColMajor, transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                blasint(m), blasint(n), blasint(k), alpha,
                                pa.baseAddress, blasint(max(a.rows, 1)),
                                pb.baseAddress, blasint(max(b.rows, 1)),
                                beta, pc.baseAddress, blasint(max(c.rows, 1)))
                }
            }
        }
    }

    /// C ← alpha · AᵀA + beta · C (both triangles filled): the Gram matrix at half a gemm's cost.
    package static func gram(_ a: Matrix, alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
        syrk(a, transpose: true, alpha: alpha, beta: beta, into: &c)
    }

    /// C ← alpha · AAᵀ + beta · C (both triangles filled).
    package static func outerGram(_ a: Matrix, alpha: Double = 1, beta: Double = 0, into c: inout Matrix) {
        syrk(a, transpose: false, alpha: alpha, beta: beta, into: &c)
    }

    /// dsyrk into the upper triangle, then mirrored: C ← alpha · op(A) op(A)ᵀ + beta · C with
    /// op(A) = Aᵀ (`gram`) or A (`outerGram`).
    private static func syrk(_ a: Matrix, transpose: Bool, alpha: Double, beta: Double, into c: inout Matrix) {
        let n = transpose ? a.columns : a.rows, k = transpose ? a.rows : a.columns
        precondition(c.rows == n && c.columns == n, "\(transpose ? "gram" : "outer gram") output must be \(n)×\(n)")
        guard n > 0 else { return }
        a.storage.withUnsafeBufferPointer { pa in
            c.storage.withUnsafeMutableBufferPointer { pc in
                cblas_dsyrk(CblasColMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, blasint(n), blasint(k),
                            alpha, pa.baseAddress, blasint(max(a.rows, 1)), beta, pc.baseAddress, blasint(n))
            }
        }
        symmetrizeFromUpper(&c)
    }

    /// Copies the upper triangle onto the lower one.
    static func symmetrizeFromUpper(_ c: inout Matrix) {
        let n = c.rows
        c.storage.withUnsafeMutableBufferPointer { p in
            for j in 0..<n { for i in (j + 1)..<max(n, j + 1) { p[i + j * n] = p[j + i * n] } }
        }
    }

    /// y ← alpha · op(A) x + beta · y.
    package static func gemv(_ a: Matrix, transpose: Bool = false, _ x: [Double],
                            alpha: Double = 1, beta: Double = 0, into y: inout [Double]) {
        let rows = transpose ? a.columns : a.rows
        let cols = transpose ? a.rows : a.columns
        precondition(x.count == cols && y.count == rows, "gemv shapes")
        guard rows > 0 else { return }
        if cols == 0 {
            for i in 0..<y.count { y[i] *= beta }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_dgemv(CblasColMajor, transpose ? CblasTrans : CblasNoTrans,
                                blasint(a.rows), blasint(a.columns), alpha, pa.baseAddress,
                                blasint(max(a.rows, 1)), px.baseAddress, 1, beta, py.baseAddress, 1)
                }
            }
        }
    }

    /// A ← A + alpha · x yᵀ.
    package static func ger(_ x: [Double], _ y: [Double], alpha: Double = 1, into a: inout Matrix) {
        precondition(x.count == a.rows && y.count == a.columns, "ger shapes")
        guard a.rows > 0, a.columns > 0 else { return }
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                a.storage.withUnsafeMutableBufferPointer { pa in
                    cblas_dger(CblasColMajor, blasint(a.rows), blasint(a.columns), alpha,
                               px.baseAddress, 1, py.baseAddress, 1, pa.baseAddress, blasint(a.rows))
                }
            }
        }
    }
}
