import Foundation
import Testing
import NumericKit

/// U diag(s) Vᵀ with random orthonormal U, V: a matrix of known singular values.
private func withSingularValues(_ r: Int, _ c: Int, _ s: [Double], seed: UInt64) throws -> Matrix {
    let k = min(r, c)
    let u = try QR.orthonormalColumns(of: randomMatrix(r, k, seed: seed))
    let v = try QR.orthonormalColumns(of: randomMatrix(c, k, seed: seed + 1))
    return u * Matrix(rows: k, columns: k) { i, j in i == j ? s[i] : 0 } * v.transposed
}

/// Geometric singular values from 1 down to 1/κ.
private func geometric(_ k: Int, condition: Double) -> [Double] {
    (0..<k).map { i in pow(condition, -Double(i) / Double(max(k - 1, 1))) }
}

private struct Run {
    var result: Matrix
    var fallbacks: Int
}

private func gramPolar(_ g: Matrix) throws -> Run {
    var w = PolarWorkspace(rows: g.rows, columns: g.columns, method: .gram)
    var out = Matrix(rows: g.rows, columns: g.columns)
    try w.polar(g, into: &out)
    return Run(result: out, fallbacks: w.gramFallbackCount)
}

private func svdPolar(_ g: Matrix) throws -> Matrix {
    var w = PolarWorkspace(rows: g.rows, columns: g.columns, method: .svd)
    var out = Matrix(rows: g.rows, columns: g.columns)
    try w.polar(g, into: &out)
    return out
}

/// ‖PᵀP − I‖_max (tall) or ‖PPᵀ − I‖_max (wide).
private func orthonormalityError(_ p: Matrix) -> Double {
    let k = min(p.rows, p.columns)
    let gram = p.rows >= p.columns ? p.transposed * p : p * p.transposed
    return gram.maxAbsDifference(.identity(k))
}

@Suite struct GramPolarTests {
    @Test(arguments: [(40, 12), (12, 40), (30, 30), (200, 4)])
    func agreesWithGesddOnWellConditionedMatrices(shape: (Int, Int)) throws {
        let k = min(shape.0, shape.1)
        let g = try withSingularValues(shape.0, shape.1, geometric(k, condition: 1e3), seed: 5)
        let gram = try gramPolar(g)
        #expect(gram.fallbacks == 0)
        // Squaring G squares κ: errors of order ε κ² (here 2e-10), vs O(1) for any wrong formula.
        #expect(orthonormalityError(gram.result) < 1e-9)
        #expect(gram.result.maxAbsDifference(try svdPolar(g)) < 1e-9)
        // Polar characterisation independent of any SVD: PᵀG symmetric (positive) for tall G.
        let h = shape.0 >= shape.1 ? gram.result.transposed * g : g * gram.result.transposed
        #expect(h.maxAbsDifference(h.transposed) < 1e-12)
    }

    @Test func randomGaussianMatricesAgree() throws {
        // The simulation's typical input: a random square matrix (condition ~10²–10³).
        let g = randomMatrix(64, 64, seed: 99)
        let gram = try gramPolar(g)
        #expect(gram.fallbacks == 0)
        #expect(gram.result.maxAbsDifference(try svdPolar(g)) < 1e-10)
    }

    @Test func nearTheConditionLimitStillAccurate() throws {
        // κ = 5·10⁴ < 1/gramMinimumRatio: Gram route taken; error within ε κ² ≈ 5.5e-7.
        let g = try withSingularValues(50, 20, geometric(20, condition: 5e4), seed: 7)
        let gram = try gramPolar(g)
        #expect(gram.fallbacks == 0)
        #expect(gram.result.maxAbsDifference(try svdPolar(g)) < 5.5e-7)
        #expect(orthonormalityError(gram.result) < 5.5e-7)
    }

    @Test func illConditionedMatricesFallBackToGesdd() throws {
        // κ = 10⁹: the Gram eigenvalues cannot resolve s_min (s_min² ≈ 1e-18 s_max² < ε s_max²).
        let g = try withSingularValues(30, 10, geometric(10, condition: 1e9), seed: 9)
        let gram = try gramPolar(g)
        #expect(gram.fallbacks == 1)
        #expect(gram.result == (try svdPolar(g)))
        #expect(orthonormalityError(gram.result) < 1e-12)
        // Rank deficient (rank 1) and zero: the gesdd zero-singular-value rule applies.
        let x = randomMatrix(9, 1, seed: 3), y = randomMatrix(5, 1, seed: 4)
        let rankOne = x * y.transposed
        let r = try gramPolar(rankOne)
        #expect(r.fallbacks == 1)
        let expected = rankOne.storage.map { $0 / (x.frobeniusNorm * y.frobeniusNorm) }
        #expect(zip(r.result.storage, expected).allSatisfy { abs($0 - $1) < 1e-13 })
        #expect(try gramPolar(Matrix(rows: 6, columns: 3)).result == Matrix(rows: 6, columns: 3))
    }

    @Test func afterAFallbackTheCholeskyPrecheckDecides() throws {
        // One workspace through a run of gradients: ill, ill, well, ill-conditioned. Only the
        // first ill one costs a dsyevd; from then on every call is screened by dpotrf.
        let ill = try withSingularValues(30, 10, geometric(10, condition: 1e9), seed: 9)
        let illToo = try withSingularValues(30, 10, geometric(10, condition: 1e7), seed: 11)
        let well = try withSingularValues(30, 10, geometric(10, condition: 1e2), seed: 13)
        var w = PolarWorkspace(rows: 30, columns: 10, method: .gram)
        var out = Matrix(rows: 30, columns: 10)
        try w.polar(ill, into: &out)                  // first call: dsyevd decides
        #expect(w.gramFallbackCount == 1 && w.gramQuickRejectCount == 0)
        try w.polar(illToo, into: &out)               // after a fallback: dpotrf rejects, no dsyevd
        #expect(w.gramFallbackCount == 2 && w.gramQuickRejectCount == 1)
        #expect(out == (try svdPolar(illToo)))
        try w.polar(well, into: &out)                 // the pre-check passes: Gram route again
        #expect(w.gramFallbackCount == 2 && w.gramQuickRejectCount == 1)
        #expect(out.maxAbsDifference(try svdPolar(well)) < 1e-12)
        try w.polar(ill, into: &out)                  // still screened: dpotrf rejects again
        #expect(w.gramFallbackCount == 3 && w.gramQuickRejectCount == 2)
        #expect(out == (try svdPolar(ill)))
    }

    @Test func precheckBoundsTheLargestEigenvalueByPowerSteps() throws {
        // s = (1, 0.1, …, 0.1, 7.07e-6): κ ≈ 1.4·10⁵ > 10⁵, so dsyevd would reject it. The
        // diagonal of GᵀG only shows λ_max ≈ max_j V_j1² ≈ 0.2–0.5, too little for the shift
        // r²ℓ to exceed λ_min = 5·10⁻¹¹; the power steps' Rayleigh quotient (≈ 1) does.
        var s = [Double](repeating: 0.1, count: 20)
        s[0] = 1
        s[19] = (0.5e-10).squareRoot()
        let borderline = try withSingularValues(200, 20, s, seed: 17)
        let ill = try withSingularValues(200, 20, geometric(20, condition: 1e9), seed: 19)
        var w = PolarWorkspace(rows: 200, columns: 20, method: .gram)
        var out = Matrix(rows: 200, columns: 20)
        try w.polar(ill, into: &out)
        try w.polar(borderline, into: &out)
        #expect(w.gramFallbackCount == 2 && w.gramQuickRejectCount == 1)
        #expect(out == (try svdPolar(borderline)))
    }

    @Test func diagonalFastPathMatchesSvd() throws {
        let d = Matrix(rows: 5, columns: 4) { i, j in i == j ? [2.0, -1.0, 0.0, 3.0][i] : 0 }
        #expect(try gramPolar(d).result == (try svdPolar(d)))
    }
}
