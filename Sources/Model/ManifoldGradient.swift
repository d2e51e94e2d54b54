/// The population gradient on the invariant manifold (docs/model.md §3), written once: with
/// groups g of eigenvalue σ_g, multiplicity p_g, target t_g and common coefficient s_g,
///     T = Σ_g p_g σ_g (s_g² − t_g),   ∇coef_g = σ_g s_g (2σ_g (s_g² − t_g) + T).
/// This is the reference; `GroupedModel.gradient` and `GroupedModel.trace` call it. The hot
/// paths write the same expression, in the same association, on their own buffers, each with a
/// comment pointing here and pinned to these functions bit for bit
/// (Tests/TheoryTests/ManifoldGradientTests.swift unless said otherwise):
/// - `DiscreteMap.rawStep` (the map);
/// - `GradientKernel.gradient` and `GradientKernel.switchingFactor` (flows; the factor also
///   gives `FilippovSignFlow`'s switching events);
/// - the GD flow's C right-hand sides `gradientFlow` and `threeGroupGradientFlow` (the latter
///   with (p·σ) and (2σ) precomputed, which is how `p * σ * m` and `2 * σ * m` evaluate);
/// - `BatchedEscape`'s struct-of-arrays loop (pinned to `rawStep` through the per-cell map,
///   Tests/TheoryTests/BatchedEscapeTests.swift).
/// `GradientKernel.gradientJacobian` is its derivative, not a copy. Two copies associate
/// differently and are checked to rounding instead: `LargeDimensionMap.step` ((1+λ)·b·b; against
/// the finite-d map) and the dense diagonal-W gradient `PopulationObjective.diagonalGradient`
/// (the expanded 2σw·σw² + Tσw − 2σθu; against the general dense path and the map,
/// Tests/SimulationTests/TheoryAgreementTests.swift).
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
        sigma * s * switchingFactor(eigenvalue: sigma, value: s, target: t, trace: trace)
    }

    /// h_g = 2σ_g (s_g² − t_g) + T: the factor of ∇coef_g = σ_g s_g h_g that can change sign away
    /// from s_g = 0 (where SpecGD's sign switches).
    @inlinable
    public static func switchingFactor(eigenvalue sigma: Double, value s: Double, target t: Double, trace: Double) -> Double {
        2 * sigma * (s * s - t) + trace
    }
}
