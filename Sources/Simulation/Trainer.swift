import NumericKit
import SpecgdSupport

/// One repetition of a dense run: the weights, the optimiser state and every workspace,
/// allocated once. `step()` does one update and allocates nothing.
public struct Trainer: Sendable {
    public let configuration: SimulationConfiguration
    public let problem: Problem
    public let repetition: Int
    public private(set) var weights: Matrix
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// L_n (or the batch loss, or L for population training) at the current weights, as
    /// computed with the last gradient.
    public private(set) var trainLoss = Double.nan

    private var rng: Xoshiro256
    private var population: PopulationObjective
    private var samples: SampleObjective?
    private var gradient: Matrix
    private var momentumBuffer: Matrix?
    private var direction: Matrix?
    private var polarWorkspace: PolarWorkspace?
    private var polarFactor: Matrix
    private var gradientIsCurrent = false

    /// Repetition r draws from stream r + 1 of the master seed (stream 0 is the problem's).
    public init(configuration c: SimulationConfiguration, repetition: Int = 0, problem: Problem? = nil) throws {
        try c.validate()
        try c.method.requirePaperMethod(in: "dense runs")
        if c.method == .specgd && !PolarMethod.denseRules.contains(c.optimizer.polarRule) {
            throw InputError("polar \(c.optimizer.polarRule.rawValue) is not available in dense runs yet (svd, gram, ns3, ns5)")
        }
        try Validate.atLeast(repetition, 0, "repetition")
        configuration = c
        self.repetition = repetition
        let problem = try problem ?? Problem(configuration: c)
        self.problem = problem
        let d = c.dimension, m = c.resolvedWidth
        rng = Xoshiro256(seed: c.seed, stream: repetition + 1)
        weights = try c.initialization.weights(dimension: d, width: m, alpha: c.alpha, rng: &rng)
        population = PopulationObjective(problem: problem, width: m)
        switch c.training {
        case .population: samples = nil
        case .samples(let n):
            samples = SampleObjective(problem: problem, width: m, count: n)
            samples!.draw(using: &rng)
        case .online(let b):
            samples = SampleObjective(problem: problem, width: m, count: b)
        }
        gradient = Matrix(rows: d, columns: m)
        if c.optimizer.momentum > 0 {
            momentumBuffer = Matrix(rows: d, columns: m)
            direction = Matrix(rows: d, columns: m)
        }
        if c.method == .specgd {
            polarWorkspace = PolarWorkspace(rows: d, columns: m, method: c.optimizer.polarRule, steps: (c.optimizer.newtonSchulzSteps ?? NewtonSchulzSchedule.defaultSteps))
            polarFactor = Matrix(rows: d, columns: m)
        } else {
            polarFactor = Matrix(rows: 0, columns: 0)
        }
    }

    /// `--polar gram`: how many polar factors went to gesdd because the gradient was too
    /// ill-conditioned for the Gram route (0 for other methods).
    public var gramFallbacks: Int { polarWorkspace?.gramFallbackCount ?? 0 }

    /// The gradient at the current weights (after `evaluate()`).
    public var currentGradient: Matrix { gradient }

    /// The population loss L(W) at the current weights.
    public mutating func populationLoss() -> Double {
        population.loss(weights)
    }

    /// Computes the gradient at the current weights (drawing a fresh batch when online) and
    /// sets `trainLoss`. Idempotent until the next `step()`.
    public mutating func evaluate() {
        guard !gradientIsCurrent else { return }
        switch configuration.training {
        case .population:
            trainLoss = population.gradient(weights, into: &gradient)
        case .samples:
            trainLoss = samples!.gradient(weights, into: &gradient)
        case .online:
            samples!.draw(using: &rng)
            trainLoss = samples!.gradient(weights, into: &gradient)
        }
        gradientIsCurrent = true
    }

    /// One optimiser step. Throws `DivergenceError` (with the step number) when W stops
    /// being finite or ‖W‖_F exceeds the explosion limit.
    public mutating func step() throws {
        evaluate()
        let c = configuration
        let beta = c.optimizer.momentum
        if beta > 0 {
            // B ← βB + G; direction B (heavy ball) or G + βB (Nesterov).
            let count = gradient.storage.count
            gradient.storage.withUnsafeBufferPointer { pg in
                momentumBuffer!.storage.withUnsafeMutableBufferPointer { pb in
                    direction!.storage.withUnsafeMutableBufferPointer { pd in
                        for i in 0..<count {
                            pb[i] = beta * pb[i] + pg[i]
                            pd[i] = c.optimizer.nesterov ? pg[i] + beta * pb[i] : pb[i]
                        }
                    }
                }
            }
        }
        let update: Matrix
        switch c.method {
        case .gd:
            update = beta > 0 ? direction! : gradient
        case .specgd:
            // A non-finite gradient would make LAPACK fail; report it as the divergence it is.
            let source = beta > 0 ? direction! : gradient
            for x in source.storage where !x.isFinite {
                throw DivergenceError(step: stepCount + 1, detail: "the gradient is not finite; lower the learning rate")
            }
            try polarWorkspace!.polar(beta > 0 ? direction! : gradient, into: &polarFactor)
            update = polarFactor
        case .signgd, .adam:
            preconditionFailure("refused by init")
        }
        let lr = c.learningRate
        var normSquared = 0.0
        weights.storage.withUnsafeMutableBufferPointer { pw in
            update.storage.withUnsafeBufferPointer { pu in
                for i in 0..<pw.count {
                    let value = pw[i] - lr * pu[i]
                    pw[i] = value
                    normSquared += value * value
                }
            }
        }
        stepCount += 1
        gradientIsCurrent = false
        let norm = normSquared.squareRoot()
        guard norm <= c.explosionLimit else {  // false for NaN too
            throw DivergenceError(step: stepCount, detail: "‖W‖_F = \(norm); lower the learning rate")
        }
    }
}
