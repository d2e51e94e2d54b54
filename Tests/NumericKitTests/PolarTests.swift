import Testing
import NumericKit
import TestSupport

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
        #expect(gram.maxAbsDifference(.identity(k)) < orthonormalityBound(p))
        let h = p.transposed * g
        let symmetry = try polarSymmetryBound(g)
        #expect(h.maxAbsDifference(h.transposed) < symmetry.symmetric)
        #expect((h * h).maxAbsDifference(g.transposed * g) < symmetry.square)
        // And it equals U Vᵀ from the thin SVD (12×5 goes QR-first, a different route: the
        // two backward-stable routes differ by ≤ polarRoutesBound; same route → far below it).
        var svd = ThinSVD(rows: shape.0, columns: shape.1)
        try svd.factor(g)
        #expect(p.maxAbsDifference(svd.u * svd.vt) < (try polarRoutesBound(g)))
    }

    @Test func zeroSingularValuesGetNoComponent() throws {
        // Rank one: polar(xyᵀ) = xyᵀ/(‖x‖‖y‖); polar(0) = 0; diagonal → signs (0 for 0).
        let x = [1.0, -2, 0.5, 3, 0], y = [2.0, 0, -1]
        var g = Matrix(rows: 5, columns: 3)
        BLAS.ger(x, y, into: &g)
        let nx = x.reduce(0) { $0 + $1 * $1 }.squareRoot(), ny = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let expected = Matrix(rows: 5, columns: 3) { i, j in x[i] * y[j] / (nx * ny) }
        // Rank one: the singular pair has relative gap 1 to the zero ones, so its vectors are
        // accurate to p ε (+ the U Vᵀ product): within the orthonormality bound per entry.
        #expect(try polar(g, .svd).maxAbsDifference(expected) < orthonormalityBound(g))
        // polar(0) = 0 exactly on every route: nothing above the zero threshold is written.
        #expect(try polar(Matrix(rows: 4, columns: 3), .svd) == Matrix(rows: 4, columns: 3))
        #expect(try polar(Matrix(rows: 4, columns: 3), .ns5) == Matrix(rows: 4, columns: 3))
        var d = Matrix(rows: 4, columns: 4)
        d[0, 0] = 3; d[1, 1] = -0.2; d[2, 2] = 0; d[3, 3] = 1e-3
        let p = try polar(d, .svd)
        let signs = Matrix(rows: 4, columns: 4) { i, j in i == j ? [1.0, -1, 0, 1][i] : 0 }
        // Diagonal G takes the diagonal fast path, diag(sign G_ii) with no arithmetic: exact.
        #expect(p == signs)
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
            // The fast path is exact (signs); LAPACK's factors of a diagonal matrix are signed
            // unit vectors to p ε, so U Vᵀ is the sign matrix to the orthonormality bound.
            // (1e-20 is below the zero threshold s_max·max(r,c)·ε on both routes.)
            #expect(a.maxAbsDifference(b) < orthonormalityBound(g), "\(r)×\(c)")
            #expect(fast.lastRank == slow.lastRank)
            // One off-diagonal entry switches to LAPACK.
            g[min(r, c) - 1, 0] = 0.5
            try fast.polar(g, into: &a)
            try slow.polar(g, into: &b)
            // Not diagonal: both workspaces run the same LAPACK route on the same input.
            #expect(a.maxAbsDifference(b) == 0)
        }
    }

    @Test func cubicNewtonSchulzConverges() throws {
        // Condition number 10: the error to U Vᵀ falls monotonically and reaches round-off.
        let g = try conditioned(16, 6, singularValues: [10, 7, 5, 3, 2, 1], seed: 21)
        let exact = try polar(g, .svd)
        var errors: [Double] = []
        for k in [2, 4, 8, 12, 16, 24] { errors.append(try polar(g, .ns3, steps: k).maxAbsDifference(exact)) }
        // Round-off floor once converged (by step ~12: s_min/‖G‖_F = 0.073 grows 1.5× a step to
        // O(1), then quadratically): ns3 is neutral (derivative 1) on the skew directions at the
        // fixed point, so each step's three products (inner dimension ≤ r) add ≤ 3 r ε without
        // damping: ≤ 3 · steps · r ε after `steps` steps, plus the exact route's own
        // polarRoutesBound (also a polar factor of G + E).
        let floor = 3 * 24 * Double(g.rows) * eps + (try polarRoutesBound(g))
        // Strictly decreasing until that floor is reached.
        #expect(zip(errors, errors.dropFirst()).allSatisfy { $1 < $0 || $0 < floor }, "\(errors)")
        #expect(errors.last! < floor)
        // Wide matrices work on the other side (XXᵀ).
        let wide = g.transposed
        #expect(try polar(wide, .ns3, steps: 24).maxAbsDifference(exact.transposed) < floor)
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
            // Asymmetry of h is the skew part of Uᵀ X V. An odd polynomial step maps a skew
            // component E_ij to E_ij (f(s_i) + f(s_j))/(s_i + s_j): relative to the singular values
            // it is carried with factor exactly 1. Each step's three products (inner dimension
            // ≤ r, entries ≤ ‖X‖) add ≤ 3 r ε ‖X‖ ≤ 3 r ε κ (s_i + s_j)/2 in that relative
            // measure (κ of X_t ≤ κ(G): f(s)/s decreases on the band); after `steps` steps, times
            // the final 2·s_max(X) < 2.5: 3 · steps · r ε κ · 2.5, plus the exact factor's
            // polarRoutesBound times ‖X‖₂ < 1.25.
            let kappa = try conditionNumber(g), route = try polarRoutesBound(g)
            let asymmetry = 3 * Double(steps) * Double(g.rows) * eps * kappa * 2.5 + 1.25 * route
            #expect(h.maxAbsDifference(h.transposed) < asymmetry)
            #expect(x.maxAbsDifference(exact) > 0.01)
        }
        // The error after 5 steps is far below the normalised start's error.
        let exact = try polar(g, .svd)
        let start = g.storage.map { $0 / g.frobeniusNorm }
        let startError = zip(start, exact.storage).map { abs($0 - $1) }.max()!
        #expect(try polar(g, .ns5, steps: 5).maxAbsDifference(exact) < 0.5 * startError)
    }
}
