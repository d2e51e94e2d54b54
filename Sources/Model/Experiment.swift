import Foundation
import SpecgdSupport

/// What an experiment is: one problem (Σ, θ*, d), one optimiser run from W₀ of scale α, and how
/// it is recorded and when it counts as escaped (docs/model.md §1–§3, §7). Theory and dense
/// simulation read the same fields with the same meaning and the same defaults:
///
///     TheoryConfiguration     = Experiment + dynamics (map, flow, large-d), flow options, custom groups
///     SimulationConfiguration = Experiment + width, initialisation, teacher, data, polar route,
///                               momentum, seeds
///
/// Both embed one `Experiment` and expose its fields as their own (`configuration.dimension`),
/// and their JSON records write its fields at the top level next to their own. `validate()`
/// is the one check of these fields, so the same bad value gets the same message from every
/// command; each backend adds only the limits that are its own (the grouped theory's spiked
/// model needs d ≥ 3: signal, spike and a bulk).
public struct Experiment: Codable, Sendable, Equatable {
    /// The optimiser and its options (docs/model.md §2, §6).
    public var optimizer = Optimizer(method: .gd)
    /// The optimiser's method (`optimizer.method`).
    public var method: Method {
        get { optimizer.method }
        set { optimizer.method = newValue }
    }
    /// Spike strength λ of Σ = I + λvvᵀ (spiked covariance).
    public var lambda: Double = 8
    /// Several spikes λ_1, λ_2, … on coordinates 2, 3, … (spiked covariance); nil means [lambda].
    public var spikes: [Double]? = nil
    /// Input dimension d.
    public var dimension: Int = 1000
    /// Initial scale α (W₀ = αI on the manifold; columns of norm ≈ α for random starts).
    public var alpha: Double = 1e-3
    /// η̃ (GD) or η (SpecGD): see `Method.learningRateSymbol`.
    public var learningRate: Double = 1e-3
    /// Discrete steps K.
    public var steps: Int = 10000
    /// Record every E steps (step 0 and the last step always).
    public var every: Int = 10
    /// a_esc: escape is the first step with a ≥ a_esc (docs/model.md §7).
    public var escapeThreshold: Double = 0.5
    public var covariance: CovarianceKind = .spiked
    /// Power-law exponent β (power-law covariance).
    public var beta: Double = 1
    /// 1-based eigen-direction carrying θ* (power-law and diagonal covariances).
    public var signalIndex: Int = 1
    /// The eigenvalues σ_1 … σ_d of a diagonal covariance.
    public var spectrum: [Double]? = nil

    public init() {}

    public init(method: Method = .gd, lambda: Double = 8, dimension: Int = 1000, alpha: Double = 1e-3,
                learningRate: Double = 1e-3, steps: Int = 10000, every: Int = 10, escapeThreshold: Double = 0.5) {
        optimizer = Optimizer(method: method)
        self.lambda = lambda
        self.dimension = dimension
        self.alpha = alpha
        self.learningRate = learningRate
        self.steps = steps
        self.every = every
        self.escapeThreshold = escapeThreshold
    }

    /// The one check of the shared fields; throws a one-line `InputError` naming the field.
    public func validate() throws {
        try optimizer.validate()
        try Validate.spike(lambda)
        try Validate.atLeast(dimension, 2, "dimension")
        let f = InputError.field
        if spikes != nil && covariance != .spiked {
            throw InputError("\(f("spikes")) applies to \(f("covariance")) spiked only (got \(f("covariance")) \(covariance.rawValue))")
        }
        if covariance == .spiked {
            let list = resolvedSpikes
            guard !list.isEmpty else { throw InputError(field: "spikes", "needs at least one value") }
            guard list.count <= dimension - 1 else {
                throw InputError("\(list.count) spikes do not fit next to θ* in \(f("dimension")) \(dimension)")
            }
            for value in list { try Validate.spike(value, "spike λ") }
        }
        try Validate.initialScale(alpha)
        try Validate.positive(learningRate, "learningRate")
        try Validate.atLeast(steps, 0, "steps")
        try Validate.atLeast(every, 1, "every")
        try Validate.positive(escapeThreshold, "escapeThreshold")
        try Validate.nonNegative(beta, "beta")
        // σ_i = i^(−β) / mean: d^(−β) must be a normal double, or Σ's smallest eigenvalues
        // underflow to 0 (or keep only a few digits as subnormals) and the run fails far from β.
        if covariance == .powerLaw, pow(Double(dimension), -beta) < Double.leastNormalMagnitude {
            let largest = -log(Double.leastNormalMagnitude) / log(Double(dimension))
            throw InputError(field: "beta", "\(beta) is too large for \(f("dimension")) \(dimension): d^(−β) underflows, so Σ's "
                             + "smallest eigenvalues would be 0; it must be <= \(String(format: "%.1f", (largest * 10).rounded(.down) / 10))")
        }
        if covariance == .powerLaw || covariance == .diagonal {
            try Validate.atLeast(signalIndex, 1, "signalIndex")
            guard signalIndex <= dimension else {
                throw InputError(field: "signalIndex", "must be <= \(InputError.field("dimension")) = \(dimension) (got \(signalIndex))")
            }
        }
        try DiagonalSpectrum.validate(spectrum, covariance: covariance, dimension: dimension)
    }

    /// The spike strengths in effect (empty for the other covariances).
    public var resolvedSpikes: [Double] { covariance == .spiked ? (spikes ?? [lambda]) : [] }

    /// λ of the first spike (the one escape statistics and the predictions follow).
    public var leadingSpike: Double { spikes?.first ?? lambda }

    /// The covariance in words, part by part, each with the sweep axis that states it (nil:
    /// always said): "λ = 8" (the spiked model), "λ₁ = 8", "λ₂ = 2" (several spikes), "power
    /// law", "β = 1", "θ* on e5" (a power law), "spectrum from file", "θ* on e5". Figure titles
    /// and phase-diagram subtitles read it.
    package var covarianceWords: [(axis: String?, text: String)] {
        let signal: (String?, String) = ("signal-index", "θ* on e\(signalIndex)")
        switch covariance {
        case .powerLaw: return [(nil, "power law"), ("beta", "β = \(Table.format(beta))"), signal]
        case .diagonal: return [(nil, "spectrum from file"), signal]
        case .spiked, .custom:
            guard let spikes else { return [("lambda", "λ = \(Table.format(lambda))")] }
            let subscripts = ["₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
            return spikes.enumerated().map { k, value in ("spike\(k + 1)", "λ\(subscripts[min(k, 8)]) = \(Table.format(value))") }
        }
    }

    /// This experiment with the leading spike's strength set to `lambda`: the single spike, or
    /// the first of several (the others stay). A λ grid of check-escape or the figures varies it.
    public func withLeadingSpike(_ lambda: Double) -> Experiment {
        var e = self
        if e.spikes?.isEmpty == false { e.spikes![0] = lambda } else { e.lambda = lambda }
        return e
    }

    /// The field names, as JSON keys (the top-level keys every configuration shares): the
    /// optimizer's (method, polar, momentum, …) and the problem's.
    package static let fieldNames = Optimizer.fieldNames + CodingKeys.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case lambda, spikes, dimension, alpha, learningRate, steps, every, escapeThreshold, covariance, beta,
             signalIndex, spectrum
    }

    /// Decodes any subset of the fields: a missing key keeps its default (hand-written JSON names
    /// only what it changes). Unknown keys are the embedding configuration's to check.
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        optimizer = try Optimizer(fieldsOf: decoder)
        try read(.lambda, &lambda)
        spikes = try c.decodeIfPresent([Double].self, forKey: .spikes)
        try read(.dimension, &dimension)
        try read(.alpha, &alpha)
        try read(.learningRate, &learningRate)
        try read(.steps, &steps)
        try read(.every, &every)
        try read(.escapeThreshold, &escapeThreshold)
        try read(.covariance, &covariance)
        try read(.beta, &beta)
        try read(.signalIndex, &signalIndex)
        spectrum = try c.decodeIfPresent([Double].self, forKey: .spectrum)
    }

    /// A driver's record (check-escape, the figure sets' sidecars) writes the covariance only
    /// when it is not the one-spike spiked model every earlier record ran, so those records keep
    /// their bytes: `covariance`, `spikes`, `beta` (power law), `signalIndex` (power law,
    /// diagonal), `spectrum`, at the top level of the driver's object.
    func encodeCovarianceIfNotSpiked(to encoder: Encoder) throws {
        guard covariance != .spiked || spikes != nil else { return }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(covariance, forKey: .covariance)
        try c.encodeIfPresent(spikes, forKey: .spikes)
        if covariance == .powerLaw { try c.encode(beta, forKey: .beta) }
        if covariance == .powerLaw || covariance == .diagonal { try c.encode(signalIndex, forKey: .signalIndex) }
        try c.encodeIfPresent(spectrum, forKey: .spectrum)
    }

    /// Reads what `encodeCovarianceIfNotSpiked` writes (absent: the one-spike spiked model).
    mutating func decodeCovariance(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        covariance = try c.decodeIfPresent(CovarianceKind.self, forKey: .covariance) ?? .spiked
        spikes = try c.decodeIfPresent([Double].self, forKey: .spikes)
        if let value = try c.decodeIfPresent(Double.self, forKey: .beta) { beta = value }
        if let value = try c.decodeIfPresent(Int.self, forKey: .signalIndex) { signalIndex = value }
        spectrum = try c.decodeIfPresent([Double].self, forKey: .spectrum)
    }

    /// A field a driver's record writes at its own top level (check-escape's configuration, the
    /// figure sets' sidecars), under the field's name unless the driver names it otherwise.
    public enum RecordField: String, Sendable {
        case lambda, dimension, alpha, learningRate, escapeThreshold
    }

    /// Writes `fields` at the top level of a driver's record (`keys` renames some: the figure
    /// set writes d as `theoryDimension`), then the covariance when it is not the one-spike
    /// spiked model (`encodeCovarianceIfNotSpiked`). The records keep their bytes.
    package func encodeRecordFields(_ fields: [RecordField], keys: [RecordField: String] = [:], to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        for field in fields {
            let key = AnyCodingKey(stringValue: keys[field] ?? field.rawValue)
            switch field {
            case .lambda: try c.encode(lambda, forKey: key)
            case .dimension: try c.encode(dimension, forKey: key)
            case .alpha: try c.encode(alpha, forKey: key)
            case .learningRate: try c.encode(learningRate, forKey: key)
            case .escapeThreshold: try c.encode(escapeThreshold, forKey: key)
            }
        }
        try encodeCovarianceIfNotSpiked(to: encoder)
    }

    /// Reads what `encodeRecordFields` writes: every field is required (a record lacking one is
    /// refused by its key), a missing covariance is the one-spike spiked model.
    package mutating func decodeRecordFields(_ fields: [RecordField], keys: [RecordField: String] = [:], from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        for field in fields {
            let key = AnyCodingKey(stringValue: keys[field] ?? field.rawValue)
            switch field {
            case .lambda: lambda = try c.decode(Double.self, forKey: key)
            case .dimension: dimension = try c.decode(Int.self, forKey: key)
            case .alpha: alpha = try c.decode(Double.self, forKey: key)
            case .learningRate: learningRate = try c.decode(Double.self, forKey: key)
            case .escapeThreshold: escapeThreshold = try c.decode(Double.self, forKey: key)
            }
        }
        try decodeCovariance(from: decoder)
    }

    /// The optimizer's fields and the problem's, side by side at the top level.
    public func encode(to encoder: Encoder) throws {
        try optimizer.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lambda, forKey: .lambda)
        try c.encodeIfPresent(spikes, forKey: .spikes)
        try c.encode(dimension, forKey: .dimension)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(steps, forKey: .steps)
        try c.encode(every, forKey: .every)
        try c.encode(escapeThreshold, forKey: .escapeThreshold)
        try c.encode(covariance, forKey: .covariance)
        try c.encode(beta, forKey: .beta)
        try c.encode(signalIndex, forKey: .signalIndex)
        try c.encodeIfPresent(spectrum, forKey: .spectrum)
    }
}

/// A configuration that is an `Experiment` plus fields of its own: the experiment's fields read
/// and write as the configuration's (`configuration.dimension = 64`).
public protocol ExperimentConfiguration {
    var experiment: Experiment { get set }
}

extension ExperimentConfiguration {
    public subscript<Value>(dynamicMember field: WritableKeyPath<Experiment, Value>) -> Value {
        get { experiment[keyPath: field] }
        set { experiment[keyPath: field] = newValue }
    }

    public subscript<Value>(dynamicMember property: KeyPath<Experiment, Value>) -> Value {
        experiment[keyPath: property]
    }
}
