import Model
import NumericKit
import SpecgdSupport

/// The smooth continuous-time limits of docs/model.md §4 as ODE systems over the group
/// coefficients s_g, with their analytic Jacobians.
///
/// - `.gradient`: the GD flow ṡ_g = −G_g(s) in t = η̃ k, G_g = σ_g s_g (2σ_g(s_g² − t_g) + T).
///   Jacobian −∂G_g/∂s_h = −[δ_gh σ_g (2σ_g(s_g² − t_g) + T + 4σ_g s_g²) + 2 σ_g s_g p_h σ_h s_h]
///   (T depends on every s_h through ∂T/∂s_h = 2 p_h σ_h s_h).
/// - `.smoothedSign(ε)`: the SpecGD flow in t = η k with sign replaced by
///   φ_ε(x) = x/√(x² + ε²): ṡ_g = −φ_ε(G_g); Jacobian −φ_ε'(G_g) ∂G_g/∂s_h with
///   φ_ε'(x) = ε²/(x² + ε²)^{3/2}.
package struct GroupedFlow: Sendable {
    package enum Kind: Sendable, Equatable {
        case gradient
        case smoothedSign(epsilon: Double)
    }

    package let model: GroupedModel
    package let kind: Kind
    let kernel: GradientKernel

    package init(model: GroupedModel, kind: Kind) throws {
        if case .smoothedSign(let epsilon) = kind { try Validate.positive(epsilon, "epsilon") }
        self.model = model
        self.kind = kind
        self.kernel = GradientKernel(model)
    }

    /// The ODE system handed to GSL. The closures use scratch captured once, never allocate.
    package func system() -> ODESystem {
        let kernel = self.kernel
        let n = kernel.count
        switch kind {
        case .gradient:
            var system = ODESystem(dimension: n, rightHandSide: { _, y, f in
                kernel.gradient(y, into: f)
                for g in 0..<n { f[g] = -f[g] }
            }, jacobian: { _, y, dfdy, dfdt in
                kernel.gradientJacobian(y, into: dfdy)
                for i in 0..<(n * n) { dfdy[i] = -dfdy[i] }
                for g in 0..<n { dfdt[g] = 0 }
            })
            system.direct = ODESystem.Direct(function: n == 3 ? threeGroupGradientFlowDirect : gradientFlowDirect,
                                             context: UnsafeMutableRawPointer(kernel.storage.base), owner: kernel.storage)
            return system
        case .smoothedSign(let epsilon):
            let e2 = epsilon * epsilon
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: n)
            let holder = ScratchHolder(scratch)
            return ODESystem(dimension: n, rightHandSide: { _, y, f in
                kernel.gradient(y, into: f)
                for g in 0..<n { f[g] = -f[g] / (f[g] * f[g] + e2).squareRoot() }
            }, jacobian: { _, y, dfdy, dfdt in
                let gradient = holder.pointer
                kernel.gradient(y, into: gradient)
                kernel.gradientJacobian(y, into: dfdy)
                for g in 0..<n {
                    let x2 = gradient[g] * gradient[g] + e2
                    let slope = e2 / (x2 * x2.squareRoot())
                    for h in 0..<n { dfdy[g * n + h] *= -slope }
                    dfdt[g] = 0
                }
            })
        }
    }

    /// Integrates from `start` at t = 0 and reports the state at every time of `times`
    /// (increasing, ≥ 0; a time 0 reports the start). With `crossing`, the first time
    /// s[index] rises to ≥ threshold is event-located and reported to `onCrossing`
    /// (in time order, before the next grid time).
    @discardableResult
    package func solve(from start: [Double], at times: [Double], stepper: ODEStepper,
                      absoluteTolerance: Double, relativeTolerance: Double,
                      crossing: FlowCrossing? = nil, onCrossing: ((Double, [Double]) throws -> Void)? = nil,
                      record: (Double, [Double]) throws -> Void) throws -> FlowStatistics {
        let solver = try ODESolver(system: system(), stepper: stepper, absoluteTolerance: absoluteTolerance,
                                   relativeTolerance: relativeTolerance)
        try solver.reset(time: 0, state: start)
        var watching = crossing != nil
        var events = 0
        for t in times {
            while solver.time < t {
                guard watching, let crossing else { try solver.advance(to: t); break }
                guard try solver.advance(to: t, until: crossing) else { break }
                watching = false
                events += 1
                try onCrossing?(solver.time, solver.state)
            }
            try record(t, solver.state)
        }
        return FlowStatistics(steps: solver.stepsTaken, events: events)
    }
}

/// "Coefficient `index` rises to `threshold`": an event located by the flows (escape) —
/// the solver's own threshold event, so the GD flow hands it to `ODESolver` unchanged.
package typealias FlowCrossing = ODEThresholdCrossing

/// Work done by one integration.
public struct FlowStatistics: Sendable, Codable, Equatable {
    public var steps: Int
    public var events: Int
    public init(steps: Int, events: Int) {
        self.steps = steps
        self.events = events
    }
}

/// Owns a scratch buffer for the lifetime of the closures that capture it.
final class ScratchHolder: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
    deinit { pointer.deallocate() }
}
