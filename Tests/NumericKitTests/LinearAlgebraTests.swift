import Testing
import NumericKit
import TestSupport

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
        // Each of the two computed products is within γ_k |A||B| of the exact one (any order,
        // FMA or not): they differ by ≤ 2 × productErrorBound.
        #expect(c.maxAbsDifference(naiveProduct(a, b)) < 2 * productErrorBound(a, b))
        var ct = Matrix(rows: 5, columns: 5)
        BLAS.gemm(a, transposeA: true, a, into: &ct)
        var g = Matrix(rows: 5, columns: 5)
        BLAS.gram(a, into: &g)
        let gramBound = 2 * productErrorBound(a.transposed, a)
        #expect(g.maxAbsDifference(naiveProduct(a.transposed, a)) < gramBound)
        #expect(g.maxAbsDifference(ct) < gramBound)
        var outer = Matrix(rows: 7, columns: 7)
        BLAS.outerGram(a, into: &outer)
        #expect(outer.maxAbsDifference(naiveProduct(a, a.transposed)) < 2 * productErrorBound(a, a.transposed))
        let x = (0..<5).map { Double($0) - 1.5 }
        var y = [Double](repeating: 0, count: 7)
        BLAS.gemv(a, x, into: &y)
        let xm = Matrix(rows: 5, columns: 1, storage: x)
        let gemvBound = 2 * productErrorBound(a, xm)
        for i in 0..<7 {
            let expected = (0..<5).reduce(0.0) { $0 + a[i, $1] * x[$1] }
            #expect(abs(y[i] - expected) < gemvBound)
        }
        var r = a
        let u = (0..<7).map { Double($0) }, v = (0..<5).map { 1 / Double($0 + 1) }
        BLAS.ger(u, v, alpha: -2, into: &r)
        // a − 2·3·(1/3): three roundings on each side (1/3, the products, the sum), each
        // ≤ ε/2 relative to |a| + 2: ≤ 2 · 3 ε (|a| + 2) apart.
        #expect(abs(r[3, 2] - (a[3, 2] - 2 * 3 * (1.0 / 3))) < 6 * eps * (abs(a[3, 2]) + 2))
    }

    @Test(arguments: [(9, 4), (4, 9), (6, 6)])
    func thinSVDReconstructs(shape: (Int, Int)) throws {
        let a = randomMatrix(shape.0, shape.1, seed: 3)
        var svd = ThinSVD(rows: shape.0, columns: shape.1)
        try svd.factor(a)
        let k = min(shape.0, shape.1)
        let s = Matrix(rows: k, columns: k) { i, j in i == j ? svd.singularValues[i] : 0 }
        #expect((svd.u * s * svd.vt).maxAbsDifference(a) < (try reconstructionBound(a)))
        #expect((svd.u.transposed * svd.u).maxAbsDifference(.identity(k)) < orthonormalityBound(a))
        #expect((svd.vt * svd.vt.transposed).maxAbsDifference(.identity(k)) < orthonormalityBound(a))
        #expect(zip(svd.singularValues, svd.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(svd.fallbackCount == 0)
    }

    @Test func qrGivesOrthonormalColumnsWithPositiveR() throws {
        let a = randomMatrix(10, 4, seed: 4)
        let q = try QR.orthonormalColumns(of: a)
        #expect((q.transposed * q).maxAbsDifference(.identity(4)) < orthonormalityBound(q))
        let r = q.transposed * a  // = R: upper triangular, positive diagonal
        // Q is the exact Q of A + E (‖E‖₂ ≤ p ε ‖A‖₂) up to p ε of orthonormality, and the
        // product QᵀA adds k ε ‖A‖₂: below the diagonal, and in Q·R, reconstructionBound.
        let bound = try reconstructionBound(a)
        for j in 0..<4 {
            #expect(r[j, j] > 0)
            for i in (j + 1)..<4 { #expect(abs(r[i, j]) < bound) }
        }
        #expect((q * r).maxAbsDifference(a) < 2 * bound)
        #expect(throws: (any Error).self) { try QR.orthonormalColumns(of: randomMatrix(3, 4, seed: 1)) }
    }
}
