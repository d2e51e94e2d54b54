import Model
import Foundation
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
    /// Heavy-ball buffer B (gd, specgd, signgd with momentum).
    private var momentumBuffer: Matrix?
    /// The direction source U (B or G + βB) with momentum; Adam's update u.
    private var direction: Matrix?
    /// Adam's moments m and v.
    private var firstMoment: Matrix?
    private var secondMoment: Matrix?
    private var polarWorkspace: PolarWorkspace?
    /// The update of specgd (the polar factor), signgd (the sign of U) and a registered rule.
    private var polarFactor: Matrix
    /// A registered rule's dense step and workspace (`UpdateRule.denseStepper`).
    private var ruleStepper: (any DenseRuleStepper)?
    private var gradientIsCurrent = false
    /// η' = η·(lr scale at d×m) and 1 − η'ω, computed as `OptimizerMap` does (docs/model.md §6),
    /// so the identity-manifold run rounds its update like the map; 1 without decay, which
    /// keeps plain GD/SpecGD's w − η u bit for bit.
    private let effectiveLearningRate: Double
    private let decay: Double
    /// With `updateSpectrum`: the SVD workspace, and the extreme singular values of the update
    /// of step `updateSpectrumStep` (computed only for steps that are recorded).
    private var updateSVD: ThinSVD?
    public private(set) var updateSpectrum: (min: Double, max: Double) = (0, 0)
    private(set) var updateSpectrumStep = 0

    /// Repetition r draws from stream r + 1 of the master seed (stream 0 is the problem's).
    public init(configuration c: SimulationConfiguration, repetition: Int = 0, problem: Problem? = nil) throws {
        try c.validate()
        try Validate.atLeast(repetition, 0, "repetition")
        configuration = c
        self.repetition = repetition
        let problem = try problem ?? Problem(configuration: c)
        self.problem = problem
        let d = c.dimension, m = c.resolvedWidth
        (weights, rng) = try c.initialWeights(repetition: repetition)
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
        let o = c.optimizer
        effectiveLearningRate = c.learningRate * o.learningRateFactor(rows: d, columns: m)
        decay = 1 - effectiveLearningRate * o.weightDecay
        if o.momentum > 0 {
            momentumBuffer = Matrix(rows: d, columns: m)
            direction = Matrix(rows: d, columns: m)
        }
        if c.method == .adam {
            firstMoment = Matrix(rows: d, columns: m)
            secondMoment = Matrix(rows: d, columns: m)
            direction = Matrix(rows: d, columns: m)
        }
        switch c.method {
        case .specgd:
            polarWorkspace = PolarWorkspace(rows: d, columns: m, method: o.polarRule, schedule: o.schedule)
            polarFactor = Matrix(rows: d, columns: m)
        case .signgd:
            polarFactor = Matrix(rows: d, columns: m)
        case .gd, .adam:
            polarFactor = Matrix(rows: 0, columns: 0)
        case .rule(_):
            polarFactor = Matrix(rows: d, columns: m)
            ruleStepper = c.method.updateRule!.init(o).denseStepper(rows: d, columns: m)
        }
        if c.updateSpectrum { updateSVD = ThinSVD(rows: d, columns: m) }
    }

    /// `--polar gram`: how many polar factors went to gesdd because the gradient was too
    /// ill-conditioned for the Gram route (0 for other methods).
    var gramFallbacks: Int { polarWorkspace?.gramFallbackCount ?? 0 }

    /// The gradient at the current weights (after `evaluate()`).
    var currentGradient: Matrix { gradient }

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

    /// One optimiser step (docs/model.md §6 on the whole W): U = G, or B ← βB + G with U = B
    /// (Nesterov: G + βB); u = U (gd), polar(U) (specgd), sign U (signgd), Adam's
    /// bias-corrected ratio, or a registered rule's direction; W ← (1 − η'ω)W − η'u. Throws `DivergenceError` (with the step
    /// number) when W stops being finite or ‖W‖_F exceeds the explosion limit.
    public mutating func step() throws {
        evaluate()
        let c = configuration
        let o = c.optimizer
        let beta = o.momentum
        if c.method == .adam {
            adamDirection(step: stepCount + 1)
        } else if beta > 0 {
            // B ← βB + G; direction B (heavy ball) or G + βB (Nesterov).
            let count = gradient.storage.count, nesterov = o.nesterov
            gradient.storage.withUnsafeBufferPointer { pg in
                momentumBuffer!.storage.withUnsafeMutableBufferPointer { pb in
                    direction!.storage.withUnsafeMutableBufferPointer { pd in
                        for i in 0..<count {
                            pb[i] = beta * pb[i] + pg[i]
                            pd[i] = nesterov ? pg[i] + beta * pb[i] : pb[i]
                        }
                    }
                }
            }
        }
        let source = beta > 0 ? direction! : gradient
        let update: Matrix
        switch c.method {
        case .gd:
            update = source
        case .adam:
            update = direction!
        case .specgd:
            // A non-finite gradient would make LAPACK fail; report it as the divergence it is.
            try Self.requireFinite(source, step: stepCount + 1)
            try polarWorkspace!.polar(source, into: &polarFactor)
            update = polarFactor
        case .signgd:
            // sign(NaN) would read as 0 (no step) and hide the divergence.
            try Self.requireFinite(source, step: stepCount + 1)
            source.storage.withUnsafeBufferPointer { pu in
                polarFactor.storage.withUnsafeMutableBufferPointer { ps in
                    for i in 0..<ps.count { ps[i] = pu[i] > 0 ? 1 : (pu[i] < 0 ? -1 : 0) }
                }
            }
            update = polarFactor
        case .rule:
            // A rule's LAPACK call fails on NaN, and a sign would hide it as no step.
            try Self.requireFinite(source, step: stepCount + 1)
            do {
                try ruleStepper!.direction(gradient: gradient, source: source, into: &polarFactor, step: stepCount + 1)
            } catch let error as DenseRuleError {
                throw DivergenceError(step: stepCount + 1, detail: error.description)
            }
            update = polarFactor
        }
        if updateSVD != nil, (stepCount + 1) % c.every == 0 || stepCount + 1 == c.steps {
            // The step about to be recorded (Simulator records k % every == 0 and the last step).
            try updateSVD!.factor(update)
            let values = updateSVD!.singularValues
            updateSpectrum = (values.last ?? 0, values.first ?? 0)
            updateSpectrumStep = stepCount + 1
        }
        let lr = effectiveLearningRate, keep = decay
        var normSquared = 0.0
        weights.storage.withUnsafeMutableBufferPointer { pw in
            update.storage.withUnsafeBufferPointer { pu in
                for i in 0..<pw.count {
                    let value = keep * pw[i] - lr * pu[i]
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

    /// Adam, elementwise (t = 1, 2, …): m ← β₁m + (1 − β₁)G, v ← β₂v + (1 − β₂)G²,
    /// u = (m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε) into `direction`, in `OptimizerMap`'s association.
    private mutating func adamDirection(step t: Int) {
        let o = configuration.optimizer
        let beta1 = o.resolvedBeta1, beta2 = o.resolvedBeta2, epsilon = o.resolvedAdamEpsilon
        let correction1 = 1 - Foundation.pow(beta1, Double(t)), correction2 = 1 - Foundation.pow(beta2, Double(t))
        gradient.storage.withUnsafeBufferPointer { pg in
            firstMoment!.storage.withUnsafeMutableBufferPointer { pm in
                secondMoment!.storage.withUnsafeMutableBufferPointer { pv in
                    direction!.storage.withUnsafeMutableBufferPointer { pu in
                        for i in 0..<pg.count {
                            let g = pg[i]
                            pm[i] = beta1 * pm[i] + (1 - beta1) * g
                            pv[i] = beta2 * pv[i] + (1 - beta2) * (g * g)
                            pu[i] = (pm[i] / correction1) / ((pv[i] / correction2).squareRoot() + epsilon)
                        }
                    }
                }
            }
        }
    }

    private static func requireFinite(_ source: Matrix, step: Int) throws {
        for x in source.storage where !x.isFinite {
            throw DivergenceError(step: step, detail: "the gradient is not finite; lower the learning rate")
        }
    }
}
