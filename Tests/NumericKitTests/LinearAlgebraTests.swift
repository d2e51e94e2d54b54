import Testing
import NumericKit

/// Naive triple loop: the independent reference for the BLAS wrappers.
func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    Matrix(rows: a.rows, columns: b.columns) { i, j in
        var s = 0.0
        for k in 0..<a.columns { s += a[i, k] * b[k, j] }
        return s
    }
}

func randomMatrix(_ r: Int, _ c: Int, seed: UInt64) -> Matrix {
    var rng = Xoshiro256(seed: seed)
    var m = Matrix(rows: r, columns: c)
    rng.fillGaussian(&m.storage)
    return m
}

@Suite struct LinearAlgebraTests {
    @Test func gemmGramGemvGerMatchNaiveLoops() {
        let a = randomMatrix(7, 5, seed: 1), b = randomMatrix(5, 3, seed: 2)
        var c = Matrix(rows: 7, columns: 3)
        BLAS.gemm(a, b, into: &c)
        #expect(c.maxAbsDifference(naiveProduct(a, b)) < 1e-13)
        var ct = Matrix(rows: 5, columns: 5)
        BLAS.gemm(a, transposeA: true, a, into: &ct)
        var g = Matrix(rows: 5, columns: 5)
        BLAS.gram(a, into: &g)
        #expect(g.maxAbsDifference(naiveProduct(a.transposed, a)) < 1e-13)
        #expect(g.maxAbsDifference(ct) < 1e-13)
        var outer = Matrix(rows: 7, columns: 7)
        BLAS.outerGram(a, into: &outer)
        #expect(outer.maxAbsDifference(naiveProduct(a, a.transposed)) < 1e-13)
        let x = (0..<5).map { Double($0) - 1.5 }
        var y = [Double](repeating: 0, count: 7)
        BLAS.gemv(a, x, into: &y)
        for i in 0..<7 {
            let expected = (0..<5).reduce(0.0) { $0 + a[i, $1] * x[$1] }
            #expect(abs(y[i] - expected) < 1e-13)
        }
        var r = a
        let u = (0..<7).map { Double($0) }, v = (0..<5).map { 1 / Double($0 + 1) }
        BLAS.ger(u, v, alpha: -2, into: &r)
        #expect(abs(r[3, 2] - (a[3, 2] - 2 * 3 * (1.0 / 3))) < 1e-14)
    }

    @Test(arguments: [(9, 4), (4, 9), (6, 6)])
    func thinSVDReconstructs(shape: (Int, Int)) throws {
        let a = randomMatrix(shape.0, shape.1, seed: 3)
        var svd = ThinSVD(rows: shape.0, columns: shape.1)
        try svd.factor(a)
        let k = min(shape.0, shape.1)
        let s = Matrix(rows: k, columns: k) { i, j in i == j ? svd.singularValues[i] : 0 }
        #expect((svd.u * s * svd.vt).maxAbsDifference(a) < 1e-12)
        #expect((svd.u.transposed * svd.u).maxAbsDifference(.identity(k)) < 1e-13)
        #expect((svd.vt * svd.vt.transposed).maxAbsDifference(.identity(k)) < 1e-13)
        #expect(zip(svd.singularValues, svd.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(svd.fallbackCount == 0)
    }

    @Test func qrGivesOrthonormalColumnsWithPositiveR() throws {
        let a = randomMatrix(10, 4, seed: 4)
        let q = try QR.orthonormalColumns(of: a)
        #expect((q.transposed * q).maxAbsDifference(.identity(4)) < 1e-13)
        let r = q.transposed * a  // = R: upper triangular, positive diagonal
        for j in 0..<4 {
            #expect(r[j, j] > 0)
            for i in (j + 1)..<4 { #expect(abs(r[i, j]) < 1e-12) }
        }
        #expect((q * r).maxAbsDifference(a) < 1e-12)
        #expect(throws: (any Error).self) { try QR.orthonormalColumns(of: randomMatrix(3, 4, seed: 1)) }
    }
}
