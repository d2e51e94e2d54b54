import NumericKit
import SpecgdSupport
import Model
import Simulation
import Theory

/// Every model option one cell needs: the command's options, with the cell's axis values
/// written over them. Codable so sweep.json holds the base point the grid varies.
public struct ModelPoint: Sendable, Codable, Hashable {
    public var method: Method
    public var lambda: Double
    /// Input dimension d (the CLI word, grid axis and cells.csv column: `dim`).
    public var dimension: Int
    public var alpha: Double
    /// η̃ or η (the CLI word, grid axis and cells.csv column: `lr`).
    public var learningRate: Double
    public var steps: Int
    public var escapeThreshold: Double
    /// Simulation only: hidden width m (nil = m = d, the paper's square case).
    public var width: Int?
    /// Simulation only: finite sample count n (nil = population loss).
    public var samples: Int?
    /// Simulation only: W₀ (nil = identity, W₀ = αI, the invariant manifold of theory mode).
    public var initialization: Initialization?
    /// The seed of this cell's run. In the base point: the master seed.
    public var seed: UInt64
    /// The optimizer options the cell's method refines (polar rule, Newton–Schulz schedule,
    /// momentum, weight decay, lr scale, Adam's constants; docs/model.md §6) as given to the
    /// sweep; nil when none is (plain GD or exact SpecGD, and sweep.json as it always was).
    /// Its `method` is not read: the cell's optimizer is `optimizer`.
    public var optimizerOptions: Optimizer?
    /// Simulation only: online training with a fresh batch of this many samples every step.
    public var batch: Int?
    /// Simulation only: independent repetitions per cell (nil = 1); with more than one, each
    /// metric is reported as mean and q10/q50/q90 over them (`Metric.columns`).
    public var seeds: Int?
    /// Simulation only: the teacher θ* (nil = eigen, θ* on the first eigen-direction).
    public var teacher: TeacherKind?
    /// The covariance Σ (docs/model.md §1); nil = spiked, Σ = I + λvvᵀ (and sweep.json as it
    /// always was). Power law reads `beta` and `signalIndex`, diagonal `spectrum` and
    /// `signalIndex`; several spikes are `spikes` (nil: the one spike `lambda`).
    public var covariance: CovarianceKind?
    var beta: Double?
    public var signalIndex: Int?
    public var spikes: [Double]?
    public var spectrum: [Double]?
    /// `predicted_escape_spread`'s draws from the law of W₀ (`--law-draws`; generator: stream 1
    /// of the cell's seed); nil = `SeedSpreadSettings.defaultSweepLawDraws`, so a sweep.json of a
    /// default run keeps its bytes.
    public var lawDraws: Int?

    private enum CodingKeys: String, CodingKey {
        case method, lambda, dimension, alpha, learningRate, steps, escapeThreshold, width, samples, initialization, seed, batch, seeds, teacher
        case covariance, beta, signalIndex, spikes, spectrum, lawDraws
        case optimizerOptions = "optimizer"
    }

    public init(method: Method, lambda: Double, dimension: Int, alpha: Double, learningRate: Double, steps: Int,
                escapeThreshold: Double, width: Int? = nil, samples: Int? = nil,
                initialization: Initialization? = nil, seed: UInt64 = 0) {
        self.method = method
        self.lambda = lambda
        self.dimension = dimension
        self.alpha = alpha
        self.learningRate = learningRate
        self.steps = steps
        self.escapeThreshold = escapeThreshold
        self.width = width
        self.samples = samples
        self.initialization = initialization
        self.seed = seed
    }

    /// The cell's optimizer: `optimizerOptions` for the cell's method, without what that
    /// method and its polar rule do not read (`Optimizer.restricted(to:)`; Newton–Schulz K and
    /// ε outside Newton–Schulz rules, the safety factor outside polar-express). So on a
    /// `method` axis the polar rule and its schedule apply to the specgd cells only, and on a
    /// `polar` axis `--ns-steps` to its Newton–Schulz cells only (docs/sweep.md);
    /// `SweepConfiguration.checkOptimizer` refuses an option that no cell reads.
    var resolvedLawDraws: Int { lawDraws ?? SeedSpreadSettings.defaultSweepLawDraws }

    public var optimizer: Optimizer {
        var o = (optimizerOptions ?? Optimizer(method: method)).restricted(to: method)
        if !(method == .specgd && o.polarRule.isNewtonSchulz) { o.newtonSchulzSteps = nil; o.newtonSchulzEpsilon = nil }
        if o.polar != .polarExpress { o.safetyFactor = nil }
        if o.polar != .custom { o.coefficients = nil }
        return o
    }

    /// Sets the option of `axis` to `value`, one of the axis's values (a name axis's word by
    /// its position).
    package mutating func set(_ axis: GridAxis, _ value: Double) {
        guard axis.isName else { return set(axis.parameter, value) }
        set(axis.parameter, word: axis.text(value))
    }

    /// Sets a name option (`method`, `polar`) to one of its words.
    package mutating func set(_ parameter: SweepParameter, word: String) {
        switch parameter {
        case .method:
            method = Method(rawValue: word)!
            optimizerOptions?.method = method
        case .polar:
            var o = optimizerOptions ?? Optimizer(method: method)
            o.polar = PolarMethod(rawValue: word)!
            optimizerOptions = o
        case .nesterov: withOptimizer { $0.nesterov = word == "true" }
        case .covariance: covariance = CovarianceKind(rawValue: word)!
        default: preconditionFailure("\(parameter.rawValue) is not a name option")
        }
    }

    /// Sets a numeric option (a name option is set by `set(_:word:)`).
    package mutating func set(_ parameter: SweepParameter, _ value: Double) {
        switch parameter {
        case .lambda: lambda = value
        case .lr: learningRate = value
        case .dim: dimension = Int(value)
        case .alpha: alpha = value
        case .steps: steps = Int(value)
        case .escapeThreshold: escapeThreshold = value
        case .width: width = Int(value)
        case .samples: samples = Int(value)
        case .seed: seed = UInt64(value)
        case .batch: batch = Int(value)
        case .momentum:
            var o = optimizerOptions ?? Optimizer(method: method)
            o.momentum = value
            optimizerOptions = o
        case .weightDecay: withOptimizer { $0.weightDecay = value }
        case .beta1: withOptimizer { $0.beta1 = value }
        case .beta2: withOptimizer { $0.beta2 = value }
        case .nsSteps: withOptimizer { $0.newtonSchulzSteps = Int(value) }
        case .adamEps: withOptimizer { $0.adamEpsilon = value }
        case .precondEps: withOptimizer { $0.preconditionerEpsilon = value }
        case .beta: beta = value
        case .signalIndex: signalIndex = Int(value)
        case .spike1, .spike2, .spike3, .spike4:
            // `checkAxis` made sure the spike exists.
            spikes![parameter.spikeNumber! - 1] = value
        case .method, .polar, .nesterov, .covariance: preconditionFailure("\(parameter.rawValue) is a name option; set it by word")
        }
    }

    /// Changes the given optimizer options (starting from the method's plain optimizer).
    private mutating func withOptimizer(_ change: (inout Optimizer) -> Void) {
        var o = optimizerOptions ?? Optimizer(method: method)
        change(&o)
        optimizerOptions = o
    }

    /// The cell as the one experiment every command runs (docs/architecture.md): its optimizer,
    /// covariance, d, α, η, steps and escape threshold.
    public var experiment: Experiment {
        var e = Experiment(method: method, lambda: lambda, dimension: dimension, alpha: alpha, learningRate: learningRate, steps: steps,
                           every: max(steps, 1), escapeThreshold: escapeThreshold)
        e.optimizer = optimizer
        e.covariance = covariance ?? .spiked
        // On a covariance axis each cell reads its own kind's parameters only.
        e.spikes = e.covariance == .spiked ? spikes : nil
        if let beta { e.beta = beta }
        if let signalIndex { e.signalIndex = signalIndex }
        e.spectrum = e.covariance == .diagonal ? spectrum : nil
        return e
    }

    /// Takes the covariance of `experiment` (the command's covariance options): the spiked model
    /// with one spike leaves every field nil (sweep.json as it always was); several spikes, a
    /// power law or a diagonal spectrum set the fields `experiment` reads back. The inverse of
    /// the covariance part of `experiment`.
    package mutating func setCovariance(of experiment: Experiment) {
        guard experiment.covariance != .spiked || experiment.spikes != nil else { return }
        covariance = experiment.covariance
        spikes = experiment.spikes
        if experiment.covariance == .powerLaw { beta = experiment.beta }
        if experiment.covariance != .spiked { signalIndex = experiment.signalIndex }
        spectrum = experiment.spectrum
    }

    /// The grouped model of the cell's covariance (theory mode): the experiment's, as `theory` builds it.
    func groupedModel() throws -> GroupedModel {
        try TheoryConfiguration(experiment).model()
    }

    /// Refuses, in one line, an axis the base covariance does not read: beta on a power law
    /// only, signal-index on a power law or a diagonal spectrum, spikeK with at least K
    /// `--spikes`, lambda not with `--spikes` (vary spike1 instead), dim not with a spectrum
    /// file (it fixes d).
    /// `kinds`: the covariances of the sweep's cells (a covariance axis's words; else the base's):
    /// an axis is accepted when some cell reads it (the others run without it).
    func checkAxis(_ parameter: SweepParameter, kinds given: [CovarianceKind]? = nil) throws {
        let kinds = given ?? [covariance ?? .spiked], f = InputError.field
        let got = "(got \(f("covariance")) \(kinds.map(\.rawValue).joined(separator: ", ")))"
        func refuse(_ why: String) throws -> Never { throw InputError("grid axis \(parameter.rawValue) \(why)") }
        switch parameter {
        case .beta where !kinds.contains(.powerLaw):
            try refuse("applies to \(f("covariance")) power-law only \(got)")
        case .signalIndex where !kinds.contains(.powerLaw) && !kinds.contains(.diagonal):
            try refuse("applies to \(f("covariance")) power-law or diagonal only \(got)")
        case .spike1, .spike2, .spike3, .spike4:
            let k = parameter.spikeNumber!
            guard kinds.contains(.spiked), let spikes, spikes.count >= k else {
                try refuse("varies spike \(k) of \(f("spikes")): give \(f("spikes")) with at least \(k) values")
            }
        case .lambda where spikes != nil:
            try refuse("varies the single spike; with \(f("spikes")) vary spike1, spike2, … instead")
        case .lambda where !kinds.contains(.spiked):
            try refuse("applies to \(f("covariance")) spiked only \(got)")
        case .dim where kinds.contains(.diagonal):
            try refuse("cannot vary with \(f("covariance")) diagonal: the spectrum file fixes d")
        case .covariance:
            // Each cell reads its own covariance's parameters from the base: a diagonal cell needs
            // the spectrum, and several spikes belong to spiked cells only.
            if given?.contains(.diagonal) == true && spectrum == nil {
                try refuse("value diagonal needs \(f("spectrum")) FILE")
            }
            if spikes != nil && given?.contains(where: { $0 != .spiked }) == true {
                try refuse("with \(f("spikes")) takes spiked only: the spikes are a spiked covariance's")
            }
        default: break
        }
    }

    /// q = p α² = (d − 2) α²: the initial bulk mass that sets the boundary λ_c.
    var bulkMass: Double { Double(dimension - 2) * alpha * alpha }
}

/// Per-cell seeds: a SplitMix64 mix of the master seed and the cell index, cut to 53 bits
/// so the seed column of cells.csv holds it exactly. Depends on nothing but those two, so a
/// cell's randomness is the same whatever the job count, shard or resume history.
package func cellSeed(master: UInt64, cell: Int) -> UInt64 {
    var z = master &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(cell + 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return z >> 11
}
