/// The grouped gradient on raw buffers (what GSL hands the right-hand side): flat copies of
/// σ_g, p_g, t_g so the hot path touches no array of structs and allocates nothing.
struct GradientKernel: Sendable {
    let sigma: [Double]
    let multiplicity: [Double]
    let target: [Double]
    var count: Int { sigma.count }

    init(_ model: GroupedModel) {
        sigma = model.groups.map(\.eigenvalue)
        multiplicity = model.groups.map { Double($0.multiplicity) }
        target = model.groups.map(\.target)
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
