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
        storage = KernelStorage(values: [Double(n)] + model.groups.map(\.eigenvalue)
                                    + model.groups.map { Double($0.multiplicity) } + model.groups.map(\.target)
                                    + model.groups.map { Double($0.multiplicity) * $0.eigenvalue } + model.groups.map { 2 * $0.eigenvalue })
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

    /// G_g = σ_g s_g (2σ_g (s_g² − t_g) + T).
    @inline(__always)
    func gradient(_ y: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let t = trace(y)
        for g in 0..<count { out[g] = sigma[g] * y[g] * (2 * sigma[g] * (y[g] * y[g] - target[g]) + t) }
    }

    /// h_g = 2σ_g (s_g² − t_g) + T, the factor of G_g that changes sign away from s_g = 0.
    @inline(__always)
    func switchingFactor(_ y: UnsafePointer<Double>, _ g: Int, trace t: Double) -> Double {
        2 * sigma[g] * (y[g] * y[g] - target[g]) + t
    }

    /// ∂G_g/∂s_h = δ_gh σ_g (2σ_g(s_g² − t_g) + T + 4σ_g s_g²) + σ_g s_g · 2 p_h σ_h s_h,
    /// row-major into `jacobian` (count²).
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
    init(values: [Double]) {
        base = .allocate(capacity: max(values.count, 1))
        base.initialize(from: values, count: values.count)
    }
    deinit { base.deallocate() }
}

/// The GD flow's right-hand side ṡ_g = −G_g(s) as a C function over a `KernelStorage` buffer:
/// the same arithmetic, in the same order, as `GradientKernel.gradient` followed by negation.
let gradientFlowDirect: ODESystem.DirectRightHandSide = { _, y, f, context in
    // Plain while loops with wrapping index arithmetic: a `for g in 0..<n` over a runtime n plus
    // overflow-checked offsets cost ~3× the arithmetic itself here (callgrind).
    let base = UnsafePointer(context.unsafelyUnwrapped.assumingMemoryBound(to: Double.self))
    let n = Int(truncatingIfNeeded: Int64(base[0]))
    let sigma = base + 1, multiplicity = base + (1 &+ n), target = base + (1 &+ 2 &* n)
    let y = y.unsafelyUnwrapped, f = f.unsafelyUnwrapped
    if n == 3 {  // the spiked model: straight-line code, same operations in the same order
        let w = base + 10, twoSigma = base + 13
        let m0 = y[0] * y[0] - target[0], m1 = y[1] * y[1] - target[1], m2 = y[2] * y[2] - target[2]
        let t = ((0 + w[0] * m0) + w[1] * m1) + w[2] * m2
        f[0] = -(sigma[0] * y[0] * (twoSigma[0] * m0 + t))
        f[1] = -(sigma[1] * y[1] * (twoSigma[1] * m1 + t))
        f[2] = -(sigma[2] * y[2] * (twoSigma[2] * m2 + t))
        return 0
    }
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
