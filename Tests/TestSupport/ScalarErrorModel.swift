// The scalar error models behind the test suites' tolerances (TestSupport, shared by every
// numerical test target; MatrixErrorModel.swift holds the matrix ones). Closed forms and the
// summary maps are scalar arithmetic: a formula evaluated in n roundings is within n ε of its exact value
// (relative, ε = 2⁻⁵², absent cancellation, which each use below rules out); an iterated map
// accumulates ≤ (per-step roundings) ε per step, carried by the map's growth of relative
// perturbations. ODE flows are bounded through the requested tolerance.

/// ε = 2⁻⁵² ≈ 2.2·10⁻¹⁶.
public let eps = Double.ulpOfOne

/// |x − y| / |y| (y = 0 only matches x = 0).
public func relativeDifference(_ x: Double, _ y: Double) -> Double {
    abs(x - y) / max(abs(y), .leastNormalMagnitude)
}

/// Central difference D(h) = (f(y+h) − f(y−h))/2h against the analytic derivative: truncation
/// (h²/6) f‴ + O(h⁴) plus rounding. The truncation is estimated by Richardson from the same
/// difference at 2h — D(2h) − D(h) = (h²/2) f‴ + O(h⁴), so truncation(h) ≈ |D(2h) − D(h)|/3 —
/// taken twice for the O(h⁴) rest; rounding: each f value is evaluated in ≲ `roundings`
/// roundings (default 10, the flows' right-hand sides) relative to `magnitude` (max(1, |f|) at the
/// probes, or the sum of |terms| when f cancels), i.e. ≤ roundings ε · magnitude / h for D(h) and
/// half that for D(2h), whose rounding also enters the Richardson estimate.
/// Independent of the analytic derivative, so a wrong Jacobian entry is still an O(1) miss.
public func centralDifferenceBound(dh: Double, d2h: Double, magnitude: Double, step h: Double,
                                   roundings: Double = 10) -> Double {
    2 * abs(d2h - dh) / 3 + 2 * roundings * eps * magnitude / h
}
