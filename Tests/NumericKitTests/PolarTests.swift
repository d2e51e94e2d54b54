import Testing
import NumericKit

private func polar(_ g: Matrix, _ method: PolarMethod, steps: Int = 5) throws -> Matrix {
    var workspace = PolarWorkspace(rows: g.rows, columns: g.columns, method: method, steps: steps)
    var out = Matrix(rows: g.rows, columns: g.columns)
    try workspace.polar(g, into: &out)
    return out
}

/// A matrix with prescribed singular values (condition number controlled).
private func conditioned(_ r: Int, _ c: Int, singularValues: [Double], seed: UInt64) throws -> Matrix {
    let k = min(r, c)
    let u = try QR.orthonormalColumns(of: randomMatrix(r, k, seed: seed))
    let v = try QR.orthonormalColumns(of: randomMatrix(c, k, seed: seed + 1))
    let s = Matrix(rows: k, columns: k) { i, j in i == j ? singularValues[i] : 0 }
    return u * s * v.transposed
}

@Suite struct PolarTests {
    @Test(arguments: [(12, 5), (5, 12), (8, 8)])
    func svdPolarIsTheOrthogonalFactor(shape: (Int, Int)) throws {
        // Characterisation independent of the SVD: P has orthonormal columns (rows when
        // wide) and PᵀG = (GᵀG)^{1/2} is symmetric with (PᵀG)² = GᵀG.
        let g = randomMatrix(shape.0, shape.1, seed: 11)
        let p = try polar(g, .svd)
        let k = min(shape.0, shape.1)
        let gram = shape.0 >= shape.1 ? p.transposed * p : p * p.transposed
        #expect(gram.maxAbsDifference(.identity(k)) < 1e-13)
        let h = p.transposed * g
        #expect(h.maxAbsDifference(h.transposed) < 1e-12)
        #expect((h * h).maxAbsDifference(g.transposed * g) < 1e-11)
        // And it equals U Vᵀ from the thin SVD.
        var svd = ThinSVD(rows: shape.0, columns: shape.1)
        try svd.factor(g)
        #expect(p.maxAbsDifference(svd.u * svd.vt) < 1e-13)
    }

    @Test func zeroSingularValuesGetNoComponent() throws {
        // Rank one: polar(xyᵀ) = xyᵀ/(‖x‖‖y‖); polar(0) = 0; diagonal → signs (0 for 0).
        let x = [1.0, -2, 0.5, 3, 0], y = [2.0, 0, -1]
        var g = Matrix(rows: 5, columns: 3)
        BLAS.ger(x, y, into: &g)
        let nx = x.reduce(0) { $0 + $1 * $1 }.squareRoot(), ny = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let expected = Matrix(rows: 5, columns: 3) { i, j in x[i] * y[j] / (nx * ny) }
        #expect(try polar(g, .svd).maxAbsDifference(expected) < 1e-14)
        #expect(try polar(Matrix(rows: 4, columns: 3), .svd) == Matrix(rows: 4, columns: 3))
        #expect(try polar(Matrix(rows: 4, columns: 3), .ns5) == Matrix(rows: 4, columns: 3))
        var d = Matrix(rows: 4, columns: 4)
        d[0, 0] = 3; d[1, 1] = -0.2; d[2, 2] = 0; d[3, 3] = 1e-3
        let p = try polar(d, .svd)
        let signs = Matrix(rows: 4, columns: 4) { i, j in i == j ? [1.0, -1, 0, 1][i] : 0 }
        #expect(p.maxAbsDifference(signs) < 1e-15)
    }

    @Test func diagonalFastPathEqualsLAPACK() throws {
        for (r, c) in [(6, 6), (7, 4), (4, 7)] {
            var g = Matrix(rows: r, columns: c)
            for i in 0..<min(r, c) { g[i, i] = [2.5, -1e-3, 0.7, -4, 1e-20, 3][i] }
            var fast = PolarWorkspace(rows: r, columns: c, method: .svd)
            var slow = PolarWorkspace(rows: r, columns: c, method: .svd)
            slow.diagonalFastPath = false
            var a = Matrix(rows: r, columns: c), b = Matrix(rows: r, columns: c)
            try fast.polar(g, into: &a)
            try slow.polar(g, into: &b)
            #expect(a.maxAbsDifference(b) < 1e-15, "\(r)×\(c)")
            #expect(fast.lastRank == slow.lastRank)
            // One off-diagonal entry switches to LAPACK.
            g[min(r, c) - 1, 0] = 0.5
            try fast.polar(g, into: &a)
            try slow.polar(g, into: &b)
            #expect(a.maxAbsDifference(b) == 0)
        }
    }

    @Test func cubicNewtonSchulzConverges() throws {
        // Condition number 10: the error to U Vᵀ falls monotonically and reaches round-off.
        let g = try conditioned(16, 6, singularValues: [10, 7, 5, 3, 2, 1], seed: 21)
        let exact = try polar(g, .svd)
        var errors: [Double] = []
        for k in [2, 4, 8, 12, 16, 24] { errors.append(try polar(g, .ns3, steps: k).maxAbsDifference(exact)) }
        // Strictly decreasing until round-off (~1e-14) is reached.
        #expect(zip(errors, errors.dropFirst()).allSatisfy { $1 < $0 || $0 < 1e-13 }, "\(errors)")
        #expect(errors.last! < 1e-12)
        // Wide matrices work on the other side (XXᵀ).
        let wide = g.transposed
        #expect(try polar(wide, .ns3, steps: 24).maxAbsDifference(exact.transposed) < 1e-12)
    }

    @Test func quinticNewtonSchulzReachesItsPlateau() throws {
        // Muon's quintic pushes singular values into a band around 1 quickly but does not
        // converge: after 5+ steps they sit in ~[0.68, 1.13] for a matrix of moderate
        // condition, and more steps do not take the error to zero.
        let g = try conditioned(16, 6, singularValues: [10, 7, 5, 3, 2, 1], seed: 21)
        for steps in [5, 10, 20] {
            let x = try polar(g, .ns5, steps: steps)
            var svd = ThinSVD(rows: 16, columns: 6)
            try svd.factor(x)
            #expect(svd.singularValues.allSatisfy { $0 > 0.6 && $0 < 1.25 }, "steps \(steps): \(svd.singularValues)")
            // Same singular vectors as the exact polar factor: X = U f(S) Vᵀ.
            let exact = try polar(g, .svd)
            let h = exact.transposed * x  // = V f(S) Vᵀ: symmetric positive definite
            #expect(h.maxAbsDifference(h.transposed) < 1e-10)
            #expect(x.maxAbsDifference(exact) > 0.01)
        }
        // The error after 5 steps is far below the normalised start's error.
        let exact = try polar(g, .svd)
        let start = g.storage.map { $0 / g.frobeniusNorm }
        let startError = zip(start, exact.storage).map { abs($0 - $1) }.max()!
        #expect(try polar(g, .ns5, steps: 5).maxAbsDifference(exact) < 0.5 * startError)
    }
}
