import Model
import NumericKit

/// The grouped gradient on raw buffers (what GSL hands the right-hand side): flat copies of
/// σ_g, p_g, t_g so the hot path touches no array of structs and allocates nothing.
///
/// The copies live in one raw buffer owned by `KernelStorage` and are read through plain
/// pointers: with Swift arrays every right-hand-side call paid bounds checks and a
/// retain/release per array access (callgrind: ~35% of a 3-group GD flow's instructions).
struct GradientKernel: @unchecked Sendable {  // immutable after init; the buffer is never written again
    /// Layout [n, σ_1…σ_n, p_1…p_n, t_1…t_n, p_1σ_1…p_nσ_n, 2σ_1…2σ_n]: the direct (C)
    /// right-hand side reads it alone (the last two blocks are products it would otherwise redo
    /// per call; (p·σ)·m and (2σ)·m are exactly how `p * σ * m` and `2 * σ * m` evaluate).
    let storage: KernelStorage
    let sigma: UnsafePointer<Double>
    let multiplicity: UnsafePointer<Double>
    let target: UnsafePointer<Double>
    let count: Int

    init(_ model: GroupedModel) {
        let n = model.count
        // Written in place: building the layout by concatenating six mapped arrays cost ~2% of
        // a short spiked flow (one kernel per solve).
        storage = KernelStorage(count: 1 + 5 * n)
        let base = storage.base
        base[0] = Double(n)
        for (g, group) in model.groups.enumerated() {
            base[1 + g] = group.eigenvalue
            base[1 + n + g] = Double(group.multiplicity)
            base[1 + 2 * n + g] = group.target
            base[1 + 3 * n + g] = Double(group.multiplicity) * group.eigenvalue
            base[1 + 4 * n + g] = 2 * group.eigenvalue
        }
        count = n
        sigma = UnsafePointer(storage.base + 1)
        multiplicity = UnsafePointer(storage.base + 1 + n)
        target = UnsafePointer(storage.base + 1 + 2 * n)
    }

    @inline(__always)
    func trace(_ y: UnsafePointer<Double>) -> Double {
        var t = 0.0
        for g in 0..<count { t += multiplicity[g] * sigma[g] * (y[g] * y[g] - target[g]) }
        return t
    }

    /// G_g = σ_g s_g (2σ_g (s_g² − t_g) + T): `ManifoldGradient.coefficient` on raw buffers,
    /// pinned to it bit for bit by ManifoldGradientTests.
    @inline(__always)
    func gradient(_ y: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let t = trace(y)
        for g in 0..<count { out[g] = sigma[g] * y[g] * (2 * sigma[g] * (y[g] * y[g] - target[g]) + t) }
    }

    /// h_g = 2σ_g (s_g² − t_g) + T, the factor of G_g that changes sign away from s_g = 0:
    /// `ManifoldGradient.switchingFactor` on raw buffers, pinned to it bit for bit by
    /// ManifoldGradientTests.
    @inline(__always)
    func switchingFactor(_ y: UnsafePointer<Double>, _ g: Int, trace t: Double) -> Double {
        2 * sigma[g] * (y[g] * y[g] - target[g]) + t
    }

    /// ∂G_g/∂s_h = δ_gh σ_g (2σ_g(s_g² − t_g) + T + 4σ_g s_g²) + σ_g s_g · 2 p_h σ_h s_h,
    /// row-major into `jacobian` (count²): the derivative of `ManifoldGradient.coefficient`
    /// (only the implicit steppers use it; checked against central differences in FlowTests).
    func gradientJacobian(_ y: UnsafePointer<Double>, into jacobian: UnsafeMutablePointer<Double>) {
        let t = trace(y)
        let n = count
        for g in 0..<n {
            let rowScale = sigma[g] * y[g]
            for h in 0..<n { jacobian[g * n + h] = rowScale * 2 * multiplicity[h] * sigma[h] * y[h] }
            jacobian[g * n + g] += sigma[g] * (2 * sigma[g] * (y[g] * y[g] - target[g]) + t + 4 * sigma[g] * y[g] * y[g])
        }
    }
}

/// Owns the kernel's flat buffer for as long as any copy of the kernel lives.
final class KernelStorage: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    /// `count` zeros, filled in by the kernel's initialiser.
    init(count: Int) {
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { base.deallocate() }
}

/// The GD flow's right-hand side ṡ_g = −G_g(s) as a C function over a `KernelStorage` buffer:
/// the same arithmetic, in the same order, as `GradientKernel.gradient` followed by negation,
/// i.e. −`ManifoldGradient.coefficient` (pinned to it bit for bit by ManifoldGradientTests).
let gradientFlowDirect: ODESystem.DirectRightHandSide = gradientFlow

/// `gradientFlowDirect` for exactly three groups (the spiked model), chosen once when the
/// system is built.
let threeGroupGradientFlowDirect: ODESystem.DirectRightHandSide = threeGroupGradientFlow

// Why `@_cdecl` + `@inline(__always)`: the right-hand sides ignore t, and the optimiser then
// moves a plain function's (or closure's) body into a copy without that argument, leaving
// the C entry a thunk that jumps to it (4 more instructions a call, ~7% of the spiked
// right-hand side). An always-inline function is not rewritten that way and is inlined
// into its C entry point, which GSL then calls with nothing in between.

@_cdecl("specgd_gradient_flow") @inline(__always)
func gradientFlow(_ time: Double, _ y: UnsafePointer<Double>?, _ f: UnsafeMutablePointer<Double>?,
                  _ context: UnsafeMutableRawPointer?) -> Int32 {
    // Plain while loops with wrapping index arithmetic: a `for g in 0..<n` over a runtime n plus
    // overflow-checked offsets cost ~3× the arithmetic itself here (callgrind).
    let base = UnsafePointer(context.unsafelyUnwrapped.assumingMemoryBound(to: Double.self))
    let n = Int(truncatingIfNeeded: Int64(base[0]))
    let sigma = base + 1, multiplicity = base + (1 &+ n), target = base + (1 &+ 2 &* n)
    let y = y.unsafelyUnwrapped, f = f.unsafelyUnwrapped
    var t = 0.0
    var g = 0
    while g < n {
        t += multiplicity[g] * sigma[g] * (y[g] * y[g] - target[g])
        g &+= 1
    }
    g = 0
    while g < n {
        f[g] = -(sigma[g] * y[g] * (2 * sigma[g] * (y[g] * y[g] - target[g]) + t))
        g &+= 1
    }
    return 0  // GSL_SUCCESS
}

/// Straight-line code at fixed offsets of the same buffer: the same operations in the same
/// order as `gradientFlow` for n = 3, i.e. −`ManifoldGradient.coefficient` (pinned bit for bit
/// by ManifoldGradientTests) ((p·σ)·m and (2σ)·m are exactly how p·σ·m and 2·σ·m
/// evaluate). Reading n back from the buffer and branching on it cost ~20 instructions a
/// call, a third of the spiked right-hand side (callgrind).
@_cdecl("specgd_three_group_gradient_flow") @inline(__always)
func threeGroupGradientFlow(_ time: Double, _ y: UnsafePointer<Double>?, _ f: UnsafeMutablePointer<Double>?,
                            _ context: UnsafeMutableRawPointer?) -> Int32 {
    let base = UnsafePointer(context.unsafelyUnwrapped.assumingMemoryBound(to: Double.self))
    let y = y.unsafelyUnwrapped, f = f.unsafelyUnwrapped
    // Layout for n = 3: [3, σ at 1…3, p at 4…6, t at 7…9, pσ at 10…12, 2σ at 13…15].
    let m0 = y[0] * y[0] - base[7], m1 = y[1] * y[1] - base[8], m2 = y[2] * y[2] - base[9]
    let t = ((0 + base[10] * m0) + base[11] * m1) + base[12] * m2
    f[0] = -(base[1] * y[0] * (base[13] * m0 + t))
    f[1] = -(base[2] * y[1] * (base[14] * m1 + t))
    f[2] = -(base[3] * y[2] * (base[15] * m2 + t))
    return 0  // GSL_SUCCESS
}
