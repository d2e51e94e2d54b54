/// The population gradient on the invariant manifold (docs/model.md §3), written once: with
/// groups g of eigenvalue σ_g, multiplicity p_g, target t_g and common coefficient s_g,
///     T = Σ_g p_g σ_g (s_g² − t_g),   ∇coef_g = σ_g s_g (2σ_g (s_g² − t_g) + T).
/// This is the reference. The hot paths — `DiscreteMap.rawStep`, `GradientKernel.gradient`
/// (flows), `BatchedEscape`'s struct-of-arrays loop and `GroupedModel.gradient` — write the
/// same expression, in the same association, on their own buffers; each is pinned to these
/// functions by a bit-identity test (Tests/TheoryTests/ManifoldGradientTests.swift).
/// `LargeDimensionMap` associates (1+λ)·b·b differently and is checked against the finite-d
/// map to rounding instead.
public enum ManifoldGradient {
    /// One group's term p_g σ_g (s_g² − t_g) of T = tr(MΣ); (p·σ) is formed first, as the hot
    /// paths precompute it.
    @inlinable
    public static func traceTerm(multiplicity p: Double, eigenvalue sigma: Double, value s: Double, target t: Double) -> Double {
        p * sigma * (s * s - t)
    }

    /// T = Σ_g p_g σ_g (s_g² − t_g), summed in group order.
    @inlinable
    public static func trace(multiplicities p: [Double], eigenvalues sigma: [Double], values s: [Double], targets t: [Double]) -> Double {
        var sum = 0.0
        for g in s.indices { sum += traceTerm(multiplicity: p[g], eigenvalue: sigma[g], value: s[g], target: t[g]) }
        return sum
    }

    /// ∇coef_g = σ_g s_g (2σ_g (s_g² − t_g) + T).
    @inlinable
    public static func coefficient(eigenvalue sigma: Double, value s: Double, target t: Double, trace: Double) -> Double {
        sigma * s * (2 * sigma * (s * s - t) + trace)
    }
}
