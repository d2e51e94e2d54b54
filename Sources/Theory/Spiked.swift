import Model
import SpecgdSupport

/// Named constructors for the covariances of docs/model.md §1.
extension GroupedModel {
    /// Σ = I + λ v vᵀ with v ⟂ θ*: groups signal (a), spike (b), bulk (c, p = d − 2).
    public static func spiked(lambda: Double, dimension d: Int) throws -> GroupedModel {
        try Validate.spike(lambda)
        guard d >= 3 else { throw InputError("\(InputError.field("dimension")) must be >= 3 for the spiked model (signal, spike and a bulk; got \(d))") }
        return try GroupedModel(groups: [
            Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1),
            Group(name: "b", eigenvalue: 1 + lambda, multiplicity: 1),
            Group(name: "c", eigenvalue: 1, multiplicity: d - 2),
        ])
    }

    /// Σ = I + Σ_k λ_k e_{k+1}e_{k+1}ᵀ: the signal, one group per spike ("b", "b2", "b3", …; the
    /// first is the one escape statistics follow) and a bulk of d − 1 − K. One spike is `spiked(lambda:dimension:)`.
    public static func spiked(spikes: [Double], dimension d: Int) throws -> GroupedModel {
        if spikes.count == 1 { return try spiked(lambda: spikes[0], dimension: d) }
        for lambda in spikes { try Validate.spike(lambda, "spike λ") }
        guard !spikes.isEmpty, d >= spikes.count + 2 else {
            throw InputError("\(InputError.field("dimension")) must be >= \(spikes.count + 2) for \(spikes.count) spikes (signal, spikes and a bulk; got \(d))")
        }
        let spikeGroups = spikes.enumerated().map { k, lambda in
            Group(name: k == 0 ? "b" : "b\(k + 1)", eigenvalue: 1 + lambda, multiplicity: 1)
        }
        return try GroupedModel(groups: [Group(name: "a", eigenvalue: 1, multiplicity: 1, target: 1)] + spikeGroups
                                + [Group(name: "c", eigenvalue: 1, multiplicity: d - 1 - spikes.count)])
    }

    /// The initial coefficients for W₀ = αI: every group starts at α.
    public func identityStart(alpha: Double) -> [Double] {
        [Double](repeating: alpha, count: count)
    }
}
