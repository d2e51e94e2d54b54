import NumericKit
import SpecgdSupport

/// What is integrated.
public enum TheoryDynamics: String, Codable, Sendable, CaseIterable {
    /// The exact discrete map (docs/model.md §3).
    case map
    /// The continuous-time flow (docs/model.md §4): t = η̃k for GD, t = ηk for SpecGD.
    case flow
    /// The d → ∞ map over (a, b, q) (spiked covariance only).
    case largeD = "large-d"
}

/// How the SpecGD flow treats the discontinuous sign.
public enum SwitchingRule: String, Codable, Sendable, CaseIterable {
    /// sign(x) ≈ x/√(x² + ε²).
    case smoothed
    /// Event-located switching with Filippov sliding (see `FilippovSignFlow`).
    case filippov
    /// Filippov as the main columns plus the smoothed solution in `*_smoothed` columns.
    case both
}

/// Options of the continuous-time flows.
public struct FlowConfiguration: Codable, Sendable, Equatable {
    public var stepper: ODEStepper = .rk8pd
    /// End time; nil → steps · lr (the time the discrete run reaches).
    public var tEnd: Double?
    /// Output spacing in time; nil → every · lr.
    public var dt: Double?
    public var absoluteTolerance: Double = 1e-10
    public var relativeTolerance: Double = 1e-10
    public var switching: SwitchingRule = .smoothed
    public var epsilon: Double = 1e-3

    public init(stepper: ODEStepper = .rk8pd, tEnd: Double? = nil, dt: Double? = nil,
                absoluteTolerance: Double = 1e-10, relativeTolerance: Double = 1e-10,
                switching: SwitchingRule = .smoothed, epsilon: Double = 1e-3) {
        self.stepper = stepper
        self.tEnd = tEnd
        self.dt = dt
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        self.switching = switching
        self.epsilon = epsilon
    }
}

/// Everything that defines one `specgd theory` run; recorded verbatim in the JSON sidecar.
/// Comparison and Sweep build one of these and call `runTheory`.
public struct TheoryConfiguration: Codable, Sendable, Equatable {
    public var method: Method = .gd
    /// Spike strength λ (spiked and large-d only).
    public var lambda: Double = 8
    /// d (spiked and power-law; custom models take d = Σ p_g).
    public var dimension: Int = 1000
    /// W₀ = αI: every group starts at α.
    public var alpha: Double = 1e-3
    /// η̃ (GD) or η (SpecGD).
    public var learningRate: Double = 1e-3
    public var steps: Int = 10000
    public var every: Int = 10
    public var escapeThreshold: Double = 0.5
    public var covariance: CovarianceKind = .spiked
    /// Power-law exponent β.
    public var beta: Double = 1
    /// 1-based eigen-direction carrying θ* (power-law).
    public var signalIndex: Int = 1
    /// The eigenvalues σ_1 … σ_d of a diagonal covariance (θ* on `signalIndex`).
    public var spectrum: [Double]?
    /// The groups of a custom model.
    public var groups: [Group]?
    /// Where custom groups were read from (informational).
    public var configPath: String?
    public var dynamics: TheoryDynamics = .map
    public var flow = FlowConfiguration()

    public init(method: Method = .gd, lambda: Double = 8, dimension: Int = 1000, alpha: Double = 1e-3,
                learningRate: Double = 1e-3, steps: Int = 10000, every: Int = 10, escapeThreshold: Double = 0.5) {
        self.method = method
        self.lambda = lambda
        self.dimension = dimension
        self.alpha = alpha
        self.learningRate = learningRate
        self.steps = steps
        self.every = every
        self.escapeThreshold = escapeThreshold
    }

    /// One-line InputErrors for every bad value.
    public func validate() throws {
        try Validate.spike(lambda)
        try Validate.atLeast(dimension, 3, "dim")
        try Validate.initialScale(alpha)
        try Validate.positive(learningRate, "lr")
        try Validate.atLeast(steps, 0, "steps")
        try Validate.atLeast(every, 1, "every")
        try Validate.positive(escapeThreshold, "escape-threshold")
        try Validate.nonNegative(beta, "beta")
        if covariance == .custom && (groups ?? []).isEmpty { throw InputError("covariance custom needs groups (--config FILE.json)") }
        try DiagonalSpectrum.validate(spectrum, covariance: covariance, dimension: dimension)
        if dynamics == .largeD && covariance != .spiked { throw InputError("--large-d is defined for the spiked covariance only") }
        if dynamics == .flow {
            if let tEnd = flow.tEnd { try Validate.positive(tEnd, "t-end") }
            if let dt = flow.dt { try Validate.positive(dt, "dt") }
            try Validate.nonNegative(flow.absoluteTolerance, "abs-tol")
            try Validate.nonNegative(flow.relativeTolerance, "rel-tol")
            guard flow.absoluteTolerance > 0 || flow.relativeTolerance > 0 else { throw InputError("abs-tol and rel-tol cannot both be 0") }
            try Validate.positive(flow.epsilon, "epsilon")
        }
    }

    /// The grouped model this configuration describes.
    public func model() throws -> GroupedModel {
        switch covariance {
        case .spiked: return try .spiked(lambda: lambda, dimension: dimension)
        case .powerLaw: return try .powerLaw(beta: beta, dimension: dimension, signalIndex: signalIndex)
        case .diagonal: return try .diagonal(eigenvalues: spectrum ?? [], signalIndex: signalIndex)
        case .custom: return try GroupedModel(groups: groups ?? [])
        }
    }
}
