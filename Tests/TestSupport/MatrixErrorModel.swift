import NumericKit

// The matrix error models behind the test suites' tolerances (TestSupport: one place shared by
// NumericKitTests, TheoryTests, SimulationTests, …; no literals in the tests). Each bound is a
// derived quantity — dimensions, ε and the matrix's own singular values — never a value observed
// on one machine: the suite runs under several
// OpenBLAS kernels (Prescott, Haswell, SkylakeX) that differ in their last bits.
//
// Conventions: ε = 2⁻⁵² (Double.ulpOfOne, twice the unit roundoff u, so every "γ_n = n u"
// of Higham's analyses is covered by n ε/2 — a factor 2 of slack that is part of the model).
// Entrywise max differences are compared against 2-norm bounds (|x_ij| ≤ ‖X‖₂), which is
// conservative in the same direction.

/// Singular values of `a`, descending (LAPACK dgesdd through `ThinSVD`): used only to measure
/// ‖A‖₂ and κ₂(A) — relative accuracy ≈ n ε ‖A‖₂ per value, plenty for an error bound.
public func singularValues(_ a: Matrix) throws -> [Double] {
    var svd = ThinSVD(rows: a.rows, columns: a.columns)
    try svd.factor(a)
    return svd.singularValues
}

/// ‖A‖₂ = s_max.
public func spectralNorm(_ a: Matrix) throws -> Double { try singularValues(a).first! }

/// κ₂(A) = s_max / s_min over all min(r, c) singular values.
public func conditionNumber(_ a: Matrix) throws -> Double {
    let s = try singularValues(a)
    return s.first! / s.last!
}

/// The larger dimension: the "p(m, n)" of LAPACK's backward-error statements (Users' Guide
/// §4.9: the computed SVD / QR is exact for A + E, ‖E‖₂ ≤ p(m, n) ε ‖A‖₂, p modestly growing;
/// we take p = max(m, n) with constant 1).
public func lapackDimension(_ a: Matrix) -> Double { Double(max(a.rows, a.columns)) }

/// Higham's componentwise product bound: |fl(AB) − AB| ≤ γ_k |A||B| with k the inner
/// dimension. Returns k ε · max_ij (|A||B|)_ij — the bound for ONE computed product (any
/// summation order, with or without FMA, so every BLAS kernel and the naive loop satisfy it).
public func productErrorBound(_ a: Matrix, _ b: Matrix) -> Double {
    let absA = Matrix(rows: a.rows, columns: a.columns, storage: a.storage.map(abs))
    let absB = Matrix(rows: b.rows, columns: b.columns, storage: b.storage.map(abs))
    let k = Double(a.columns)
    return k * eps * naiveProduct(absA, absB).storage.max()!
}

/// Orthonormality of computed orthonormal factors (Q of dgeqrf/dorgqr, U and Vᵀ of dgesdd,
/// U Vᵀ): each is within p ε of orthonormal independently of the data's κ; forming QᵀQ adds
/// γ_n with n the inner dimension. Bound for ‖QᵀQ − I‖_max: (p + n) ε with p = max(r, c).
public func orthonormalityBound(_ q: Matrix) -> Double {
    Double(max(q.rows, q.columns) + q.rows) * eps
}

/// Backward-stable factorisation reconstructed by products (U S Vᵀ, Q R): the factorisation's
/// own backward error p ε ‖A‖₂ plus the reconstruction products' (inner dimension k, factors
/// orthonormal so |U||S||Vᵀ| stays ≤ √k ‖A‖₂ entrywise): (p + 2k) ε ‖A‖₂.
public func reconstructionBound(_ a: Matrix) throws -> Double {
    let k = Double(min(a.rows, a.columns))
    return (lapackDimension(a) + 2 * k) * eps * (try spectralNorm(a))
}

/// Polar factor of a full-rank G computed by two backward-stable routes (gesdd, QR + gesdd,
/// ns3 to convergence): each is the exact polar factor of G + E with ‖E‖₂ ≤ p ε ‖G‖₂, and the
/// polar factor's absolute condition number is ≤ 2/s_min (Higham, Functions of Matrices,
/// Thm 8.9; for tall G the range-orthogonal part has 1/s_min) — so the routes differ by at most
/// 2 · 2 p ε κ₂(G).
public func polarRoutesBound(_ g: Matrix) throws -> Double {
    4 * lapackDimension(g) * eps * (try conditionNumber(g))
}

/// The `.gram` route (GᵀG = V S² Vᵀ by syrk + dsyevd, then (G V) S⁻¹ Vᵀ): squaring G squares
/// κ, so the eigenvalues carry absolute error ≈ ε s_max², i.e. relative error ε κ² on s_min²,
/// and the computed polar factor is off by c · ε κ² with c = 1 (first-order perturbation of
/// S⁻¹ through δ(s²)/s_min²; the dimension enters only through the syrk's √r-sized rounding,
/// far below κ² here). Plus the gesdd reference's own p ε κ (polarRoutesBound), which only
/// matters at small κ.
public func gramRouteBound(_ g: Matrix) throws -> Double {
    let kappa = try conditionNumber(g)
    return eps * kappa * kappa + (try polarRoutesBound(g))
}

/// Asymmetry of H = Pᵀ G (P from an SVD route): P = U Vᵀ exactly for G + E, ‖E‖₂ ≤ p ε ‖G‖₂,
/// and the product adds ≤ k ε ‖G‖₂; H and Hᵀ each carry it: ‖H − Hᵀ‖ ≤ 2 (p + k) ε ‖G‖₂.
/// H² against GᵀG: twice that relative error on ‖G‖₂², i.e. 4 (p + k) ε ‖G‖₂².
public func polarSymmetryBound(_ g: Matrix) throws -> (symmetric: Double, square: Double) {
    let n = lapackDimension(g) + Double(min(g.rows, g.columns))
    let norm = try spectralNorm(g)
    return (2 * n * eps * norm, 4 * n * eps * norm * norm)
}

/// Naive triple loop: the independent reference for the BLAS wrappers (and |A||B| above).
public func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    Matrix(rows: a.rows, columns: b.columns) { i, j in
        var s = 0.0
        for k in 0..<a.columns { s += a[i, k] * b[k, j] }
        return s
    }
}
