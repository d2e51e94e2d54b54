import NumericKit
import SpecgdSupport

/// Shampoo (Gupta, Koren & Singer 2018), the two-sided preconditioner of a matrix parameter:
///   L ← L + GGᵀ,  R ← R + GᵀG  (from εI, ε = 1e-8 by default),  u = L^(−1/4) G R^(−1/4).
/// Dense: eigendecompositions of the d×d and m×m factors every step (O(d³ + m³)). Rotation-
/// invariant (L → QLQᵀ and R → ORŌᵀ under W → QWOᵀ). On the manifold L and R are diagonal with
/// the same entry ε + Σ_t G_g² on group g, so u_g = r·G_g·r with r = (ε + Σ_t G_g²)^(−1/4): per
/// coordinate AdaGrad, G/√(ε + ΣG²) (docs/model.md §6).
package struct Shampoo: UpdateRule {
    package static let name = "shampoo"
    package static let displayName = "Shampoo"
    package static let summary = "Shampoo, W ← W − η·L^(−1/4)∇L R^(−1/4), L ← L + ∇L∇Lᵀ, R ← R + ∇Lᵀ∇L from εI (--precond-eps; default 1e-8)"
    package static let options: [RuleOption] = [.preconditionerEpsilon(default: 1e-8)]
    package static let rotationInvariant = true
    package static let noPredictionReason = "no closed form for Shampoo's escape (on the manifold it is AdaGrad, whose step shrinks with the accumulated gradient)"
    package static let stateNames = ["shampoo_l"]

    package let epsilon: Double

    package init(_ optimizer: Optimizer) {
        epsilon = optimizer.preconditionerEpsilon ?? Self.reads.preconditionerEpsilon!
    }

    package var initialState: [Double] { [epsilon] }

    package func groupedDirection(_ x: GroupedStep) {
        let l = x.state(0), g = x.gradient, u = x.direction
        for i in 0..<x.count {
            l[i] = l[i] + g[i] * g[i]
            let r = SymmetricPower.pow(l[i], -0.25)
            u[i] = (r * g[i]) * r
        }
    }

    /// The first step is AdaGrad's: |G|/√(ε + G²).
    package func firstSignalMove(source: [Double], multiplicity: [Double], signal: Int) -> Double? {
        let g = source[signal]
        return abs(g) / (epsilon + g * g).squareRoot()
    }

    package func denseStepper(rows: Int, columns: Int) -> any DenseRuleStepper {
        Dense(left: .identity(rows, scale: epsilon), right: .identity(columns, scale: epsilon),
              leftRoot: Matrix(rows: rows, columns: rows), rightRoot: Matrix(rows: columns, columns: columns),
              product: Matrix(rows: rows, columns: columns),
              leftPower: SymmetricPower(size: rows), rightPower: SymmetricPower(size: columns))
    }

    package static func denseWorkspaceDoubles(rows d: Double, columns m: Double) -> Double {
        2 * d * d + 2 * m * m + d * m + SymmetricPower.doubles(size: d) + SymmetricPower.doubles(size: m)
    }

    struct Dense: DenseRuleStepper {
        var left: Matrix, right: Matrix, leftRoot: Matrix, rightRoot: Matrix, product: Matrix
        var leftPower: SymmetricPower, rightPower: SymmetricPower

        mutating func direction(gradient: Matrix, source: Matrix, into update: inout Matrix, step t: Int) throws {
            BLAS.outerGram(gradient, beta: 1, into: &left)
            BLAS.gram(gradient, beta: 1, into: &right)
            do {
                try leftPower.power(left, -0.25, into: &leftRoot)
                try rightPower.power(right, -0.25, into: &rightRoot)
            } catch let error as SymmetricPowerError {
                throw DenseRuleError.factorisation("Shampoo's preconditioner: \(error.detail)")
            }
            BLAS.gemm(leftRoot, gradient, into: &product)
            BLAS.gemm(product, rightRoot, into: &update)
        }
    }
}
