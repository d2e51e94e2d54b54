import NumericKit
import SpecgdSupport

/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the sign of an
/// interpolation of the gradient and a slow moment, elementwise —
///   c = β₁m + (1 − β₁)G,  u = sign c,  m ← β₂m + (1 − β₂)G
/// (defaults β₁ = 0.9, β₂ = 0.99; sign 0 = 0), then s ← (1 − η'ω)s − η'u with the shared
/// decoupled weight decay. Not rotation-invariant (an elementwise sign, as SignGD). On the
/// manifold every entry of W's diagonal moves by ±η', like SpecGD, but with the sign of c.
package struct Lion: UpdateRule {
    package static let name = "lion"
    package static let displayName = "Lion"
    package static let summary = "Lion, W ← W − η·sign(β₁m + (1−β₁)∇L), m ← β₂m + (1−β₂)∇L elementwise (--beta1 --beta2; default 0.9, 0.99)"
    package static let options: [RuleOption] = [.beta1(default: 0.9), .beta2(default: 0.99)]
    package static let rotationInvariant = false
    package static let noPredictionReason = "no closed form for Lion's escape (its sign follows the interpolated moment, not the gradient)"
    package static let stateNames = ["lion_m"]

    package let beta1: Double
    package let beta2: Double

    package init(_ optimizer: Optimizer) {
        let reads = Self.reads
        beta1 = optimizer.beta1 ?? reads.beta1!
        beta2 = optimizer.beta2 ?? reads.beta2!
    }

    package var initialState: [Double] { [0] }

    package func groupedDirection(_ x: GroupedStep) {
        let m = x.state(0), g = x.gradient, u = x.direction
        for i in 0..<x.count { Self.entry(g[i], moment: &m[i], into: &u[i], beta1, beta2) }
    }

    /// One entry's step, the one expression the map and the dense run share.
    @inline(__always)
    static func entry(_ g: Double, moment m: inout Double, into u: inout Double, _ beta1: Double, _ beta2: Double) {
        u = signum(beta1 * m + (1 - beta1) * g)
        m = beta2 * m + (1 - beta2) * g
    }

    /// The first step: m₀ = 0, so c = (1 − β₁)G and the move is sign G = ±1 (β₁ < 1).
    package func firstSignalMove(source: [Double], multiplicity: [Double], signal: Int) -> Double? {
        source[signal] == 0 ? 0 : 1
    }

    package func denseStepper(rows: Int, columns: Int) -> any DenseRuleStepper {
        Dense(beta1: beta1, beta2: beta2, moment: Matrix(rows: rows, columns: columns))
    }

    package static func denseWorkspaceDoubles(rows d: Double, columns m: Double) -> Double { d * m }

    struct Dense: DenseRuleStepper {
        let beta1: Double, beta2: Double
        var moment: Matrix

        mutating func direction(gradient: Matrix, source: Matrix, into update: inout Matrix, step t: Int) throws {
            let (b1, b2) = (beta1, beta2)
            gradient.storage.withUnsafeBufferPointer { g in
                moment.storage.withUnsafeMutableBufferPointer { m in
                    update.storage.withUnsafeMutableBufferPointer { u in
                        for i in 0..<g.count { Lion.entry(g[i], moment: &m[i], into: &u[i], b1, b2) }
                    }
                }
            }
        }
    }
}
