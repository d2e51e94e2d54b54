import Foundation
import Testing
import Comparison
import Experiments
import Model
import NumericKit
import Simulation
import SpecgdSupport
import TestSupport
import Theory

/// Per-seed theory (the map from each seed's projected W₀) and the spread predicted from the
/// law of W₀ (docs/model.md §3, §5; issue 20).
@Suite struct SeedTheoryTests {
    static func configurations(method: Method = .gd, dimension d: Int, seeds: Int, steps: Int, lr: Double = 2e-3,
                               spikes: [Double]? = nil, covariance: (inout Experiment) -> Void = { _ in })
        -> (TheoryConfiguration, SimulationConfiguration) {
        var theory = TheoryConfiguration(method: method, lambda: 8, dimension: d, alpha: 1e-2, learningRate: lr, steps: steps, every: 1)
        theory.spikes = spikes
        covariance(&theory.experiment)
        var simulation = SimulationConfiguration(theory.experiment)
        simulation.initialization = .gaussian
        simulation.seeds = seeds
        simulation.seed = 20
        simulation.recordWallTime = false
        return (theory, simulation)
    }

    /// The projection sums the squares in the order the dense statistics do, so the map's start
    /// is the simulation's step-0 a, b (and c for one spike) bit for bit, and every group's
    /// coefficient is the RMS of its rows (a naive transcription of docs/model.md §3).
    @Test(arguments: [nil, [8.0, 3.0]] as [[Double]?])
    func projectedStartIsTheSimulationsStepZero(spikes: [Double]?) throws {
        var (theory, simulation) = Self.configurations(dimension: 12, seeds: 3, steps: 0, spikes: spikes)
        simulation.width = 7
        let result = try Simulator(simulation).run()
        let model = try theory.model()
        for r in 0..<3 {
            let start = try SeedTheory.start(theory: theory, simulation: simulation, repetition: r).coefficients
            let row = result.perSeed[r].rows[0], columns = result.perSeed[r].columns
            func sim(_ name: String) -> Double { row[columns.firstIndex(of: name)!] }
            #expect(start[model.signalIndex] == sim("a"))
            #expect(start[model.spikeIndex!] == sim("b"))
            // One spike: the bulk group's coefficient is the dense c. Several: the dense c is the
            // map's, over every group but a and b (CompareCovarianceTests checks it).
            if spikes == nil { #expect(start[model.groups.firstIndex { $0.name == "c" }!] == sim("c")) }
            let w = try simulation.initialWeights(repetition: r).weights
            let coordinates = try theory.coordinateGroups()
            for g in model.groups.indices {
                let rows = (0..<12).filter { coordinates[$0] == g }
                #expect(rows.count == model.groups[g].multiplicity)
                var mass = 0.0
                for i in rows { for j in 0..<7 { mass += w[i, j] * w[i, j] } }
                // A sum of p·m squares in another order: ≤ p·m roundings of the (positive) sum, then a √.
                let exact = (mass / Double(rows.count)).squareRoot()
                #expect(abs(start[g] - exact) <= Double(rows.count * 7 + 2) * eps * exact)
            }
        }
    }

    /// Issue 20's acceptance, GD: λ = 8, d = 128, α = 1e-2, η̃ = 2e-3, 6 seeds. The thresholds are
    /// the (0.3 % on the escape step, 0.005 on max |Δa| up to escape): the remaining gap
    /// is the finite-d, off-manifold part of a Gaussian W₀ that the projection drops (its
    /// off-diagonal WWᵀ), not rounding, so no rounding model gives it. Measured here (master seed
    /// 20): escape steps within 0–0.13 % (0–1 step of 730–775), max |Δa| to escape 3.7·10⁻⁴–1.5·10⁻³;
    /// from αI the same seeds are off by up to 3.2 % and 0.044 (the table: 1.8 %, 0.027 at
    /// d = 128); master seed 0 gave up to 0.27 % and 2.9·10⁻³, the measured order of the effect.
    @Test func perSeedTheoryMatchesEachGDSeed() throws {
        let (theory, simulation) = Self.configurations(dimension: 128, seeds: 6, steps: 820)
        let request = CompareRequest(methods: [.gd], theory: theory, simulation: simulation, seedSpread: SeedSpreadSettings(lawDraws: 50))
        let report = try CompareExperiment.run(request).summary.methods[0]
        let seeds = try #require(report.seeds)
        #expect(seeds.count == 6)
        for seed in seeds {
            let error = try #require(seed.escapeRelativeError)
            #expect(abs(error) <= 0.003, "seed \(seed.seed): \(error)")
            #expect(try #require(seed.upToEscape["a"]) <= 0.005, "seed \(seed.seed)")
            // The αI line stays reported next to it.
            #expect(seed.escapeStepIdentity != nil && seed.upToEscapeIdentity["a"] != nil)
        }
        // The comparison is informative: from αI at least one seed is off by more than the threshold.
        #expect(seeds.contains { abs($0.escapeRelativeErrorIdentity ?? 0) > 0.003 })
    }

    /// Issue 20's acceptance, SpecGD (η = 2e-3, escape ≈ 245 steps): per-seed escape steps within
    /// ±2 steps (the threshold; measured 0–1: a moves by η per step on both sides, and the
    /// dense polar step's tilt of the signal direction, docs/model.md §5, costs at most a step).
    @Test func perSeedTheoryMatchesEachSpecGDSeedToTwoSteps() throws {
        let (theory, simulation) = Self.configurations(method: .specgd, dimension: 128, seeds: 6, steps: 280)
        let request = CompareRequest(methods: [.specgd], theory: theory, simulation: simulation, seedSpread: SeedSpreadSettings(lawDraws: 50))
        let seeds = try #require(try CompareExperiment.run(request).summary.methods[0].seeds)
        for seed in seeds {
            let sim = try #require(seed.escapeStepSimulation), map = try #require(seed.escapeStepTheory)
            #expect(abs(sim - map) <= 2, "seed \(seed.seed): \(sim) vs \(map)")
        }
    }

    /// Issue 20's acceptance for the predicted band: GD's escape step over 16 seeds against the
    /// law of a Gaussian W₀. Both checks carry their own error model (`SpreadCheck`): the median
    /// falls outside a correct q10–q90 with probability 2·P(Bin(16, 0.1) ≥ 8) ≈ 9·10⁻⁵, and the
    /// width's 95 % interval is the bootstrap law of (16-seed width − N-draw width). d = 64 runs by
    /// default (~10 s); d = 256 (several minutes in debug) with SPECGD_HEAVY_TESTS=1.
    @Test func predictedSpreadContainsTheMeasuredSeeds() throws {
        let heavy = ProcessInfo.processInfo.environment["SPECGD_HEAVY_TESTS"] == "1"
        for d in heavy ? [64, 256] : [64] {
            let (theory, simulation) = Self.configurations(dimension: d, seeds: 16, steps: 900)
            let request = CompareRequest(methods: [.gd], theory: theory, simulation: simulation, seedSpread: SeedSpreadSettings(lawDraws: 400))
            let spread = try #require(try CompareExperiment.run(request).summary.methods[0].spread)
            let check = spread.escapeCheck
            #expect(check.notCheckable == nil, "d = \(d)")
            #expect(check.medianInside == true, "d = \(d): \(String(describing: check.measured)) vs \(String(describing: check.predicted))")
            #expect(check.widthAgrees == true, "d = \(d): \(String(describing: check.measuredWidth)) vs \(String(describing: check.predictedWidth)), interval \(String(describing: check.widthDifferenceInterval))")
            // The band is not trivially wide: its width is a few % of the median (≈ (2d)^(−1/2) in a₀).
            let p = try #require(spread.prediction.escapeStep)
            #expect(p.width > 0 && p.width < 0.1 * p.q50)
        }
    }

    /// The width check can fail: a law twice as wide as the seeds' is refused.
    @Test func spreadCheckRefusesAWrongWidth() {
        var rng = Xoshiro256(seed: 1)
        let draws = (0..<400).map { _ in 700 + 20 * rng.gaussian() }
        let measured = (0..<16).map { _ in 700 + 20 * rng.gaussian() }
        #expect(SpreadCheck.check(measured: measured, draws: draws).passed == true)
        #expect(SpreadCheck.check(measured: measured, draws: draws.map { 700 + 3 * ($0 - 700) }).widthAgrees == false)
        #expect(SpreadCheck.check(measured: measured.map { $0 + 200 }, draws: draws).medianInside == false)
        #expect(SpreadCheck.check(measured: [700], draws: draws).notCheckable != nil)
    }

    /// Escape steps are integers: a predicted spread of one step (half the draws at 499, half at
    /// 500) against seeds that all but one escape at 500 differs by one step in width, which
    /// the bootstrap alone calls a disagreement; at a resolution of one step it is none, while a
    /// median three steps off still fails.
    @Test func spreadCheckOfIntegerStepsAllowsOneStep() {
        let draws = (0..<400).map { Double($0 % 2 == 0 ? 499 : 500) }
        let measured = [499.0] + Array(repeating: 500.0, count: 15)
        #expect(SpreadCheck.check(measured: measured, draws: draws).widthAgrees == false)
        let integer = SpreadCheck.check(measured: measured, draws: draws, resolution: 1)
        #expect(integer.widthAgrees == true && integer.medianInside == true)
        #expect(SpreadCheck.check(measured: measured.map { $0 + 3 }, draws: draws, resolution: 1).medianInside == false)
    }

    /// The median check's false-alarm probability against the binomial sum written out with exact
    /// integer coefficients: 3 seeds 2·(3·0.1²·0.9 + 0.1³) = 0.056, 16 seeds ≈ 9·10⁻⁵. The
    /// lgamma/exp route rounds each term to a few ulps of exponents below 40, so 1e-12 relative is
    /// far above its error and far below any difference between seed counts.
    @Test func medianFalseAlarmIsTheBinomialTail() {
        func exact(_ n: Int) -> Double {
            func choose(_ n: Int, _ k: Int) -> Double { (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) } }
            return 2 * ((n + 1) / 2...n).reduce(0.0) { $0 + choose(n, $1) * pow(0.1, Double($1)) * pow(0.9, Double(n - $1)) }
        }
        for n in [1, 2, 3, 4, 7, 16, 40] {
            var check = SpreadCheck.check(measured: [], draws: [])
            check.seeds = n
            #expect(abs(check.medianFalseAlarm - exact(n)) <= 1e-12 * exact(n), "\(n) seeds")
        }
        var three = SpreadCheck.check(measured: [], draws: [])
        three.seeds = 3
        #expect(abs(three.medianFalseAlarm - 0.056) <= 1e-12)
        // The fewest seeds from which on every count keeps the bound within 1 − level, from the
        // exact sums: 4 seeds (10.5 %) still exceed 5 %, 5 and beyond do not.
        let level = 0.95
        let minimum = SpreadCheck.minimumSeedsForMedian(level: level)
        #expect(exact(minimum - 1) > 1 - level && (minimum..<(minimum + 64)).allSatisfy { exact($0) <= 1 - level })
        #expect(minimum == 5)
        // Below it the median check is not made, and the width check alone decides `passed`.
        var rng = Xoshiro256(seed: 3)
        let draws = (0..<400).map { _ in 700 + 20 * rng.gaussian() }
        for n in 2..<minimum {
            let check = SpreadCheck.check(measured: Array(draws.prefix(n)), draws: draws)
            #expect(check.medianInside == nil && check.medianNotCheckable != nil && check.passed == check.widthAgrees, "\(n) seeds")
        }
        #expect(SpreadCheck.check(measured: Array(draws.prefix(minimum)), draws: draws).medianInside != nil)
    }

    /// The law of the projected start against its closed-form moments (N draws; a sample mean
    /// is within 5 standard errors σ/√N with probability 1 − 6·10⁻⁷). Gaussian: p s² = (α²/d)χ²_{pm},
    /// mean α²m/d, variance 2m(α²/d)²/p. Orthogonal, m < d: s_a²/α² = P₁₁ ~ Beta(m/2, (d − m)/2),
    /// mean m/d, variance 2m(d − m)/(d²(d + 2)).
    @Test func theLawOfTheProjectedStartHasItsMoments() throws {
        let model = try GroupedModel.spiked(lambda: 8, dimension: 40)
        let n = 20_000, alpha = 0.5
        func moments(_ law: StartLaw, group: Int) -> (mean: Double, variance: Double) {
            var rng = Xoshiro256(seed: 7)
            let x = (0..<n).map { _ in let s = model.sampleStart(law, rng: &rng)[group]; return s * s }
            let mean = x.reduce(0, +) / Double(n)
            return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1))
        }
        let m = 30, d = 40.0, scale = alpha * alpha / d
        for (group, p) in [(0, 1.0), (2, 38.0)] {
            let (mean, variance) = moments(StartLaw(initialization: .gaussian, width: m, alpha: alpha), group: group)
            let expected = scale * Double(m), sigma2 = 2 * Double(m) * scale * scale / p
            #expect(abs(mean - expected) <= 5 * (sigma2 / Double(n)).squareRoot())
            // Var of a sample variance ≈ (μ₄ − σ⁴)/N; μ₄ of χ²_k is 12k(k + 4), scaled by (scale/p)⁴.
            let k = p * Double(m), c = scale / p
            let mu4 = 12 * k * (k + 4) * c * c * c * c
            #expect(abs(variance - sigma2) <= 5 * ((mu4 - sigma2 * sigma2) / Double(n)).squareRoot())
        }
        let (mean, variance) = moments(StartLaw(initialization: .orthogonal, width: m, alpha: alpha), group: 0)
        let expected = Double(m) / d * alpha * alpha, beta = 2 * Double(m) * (d - Double(m)) / (d * d * (d + 2)) * pow(alpha, 4)
        #expect(abs(mean - expected) <= 5 * (beta / Double(n)).squareRoot())
        // P₁₁ ∈ [0, 1]: μ₄ ≤ σ² (a bounded variable's fourth central moment is ≤ its variance·range²).
        #expect(abs(variance - beta) <= 5 * ((beta * pow(alpha, 4) - beta * beta) / Double(n)).squareRoot())
        // m ≥ d: orthonormal rows, every row of norm α.
        var rng = Xoshiro256(seed: 1)
        #expect(model.sampleStart(StartLaw(initialization: .orthogonal, width: 40, alpha: alpha), rng: &rng) == [alpha, alpha, alpha])
    }

    /// Gamma(k) by Marsaglia–Tsang, below and above shape 1: mean k and variance k within 5
    /// standard errors (Var of the sample variance ≈ (μ₄ − k²)/N, μ₄ = 3k² + 6k for Gamma(k)).
    @Test(arguments: [0.5, 1.0, 3.5, 640.0])
    func gammaDeviatesHaveTheirMoments(shape k: Double) {
        var rng = Xoshiro256(seed: 3)
        let n = 40_000
        let x = (0..<n).map { _ in rng.gamma(shape: k) }
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        #expect(abs(mean - k) <= 5 * (k / Double(n)).squareRoot())
        #expect(abs(variance - k) <= 5 * ((3 * k * k + 6 * k - k * k) / Double(n)).squareRoot())
    }

    /// A start is validated, and a run from αI's own coefficients is the αI run bit for bit.
    @Test func aStartOfAlphaIsTheIdentityRun() throws {
        var config = TheoryConfiguration(method: .gd, lambda: 8, dimension: 64, alpha: 1e-2, learningRate: 2e-3, steps: 500, every: 5)
        let identity = try runTheory(config)
        config.start = TheoryStart(coefficients: [1e-2, 1e-2, 1e-2])
        let started = try runTheory(config)
        #expect(started.table.rows == identity.table.rows)
        #expect(started.summary == identity.summary)
        config.start = TheoryStart(coefficients: [1e-2, 1e-2])
        #expect(throws: InputError.self) { try runTheory(config) }
        config.start = TheoryStart(coefficients: [1e-2, .nan, 1e-2])
        #expect(throws: InputError.self) { try runTheory(config) }
        config.start = TheoryStart(coefficients: [1e-2, 1e-2, 1e-2])
        config.dynamics = .largeD
        #expect(throws: InputError.self) { try runTheory(config) }
    }
}
