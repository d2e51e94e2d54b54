import Foundation
import Testing
import NumericKit
import TestSupport

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
        // Squaring G squares κ: errors up to ε κ² (gramRouteBound; κ = 10³ here: 2.2e-10), vs
        // O(1) for any wrong formula.
        let bound = try gramRouteBound(g)
        #expect(orthonormalityError(gram.result) < bound)
        #expect(gram.result.maxAbsDifference(try svdPolar(g)) < bound)
        // Polar characterisation independent of any SVD: PᵀG symmetric (positive) for tall G.
        // PᵀG = V̂ Ŝ⁻¹ V̂ᵀ fl(GᵀG): its asymmetry is δ(GᵀG)/s_min ≈ ε ‖G‖₂² / s_min = ε κ ‖G‖₂,
        // i.e. the SVD routes' asymmetry bound times κ (not κ²: the symmetric part absorbs it).
        let h = shape.0 >= shape.1 ? gram.result.transposed * g : g * gram.result.transposed
        #expect(h.maxAbsDifference(h.transposed) < (try polarSymmetryBound(g).symmetric) * (try conditionNumber(g)))
    }

    @Test func randomGaussianMatricesAgree() throws {
        // The simulation's typical input: a random square matrix (condition ~10²–10³; this one
        // has κ ≈ 4.65·10³, so the Gram route is entitled to ε κ² ≈ 4.8e-9 — a fixed 1e-10
        // here was decided by the BLAS kernel: 1.67e-10 on Prescott, 6e-11 on SkylakeX).
        let g = randomMatrix(64, 64, seed: 99)
        let gram = try gramPolar(g)
        #expect(gram.fallbacks == 0)
        #expect(gram.result.maxAbsDifference(try svdPolar(g)) < (try gramRouteBound(g)))
    }

    @Test func nearTheConditionLimitStillAccurate() throws {
        // κ = 5·10⁴ < 1/gramMinimumRatio: Gram route taken; error within ε κ² ≈ 5.5e-7.
        let g = try withSingularValues(50, 20, geometric(20, condition: 5e4), seed: 7)
        let gram = try gramPolar(g)
        #expect(gram.fallbacks == 0)
        let bound = try gramRouteBound(g)
        #expect(gram.result.maxAbsDifference(try svdPolar(g)) < bound)
        #expect(orthonormalityError(gram.result) < bound)
    }

    @Test func illConditionedMatricesFallBackToGesdd() throws {
        // κ = 10⁹: the Gram eigenvalues cannot resolve s_min (s_min² ≈ 1e-18 s_max² < ε s_max²).
        let g = try withSingularValues(30, 10, geometric(10, condition: 1e9), seed: 9)
        let gram = try gramPolar(g)
        #expect(gram.fallbacks == 1)
        // The fallback IS the svd route (same workspace code, same LAPACK call): bit-identical.
        #expect(gram.result == (try svdPolar(g)))
        // gesdd's U and Vᵀ are orthonormal to p ε whatever κ is.
        #expect(orthonormalityError(gram.result) < orthonormalityBound(gram.result))
        // Rank deficient (rank 1) and zero: the gesdd zero-singular-value rule applies.
        let x = randomMatrix(9, 1, seed: 3), y = randomMatrix(5, 1, seed: 4)
        let rankOne = x * y.transposed
        let r = try gramPolar(rankOne)
        #expect(r.fallbacks == 1)
        // polar(xyᵀ) = (x/‖x‖)(y/‖y‖)ᵀ; the leading singular pair is separated from the zero
        // ones by a relative gap of 1, so gesdd gets it to p ε (+ the norms' and the U Vᵀ
        // product's few ε): (p + k) ε per entry of a unit-norm factor, k = 1 here.
        let expected = rankOne.storage.map { $0 / (x.frobeniusNorm * y.frobeniusNorm) }
        let rankOneBound = orthonormalityBound(rankOne)
        #expect(zip(r.result.storage, expected).allSatisfy { abs($0 - $1) < rankOneBound })
        // polar(0) = 0 exactly (no singular value above the threshold: nothing is written).
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
        #expect(out == (try svdPolar(illToo)))        // fallback = the svd route: bit-identical
        try w.polar(well, into: &out)                 // the pre-check passes: Gram route again
        #expect(w.gramFallbackCount == 2 && w.gramQuickRejectCount == 1)
        #expect(out.maxAbsDifference(try svdPolar(well)) < (try gramRouteBound(well)))
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
        // Both methods take the same `polarOfDiagonal` (diag(sign G_ii)): bit-identical.
        #expect(try gramPolar(d).result == (try svdPolar(d)))
    }
}
