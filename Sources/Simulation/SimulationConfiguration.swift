import NumericKit
@_exported import Model
import SpecgdSupport


/// Where the gradient comes from. JSON: {"kind": "population"}, {"kind": "samples",
/// "samples": n} or {"kind": "online", "batch": B}.
public enum TrainingData: Sendable, Codable, Equatable {
    /// Exact population gradient (closed form, docs/model.md §1).
    case population
    /// One fixed data set of n samples per repetition.
    case samples(Int)
    /// A fresh batch of B samples at every step.
    case online(batch: Int)

    private enum Keys: String, CodingKey, CaseIterable { case kind, samples, batch }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(Keys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: Keys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "population": self = .population
        case "samples": self = .samples(try container.decode(Int.self, forKey: .samples))
        case "online": self = .online(batch: try container.decode(Int.self, forKey: .batch))
        case let other: throw InputError("unknown training kind '\(other)' (population, samples, online)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .population: try container.encode("population", forKey: .kind)
        case .samples(let n):
            try container.encode("samples", forKey: .kind)
            try container.encode(n, forKey: .samples)
        case .online(let b):
            try container.encode("online", forKey: .kind)
            try container.encode(b, forKey: .batch)
        }
    }
}

/// Everything that defines a dense simulation. Every field has a default, so callers set
/// only what they vary. `Codable` (it is written into the JSON sidecar) and `Sendable`.
public struct SimulationConfiguration: Sendable, Codable, Equatable {
    public var method: Method = .gd
    /// λ for the default single spike (used when `spikes` is nil).
    public var lambda: Double = 8
    public var dimension: Int = 64
    /// m; nil means m = d.
    public var width: Int? = nil
    public var initialization: Initialization = .identity
    public var alpha: Double = 1e-3
    /// η̃ for gd, η for specgd.
    public var learningRate: Double = 1e-3
    public var steps: Int = 1000
    /// Record every E steps; step 0 and the last step are always recorded.
    public var every: Int = 10
    public var covariance: CovarianceKind = .spiked
    /// Spike strengths (coordinates 2, 3, …); nil means [lambda].
    public var spikes: [Double]? = nil
    /// Power-law exponent β.
    public var beta: Double = 1
    /// Explicit spectrum for `.diagonal`.
    public var spectrum: [Double]? = nil
    public var teacher: TeacherKind = .eigen
    public var training: TrainingData = .population
    public var polar: PolarMethod = .svd
    /// Newton–Schulz iterations for ns3 / ns5.
    public var newtonSchulzSteps: Int = 5
    /// Heavy-ball momentum β (0 = none): B ← βB + G, direction B (or G + βB with Nesterov).
    public var momentum: Double = 0
    public var nesterov: Bool = false
    /// Number of independent repetitions, and the master seed they derive from.
    public var seeds: Int = 1
    public var seed: UInt64 = 0
    /// ‖W‖_F beyond this (or non-finite) is divergence.
    public var explosionLimit: Double = 1e60
    /// Record seconds since start in `wall_time`; false writes 0 there so that two runs
    /// with the same seed produce byte-identical CSV files.
    public var recordWallTime: Bool = true

    public init() {}

    public init(method: Method = .gd, lambda: Double = 8, dimension: Int = 64, width: Int? = nil,
                initialization: Initialization = .identity, alpha: Double = 1e-3, learningRate: Double = 1e-3,
                steps: Int = 1000, every: Int = 10, training: TrainingData = .population,
                seeds: Int = 1, seed: UInt64 = 0) {
        self.method = method
        self.lambda = lambda
        self.dimension = dimension
        self.width = width
        self.initialization = initialization
        self.alpha = alpha
        self.learningRate = learningRate
        self.steps = steps
        self.every = every
        self.training = training
        self.seeds = seeds
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case method, lambda, dimension, width, initialization, alpha, learningRate, steps, every, covariance,
             spikes, beta, spectrum, teacher, training, polar, newtonSchulzSteps, momentum, nesterov, seeds,
             seed, explosionLimit, recordWallTime
    }

    /// Decodes any subset of the fields: missing keys keep their defaults (so sweep specs
    /// and hand-written JSON name only what they change).
    public init(from decoder: Decoder) throws {
        self.init()
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        try read(.method, &method)
        try read(.lambda, &lambda)
        try read(.dimension, &dimension)
        width = try c.decodeIfPresent(Int.self, forKey: .width)
        try read(.initialization, &initialization)
        try read(.alpha, &alpha)
        try read(.learningRate, &learningRate)
        try read(.steps, &steps)
        try read(.every, &every)
        try read(.covariance, &covariance)
        spikes = try c.decodeIfPresent([Double].self, forKey: .spikes)
        try read(.beta, &beta)
        spectrum = try c.decodeIfPresent([Double].self, forKey: .spectrum)
        try read(.teacher, &teacher)
        try read(.training, &training)
        try read(.polar, &polar)
        try read(.newtonSchulzSteps, &newtonSchulzSteps)
        try read(.momentum, &momentum)
        try read(.nesterov, &nesterov)
        try read(.seeds, &seeds)
        try read(.seed, &seed)
        try read(.explosionLimit, &explosionLimit)
        try read(.recordWallTime, &recordWallTime)
    }

    /// m (= d when `width` is nil).
    public var resolvedWidth: Int { width ?? dimension }

    /// The spike strengths in effect (empty for power-law and diagonal spectra).
    public var resolvedSpikes: [Double] {
        covariance == .spiked ? (spikes ?? [lambda]) : []
    }

    /// Checks every field; throws a one-line `InputError` naming the bad one.
    public func validate() throws {
        try Validate.atLeast(dimension, 2, "dim")
        try Validate.atLeast(resolvedWidth, 1, "width")
        try Validate.initialScale(alpha)
        try Validate.positive(learningRate, "lr")
        try Validate.atLeast(steps, 0, "steps")
        try Validate.atLeast(every, 1, "every")
        try Validate.atLeast(seeds, 1, "seeds")
        try Validate.atLeast(newtonSchulzSteps, 1, "ns-steps")
        try Validate.nonNegative(momentum, "momentum")
        guard momentum < 1 else { throw InputError("momentum must be < 1 (got \(momentum))") }
        if nesterov && momentum == 0 { throw InputError("--nesterov needs --momentum > 0 (Nesterov momentum with β = 0 is plain GD/SpecGD)") }
        try DiagonalSpectrum.validate(spectrum, covariance: covariance, dimension: dimension)
        if spikes != nil && covariance != .spiked {
            throw InputError("--spikes applies to --covariance spiked only (got --covariance \(covariance.rawValue))")
        }
        try Validate.positive(explosionLimit, "explosion limit")
        if initialization == .identity, resolvedWidth != dimension {
            throw InputError("--init identity needs width m = dim d (got m = \(resolvedWidth), d = \(dimension)); use gaussian or orthogonal")
        }
        switch training {
        case .population: break
        case .samples(let n): try Validate.atLeast(n, 1, "samples")
        case .online(let b): try Validate.atLeast(b, 1, "batch")
        }
        switch covariance {
        case .spiked:
            let list = resolvedSpikes
            guard !list.isEmpty else { throw InputError("--spikes needs at least one value") }
            guard list.count <= dimension - 1 else {
                throw InputError("\(list.count) spikes do not fit next to θ* in dim \(dimension)")
            }
            for value in list { try Validate.spike(value, "spike λ") }
        case .powerLaw:
            try Validate.finite(beta, "beta")
        case .diagonal:
            break  // DiagonalSpectrum.validate above
        case .custom:
            throw InputError("covariance custom (groups) runs in theory only; a dense run takes --covariance diagonal --spectrum FILE")
        }
    }
}
