import SpecgdSupport

/// Named constructors for the covariances of docs/model.md §1.
extension GroupedModel {
    /// Σ = I + λ v vᵀ with v ⟂ θ*: groups signal (a), spike (b), bulk (c, p = d − 2).
    public static func spiked(lambda: Double, dimension d: Int) throws -> GroupedModel {
        try Validate.spike(lambda)
        guard d >= 3 else { throw InputError("dim must be >= 3 for the spiked model (signal, spike and a bulk; got \(d))") }
        return try GroupedModel(groups: [
            Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1),
            Group(name: "b", eigenvalue: 1 + lambda, multiplicity: 1),
            Group(name: "c", eigenvalue: 1, multiplicity: d - 2),
        ])
    }

    /// The initial coefficients for W₀ = αI: every group starts at α.
    public func identityStart(alpha: Double) -> [Double] {
        [Double](repeating: alpha, count: count)
    }
}
