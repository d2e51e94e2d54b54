/// Which covariance Σ (docs/model.md §1), one vocabulary for both backends. Each backend's
/// `validate()` says, in one line, when it cannot run a kind.
public enum CovarianceKind: String, Sendable, Codable, CaseIterable {
    /// Σ = I + Σ_k λ_k e_{k+1}e_{k+1}ᵀ (one spike: I + λvvᵀ, the paper's setting).
    case spiked
    /// σ_i ∝ i^(−β), normalised to mean eigenvalue 1 (tr Σ = d), θ* on one eigen-direction.
    case powerLaw = "power-law"
    /// An explicit spectrum σ_1 … σ_d (all > 0).
    case diagonal
    /// Explicit groups of coordinates (eigenvalue, multiplicity, target), e.g. from a JSON file.
    case custom
}

/// W₀.
public enum Initialization: String, Sendable, Codable, CaseIterable {
    /// W₀ = αI (requires m = d): the invariant manifold of docs/model.md §3.
    case identity
    /// Entries i.i.d. N(0, α²/d): columns of norm ≈ α.
    case gaussian
    /// α times a Haar-random matrix with orthonormal columns (orthonormal rows when m > d).
    case orthogonal
}

/// The teacher θ*.
public enum TeacherKind: String, Sendable, Codable, CaseIterable {
    /// θ* = e_1, an eigenvector of Σ (orthogonal to the spikes).
    case eigen
    /// A uniformly random unit vector ("misaligned": not an eigenvector of Σ). Drawn once
    /// from the master seed (stream 0), so every repetition trains on the same problem.
    case random
}
