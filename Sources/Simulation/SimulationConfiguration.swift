import NumericKit
import Model
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

/// Everything that defines a dense simulation: the shared `Experiment` (docs/model.md §1–§3; its
/// fields read as this configuration's: `configuration.dimension`) plus what only a dense run
/// has. Every field has a default, so callers set only what they vary. `Codable` (it is written
/// into the JSON sidecar, the experiment's fields at the top level) and `Sendable`.
@dynamicMemberLookup
public struct SimulationConfiguration: ExperimentConfiguration, Sendable, Codable, Equatable {
    public var experiment = Experiment()
    /// m; nil means m = d.
    public var width: Int? = nil
    public var initialization: Initialization = .identity
    public var teacher: TeacherKind = .eigen
    public var training: TrainingData = .population
    /// Number of independent repetitions, and the master seed they derive from.
    public var seeds: Int = 1
    public var seed: UInt64 = 0
    /// ‖W‖_F beyond this (or non-finite) is divergence.
    public var explosionLimit: Double = 1e60
    /// Record seconds since start in `wall_time`; false writes 0 there so that two runs
    /// with the same seed produce byte-identical CSV files.
    public var recordWallTime: Bool = true
    /// Record the extreme singular values of every recorded step's update u (the direction
    /// before η: G for GD, the polar factor or Newton–Schulz output for SpecGD) as the columns
    /// `update_sigma_min`, `update_sigma_max` (one SVD per recorded step; docs/outputs.md).
    public var updateSpectrum: Bool = false

    public init() {}

    public init(_ experiment: Experiment) { self.experiment = experiment }

    public init(method: Method = .gd, lambda: Double = 8, dimension: Int = 1000, width: Int? = nil,
                initialization: Initialization = .identity, alpha: Double = 1e-3, learningRate: Double = 1e-3,
                steps: Int = 10000, every: Int = 10, training: TrainingData = .population,
                seeds: Int = 1, seed: UInt64 = 0) {
        experiment = Experiment(method: method, lambda: lambda, dimension: dimension, alpha: alpha,
                                learningRate: learningRate, steps: steps, every: every)
        self.width = width
        self.initialization = initialization
        self.training = training
        self.seeds = seeds
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case width, initialization, teacher, training, seeds,
             seed, explosionLimit, recordWallTime, updateSpectrum
    }

    /// Decodes any subset of the fields: missing keys keep their defaults (so sweep specs
    /// and hand-written JSON name only what they change); an unknown key is refused by name.
    public init(from decoder: Decoder) throws {
        self.init()
        try decoder.rejectUnknownKeys(Experiment.fieldNames + CodingKeys.allCases.map(\.rawValue))
        experiment = try Experiment(from: decoder)
        // Records written before the optimizer family stated the dense defaults for every
        // method ("polar": "svd", "newtonSchulzSteps": 5); they meant "not set".
        if experiment.optimizer.polar == .svd && experiment.method != .specgd { experiment.optimizer.polar = nil }
        if experiment.optimizer.newtonSchulzSteps == NewtonSchulzSchedule.defaultSteps,
           !(experiment.method == .specgd && experiment.optimizer.polarRule.isNewtonSchulz) {
            experiment.optimizer.newtonSchulzSteps = nil
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        width = try c.decodeIfPresent(Int.self, forKey: .width)
        try read(.initialization, &initialization)
        try read(.teacher, &teacher)
        try read(.training, &training)
        try read(.seeds, &seeds)
        try read(.seed, &seed)
        try read(.explosionLimit, &explosionLimit)
        try read(.recordWallTime, &recordWallTime)
        try read(.updateSpectrum, &updateSpectrum)
    }

    public func encode(to encoder: Encoder) throws {
        try experiment.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(width, forKey: .width)
        try c.encode(initialization, forKey: .initialization)
        try c.encode(teacher, forKey: .teacher)
        try c.encode(training, forKey: .training)
        try c.encode(seeds, forKey: .seeds)
        try c.encode(seed, forKey: .seed)
        try c.encode(explosionLimit, forKey: .explosionLimit)
        try c.encode(recordWallTime, forKey: .recordWallTime)
        if updateSpectrum { try c.encode(updateSpectrum, forKey: .updateSpectrum) }  // absent: off (earlier records)
    }

    /// m (= d when `width` is nil).
    public var resolvedWidth: Int { width ?? experiment.dimension }

    /// The experiment's checks, then the dense run's own; throws a one-line `InputError`
    /// naming the bad field.
    public func validate() throws {
        try experiment.validate()
        let dimension = experiment.dimension, f = InputError.field
        try Validate.atLeast(resolvedWidth, 1, "width")
        try Validate.atLeast(seeds, 1, "seeds")
        try Validate.positive(explosionLimit, "explosionLimit")
        if initialization == .identity, resolvedWidth != dimension {
            throw InputError("\(f("initialization")) identity needs width m = dim d (got m = \(resolvedWidth), d = \(dimension)); use gaussian or orthogonal")
        }
        switch training {
        case .population: break
        case .samples(let n): try Validate.atLeast(n, 1, "samples")
        case .online(let b): try Validate.atLeast(b, 1, "batch")
        }
        switch experiment.covariance {
        case .spiked, .powerLaw, .diagonal:
            break  // Experiment.validate
        case .custom:
            throw InputError("\(f("covariance")) custom (groups) runs in theory only; a dense run takes \(f("covariance")) diagonal with \(f("spectrum"))")
        }
    }
}
