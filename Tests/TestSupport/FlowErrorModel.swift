import Foundation
import NumericKit

// The ODE error model behind the flow tests' tolerances (TestSupport; the scalar and matrix
// models are in ScalarErrorModel.swift and MatrixErrorModel.swift).
//
// GSL's driver (gsl_odeiv2_driver_alloc_y_new: standard control, a_y = 1, a_dydt = 0) accepts a
// step only when its local error estimate is ≤ D_i = tol (1 + |y_i|). A local error e_k made at
// t_k reaches t_end multiplied by at most exp(∫_{t_k}^{t_end} μ(J) dt), μ the ∞-norm logarithmic
// norm of the right-hand side's Jacobian along the path (Dahlquist / Söderlind; positive parts
// only, so any subinterval is bounded by the whole). Summed over N accepted steps:
//   |y_N − y(t_end)| ≤ N · exp(∫₀^{t_end} max(μ, 0) dt) · tol · (1 + max |y|).
// The estimate GSL controls is its embedded pair's (an estimate, not a bound: the model
// takes it at its word, with no extra safety factor, so a stepper that silently lost an order
// of accuracy would still fail).

/// μ∞(J) = max_i (J_ii + Σ_{j≠i} |J_ij|) of a row-major n×n matrix.
public func logarithmicNorm(_ jacobian: [Double], dimension n: Int) -> Double {
    (0..<n).map { i in
        jacobian[i * n + i] + (0..<n).filter { $0 != i }.reduce(0) { $0 + abs(jacobian[i * n + $1]) }
    }.max()!
}

/// exp(∫ max(μ, 0) dt) and max_i |y_i| along the path of `system` from `start` over [0, end],
/// sampled at `samples` equal intervals of an rk8pd solve at `tolerance` (each interval
/// charged with the larger of its two end values of μ — μ is smooth on these flows, and the
/// grid is fine against its variation). The system must carry its analytic Jacobian (checked
/// against finite differences in FlowTests).
public func flowGrowth(_ system: ODESystem, start: [Double], end: Double, samples: Int = 400,
                       tolerance: Double = 1e-12) throws -> (factor: Double, magnitude: Double) {
    let n = system.dimension
    let solver = try ODESolver(system: system, stepper: .rk8pd, absoluteTolerance: tolerance, relativeTolerance: tolerance)
    try solver.reset(time: 0, state: start)
    func mu(_ y: [Double]) -> Double {
        var j = [Double](repeating: 0, count: n * n), dfdt = [Double](repeating: 0, count: n)
        system.jacobian!(solver.time, y, &j, &dfdt)
        return logarithmicNorm(j, dimension: n)
    }
    var previous = mu(start), integral = 0.0, magnitude = start.map(abs).max()!
    for k in 1...samples {
        try solver.advance(to: end * Double(k) / Double(samples))
        let y = solver.state
        let current = mu(y)
        integral += max(previous, current, 0) * end / Double(samples)
        magnitude = max(magnitude, y.map(abs).max()!)
        previous = current
    }
    return (exp(integral), magnitude)
}

/// The global-error bound above for one adaptive solve: N · growth · tol · (1 + max|y|).
public func adaptiveSolveBound(steps: Int, growth: (factor: Double, magnitude: Double), tolerance: Double) -> Double {
    Double(steps) * growth.factor * tolerance * (1 + growth.magnitude)
}
