import Foundation
import Testing
import Theory

/// docs/model.md §5, "Stability of the plateau": μ = 1 − 2η̃(1+λ)(1 − a² − q) is the derivative
/// of GD's b-update (a and c frozen, T depending on b) at its fixed point b*² = (1 − a² − q)/(3(1+λ)).
@Suite struct PlateauStabilityTests {
    @Test(arguments: [(32.0, 0.05, 0.5, 1e-5), (8.0, 0.1, 0.3, 0.02), (100.0, 1e-3, 0.1, 0.0)])
    func theMultiplierIsTheMapsDerivativeAtThePlateau(lambda: Double, lr: Double, a: Double, q: Double) {
        let s = 1 + lambda
        func step(_ b: Double) -> Double { b - lr * s * b * (2 * s * b * b + (a * a - 1 + s * b * b + q)) }
        let star = ((1 - a * a - q) / (3 * s)).squareRoot()
        #expect(abs(step(star) - star) <= 1e-15 * max(1, lr * s), "b* is the fixed point")
        let h = 1e-6 * star
        let derivative = (step(star + h) - step(star - h)) / (2 * h)
        // Central difference: O(h²)·|f'''| truncation plus rounding ε·|f|/h; both ≪ 1e-6 here.
        #expect(abs(derivative - EscapeAnalytics.plateauMultiplier(lambda: lambda, lr: lr, a: a, q: q)) <= 1e-6)
    }
}
