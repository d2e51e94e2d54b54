import Model
import NumericKit
import SpecgdSupport

/// The SpecGD flow ṡ_g = −sign(G_g(s)) (t = η k) with event-located switching and the
/// Filippov sliding convention.
///
/// G_g = σ_g s_g h_g with h_g = 2σ_g(s_g² − t_g) + T, so each coordinate has two switching
/// surfaces, s_g = 0 and h_g = 0. Every coordinate is in one of three modes:
/// - regular: ṡ_g = ±1, the sign fixed for the whole segment (−sign G_g at its start), so
///   the ODE the stepper sees is smooth; an event fires when G_g changes sign.
/// - sliding on h_g = 0: the Filippov convex combination ṡ_g ∈ [−1, 1] that keeps h_g = 0.
///   With the sliding set S, ḣ_g = 4σ_g s_g ṡ_g + Ṫ and Ṫ = Σ_h 2p_hσ_h s_h ṡ_h, so
///   ḣ_g = 0 for all g ∈ S gives Ṫ = R / (1 + Σ_{g∈S} p_g/2) with R = Σ_{h∉S} 2p_hσ_h s_h ṡ_h,
///   and ṡ_g = −Ṫ/(4σ_g s_g). (For the spiked bulk: the flow stays on 2c² + T = 0.)
///   A coordinate enters sliding when it reaches h_g = 0 and this velocity lies in
///   [−1, 1] — for a single sliding coordinate exactly the condition that the field points
///   into the surface from both sides; otherwise it crosses (its sign flips). If joining
///   makes another sliding coordinate need |ṡ_h| > 1, the worst one is released first
///   (greedy re-solve). A coordinate leaves when its required |ṡ_g| reaches 1, continuing
///   at speed 1 in the same direction.
/// - zero: s_g reached 0 (which happens only while h_g > 0, where the field points back to 0
///   from both sides): ṡ_g = 0 and s_g = 0 exactly. When h_g later turns negative, s_g = 0
///   becomes repulsive (the map then drifts away from 0 and settles where h_g = 0); the
///   convention is that the coordinate leaves 0 at speed 1 on the side it came from
///   (a coordinate that starts at 0 leaves upwards), then slides on h_g = 0 as usual.
package struct FilippovSignFlow: Sendable {
    package let model: GroupedModel
    let kernel: GradientKernel
    /// Safety bound on located events per run (a Zeno cascade would exceed it).
    package var maximumEvents = 200_000
    /// Step cap (time units; coefficients move at speed ≤ 1, so this is also the resolution
    /// in coefficient space below which a double sign change within one step could be missed).
    package var maximumStepSize = 1e-4

    package init(model: GroupedModel) {
        self.model = model
        self.kernel = GradientKernel(model)
    }

    @discardableResult
    package func solve(from start: [Double], at times: [Double], stepper: ODEStepper,
                      absoluteTolerance: Double, relativeTolerance: Double,
                      crossing: FlowCrossing? = nil, onCrossing: ((Double, [Double]) throws -> Void)? = nil,
                      record: (Double, [Double]) throws -> Void) throws -> FlowStatistics {
        let modes = FilippovModes(kernel: kernel)
        let n = kernel.count
        let system = ODESystem(dimension: n, rightHandSide: { _, y, f in
            modes.velocity(y, into: f)
        }, jacobian: { _, y, dfdy, dfdt in
            modes.velocityJacobian(y, into: dfdy)
            for g in 0..<n { dfdt[g] = 0 }
        })
        let solver = try ODESolver(system: system, stepper: stepper, absoluteTolerance: absoluteTolerance,
                                   relativeTolerance: relativeTolerance)
        var state = start
        modes.initialise(&state)
        solver.maximumStepSize = maximumStepSize
        try solver.reset(time: 0, state: state)
        var events = 0
        var watching = crossing != nil
        for t in times {
            while solver.time < t {
                // Event n (when watching) is the crossing; 0..<n are the switching events.
                let watched = watching ? crossing : nil
                guard let fired = try solver.advance(to: t, eventCount: n + 1, events: { _, y, e in
                    modes.events(y, into: e)
                    e[n] = watched.map { $0.threshold - y[$0.index] } ?? 1
                }) else { break }
                if fired == n {
                    watching = false
                    try onCrossing?(solver.time, solver.state)
                    continue
                }
                events += 1
                if events > maximumEvents {
                    throw NumericalFailure("Filippov flow", "more than \(maximumEvents) switching events before t = \(solver.time) (a Zeno cascade); use the smoothed sign instead")
                }
                var s = solver.state
                modes.handle(event: fired, state: &s)
                try solver.reset(time: solver.time, state: s)
            }
            try record(t, solver.state)
        }
        return FlowStatistics(steps: solver.stepsTaken, events: events)
    }
}

/// The mutable mode bookkeeping read by the ODE callbacks (one per integration).
final class FilippovModes {
    enum Mode { case regular, sliding, zero }
    let kernel: GradientKernel
    var mode: [Mode]
    /// Velocity of a regular coordinate (±1).
    var side: [Double]
    /// sign(s_g) when the coordinate last became regular: a change means it crossed s_g = 0.
    var origin: [Double]
    let scratch: UnsafeMutablePointer<Double>
    static let slack = 1e-12

    init(kernel: GradientKernel) {
        self.kernel = kernel
        mode = Array(repeating: .regular, count: kernel.count)
        side = Array(repeating: 0, count: kernel.count)
        origin = Array(repeating: 0, count: kernel.count)
        scratch = .allocate(capacity: kernel.count)
    }
    deinit { scratch.deallocate() }

    /// Ṫ-denominator bookkeeping: see `FilippovSignFlow`.
    func velocity(_ y: UnsafePointer<Double>, into v: UnsafeMutablePointer<Double>) {
        var r = 0.0, denominator = 1.0
        for g in 0..<kernel.count {
            switch mode[g] {
            case .regular:
                v[g] = side[g]
                r += 2 * kernel.multiplicity[g] * kernel.sigma[g] * y[g] * v[g]
            case .zero:
                v[g] = 0
            case .sliding:
                denominator += 0.5 * kernel.multiplicity[g]
            }
        }
        let tDot = r / denominator
        for g in 0..<kernel.count where mode[g] == .sliding {
            v[g] = -tDot / (4 * kernel.sigma[g] * y[g])
        }
    }

    /// ∂v/∂y for the implicit steppers: only the sliding rows depend on y.
    func velocityJacobian(_ y: UnsafePointer<Double>, into jacobian: UnsafeMutablePointer<Double>) {
        let n = kernel.count
        for i in 0..<(n * n) { jacobian[i] = 0 }
        var r = 0.0, denominator = 1.0
        for g in 0..<n {
            switch mode[g] {
            case .regular: r += 2 * kernel.multiplicity[g] * kernel.sigma[g] * y[g] * side[g]
            case .sliding: denominator += 0.5 * kernel.multiplicity[g]
            case .zero: break
            }
        }
        let tDot = r / denominator
        for g in 0..<n where mode[g] == .sliding {
            let scale = 4 * kernel.sigma[g] * y[g]
            // v_g = −Ṫ/(4σ_g y_g): ∂/∂y_h (regular h) = −(2p_hσ_h side_h/denominator)/(4σ_g y_g).
            for h in 0..<n where mode[h] == .regular {
                jacobian[g * n + h] = -(2 * kernel.multiplicity[h] * kernel.sigma[h] * side[h] / denominator) / scale
            }
            jacobian[g * n + g] = tDot / (scale * y[g])
        }
    }

    /// Regular: e = −side·G_g (> 0 until G_g changes sign). Sliding: e = 1 − |ṡ_g|.
    func events(_ y: UnsafePointer<Double>, into e: UnsafeMutablePointer<Double>) {
        velocity(y, into: scratch)
        let t = kernel.trace(y)
        for g in 0..<kernel.count {
            switch mode[g] {
            case .regular: e[g] = -side[g] * kernel.sigma[g] * y[g] * kernel.switchingFactor(y, g, trace: t)
            case .sliding: e[g] = 1 - abs(scratch[g])
            case .zero: e[g] = kernel.switchingFactor(y, g, trace: t)
            }
        }
    }

    func initialise(_ s: inout [Double]) {
        s.withUnsafeBufferPointer { y in
            kernel.gradient(y.baseAddress!, into: scratch)
        }
        for g in 0..<kernel.count {
            if s[g] == 0 { mode[g] = .zero; side[g] = 0 }
            else if scratch[g] != 0 { mode[g] = .regular; side[g] = scratch[g] > 0 ? -1 : 1; origin[g] = s[g] > 0 ? 1 : -1 }
            else { mode[g] = .regular; side[g] = 0 }
        }
        for g in 0..<kernel.count where mode[g] == .regular && side[g] == 0 { trySliding(g, s) }
    }

    func handle(event g: Int, state s: inout [Double]) {
        switch mode[g] {
        case .regular:
            if s[g] == 0 || (s[g] > 0 ? 1.0 : -1.0) != origin[g] {
                s[g] = 0
                mode[g] = .zero
                side[g] = 0
            } else {
                trySliding(g, s)
            }
        case .sliding:
            s.withUnsafeBufferPointer { velocity($0.baseAddress!, into: scratch) }
            mode[g] = .regular
            side[g] = scratch[g] >= 0 ? 1 : -1
            origin[g] = s[g] > 0 ? 1 : -1
        case .zero:
            // h_g turned negative: s_g = 0 became repulsive; leave it on the side the
            // coordinate came from, at speed 1, towards its h_g = 0 surface.
            mode[g] = .regular
            side[g] = origin[g] != 0 ? origin[g] : 1
            origin[g] = side[g]
        }
    }

    /// Puts g on its h-surface with the Filippov velocities of the whole sliding set. When
    /// some sliding coordinate would then need |ṡ_h| > 1, the worst such coordinate cannot
    /// keep up with its surface: it leaves sliding (speed 1 in the direction it was pulled)
    /// and the set is re-solved, until every sliding velocity lies in [−1, 1]. If g itself is
    /// the one that cannot keep up, it crosses its surface instead (its sign flips).
    private func trySliding(_ g: Int, _ s: [Double]) {
        let previous = side[g]
        mode[g] = .sliding
        while true {
            s.withUnsafeBufferPointer { velocity($0.baseAddress!, into: scratch) }
            var worst = -1
            for h in 0..<kernel.count where mode[h] == .sliding && abs(scratch[h]) > 1 + FilippovModes.slack {
                if worst < 0 || abs(scratch[h]) > abs(scratch[worst]) { worst = h }
            }
            if worst < 0 { return }
            let wanted = scratch[worst]
            mode[worst] = .regular
            origin[worst] = s[worst] > 0 ? 1 : -1
            if worst == g {
                side[g] = previous != 0 ? -previous : (wanted >= 0 ? 1 : -1)
                return
            }
            side[worst] = wanted > 0 ? 1 : -1
        }
    }
}
