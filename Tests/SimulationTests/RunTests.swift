import Testing
import NumericKit
import Model
@testable import Simulation
import SpecgdSupport
import Foundation
import TestSupport

@Suite struct RunTests {
    private func base() -> SimulationConfiguration {
        var c = SimulationConfiguration(method: .gd, lambda: 4, dimension: 16, width: 4,
                                        initialization: .gaussian, alpha: 0.3, learningRate: 0.02,
                                        steps: 200, every: 20, training: .samples(64), seeds: 3, seed: 42)
        c.recordWallTime = false
        return c
    }

    @Test func sameSeedSameBytesDifferentSeedDifferentRun() throws {
        let c = base()
        let first = try runSimulation(c), second = try runSimulation(c)
        #expect(first.perSeed == second.perSeed)
        #expect(first.aggregate.csv == second.aggregate.csv)
        var other = c
        other.seed = 43
        #expect(try runSimulation(other).perSeed[0] != first.perSeed[0])
        // A repetition does not depend on how many repetitions run with it.
        var single = c
        single.seeds = 1
        #expect(try Simulator(c).runRepetition(2) == first.perSeed[2])
        #expect(try runSimulation(single).perSeed[0] == first.perSeed[0])
    }

    /// The escape is watched at every step: a run recorded every 20 steps reports the escape
    /// step, a and b at escape and the peak of a run recorded at every step, which the
    /// recorded-table tracker reads off its rows — the same numbers, bit for bit (the state at
    /// each step does not depend on what is recorded).
    @Test func escapeIsWatchedAtEveryStep() throws {
        var c = SimulationConfiguration(method: .gd, lambda: 8, dimension: 32, initialization: .gaussian,
                                        alpha: 1e-2, learningRate: 5e-3, steps: 700, every: 20, seeds: 2, seed: 7)
        c.recordWallTime = false
        var everyStep = c
        everyStep.every = 1
        let sparse = try runSimulation(c), dense = try runSimulation(everyStep)
        for r in 0..<2 {
            let recorded = try EscapeTracker.metrics(of: dense.perSeed[r], threshold: c.experiment.escapeThreshold)
            let escape = try #require(recorded.escapeStep)
            #expect(escape % 20 != 0, "pick a case whose escape falls between recorded steps (seed \(r): \(escape))")
            for watched in [sparse.escapes[r], dense.escapes[r]] {
                #expect(watched.escapeStep == recorded.escapeStep)
                #expect(watched.signalAtEscape == recorded.signalAtEscape && watched.spikeAtEscape == recorded.spikeAtEscape)
                #expect(watched.peakAmplification == recorded.peakAmplification)
            }
            #expect(SimulationSummary(result: sparse).escapeSteps[r] == escape)
        }
    }

    @Test func repetitionsAreIndependent() throws {
        // Initial weights of different repetitions are uncorrelated: the normalised inner
        // product of two independent Gaussian d·m vectors is ~N(0, 1/(dm)).
        var c = base()
        c.dimension = 64
        c.width = 64
        var weights: [Matrix] = []
        for r in 0..<6 { weights.append(try Trainer(configuration: c, repetition: r).weights) }
        let n = Double(64 * 64)
        for i in 0..<6 {
            for j in (i + 1)..<6 {
                var dot = 0.0
                for k in 0..<weights[i].storage.count { dot += weights[i].storage[k] * weights[j].storage[k] }
                let correlation = dot / (weights[i].frobeniusNorm * weights[j].frobeniusNorm)
                #expect(abs(correlation) < 5 / n.squareRoot())
            }
        }
        // Entries have the documented variance α²/d.
        let variance = weights.reduce(0) { $0 + $1.frobeniusNormSquared } / (6 * n)
        #expect(abs(variance / (0.09 / 64) - 1) < 0.05)
    }

    @Test func orthogonalInitHasOrthonormalColumnsTimesAlpha() throws {
        var c = base()
        c.initialization = .orthogonal
        c.alpha = 0.7
        for m in [4, 16, 20] {
            c.width = m
            let w = try Trainer(configuration: c).weights
            let k = min(16, m)
            let gram = m <= 16 ? w.transposed * w : w * w.transposed
            // W = α Q with Q from dgeqrf/dorgqr: Q orthonormal to p ε (p = max(d, m)), the Gram
            // product adds γ_n (n = inner dimension ≤ 20), scaled by α² = 0.49.
            #expect(gram.maxAbsDifference(.identity(k, scale: 0.49)) < Double(max(16, m) + 20) * Double.ulpOfOne * 0.49)
        }
    }

    @Test func finiteSamplesApproachThePopulation() throws {
        // Same W₀, growing n: the population loss of the GD iterates trained on n samples
        // approaches the population-trained trajectory. Measured trend: the mean gap (3
        // seeds, max over the trajectory) shrinks with n, roughly like 1/√n.
        var c = base()
        c.steps = 150
        c.every = 10
        c.training = .population
        c.seeds = 3
        let population = try runSimulation(c).perSeed.map { $0.column("loss")! }
        var gaps: [Double] = []
        for n in [32, 128, 512, 2048] {
            c.training = .samples(n)
            let runs = try runSimulation(c).perSeed.map { $0.column("loss")! }
            var gap = 0.0
            for (run, reference) in zip(runs, population) {
                gap += zip(run, reference).map { abs($0 - $1) }.max()! / 3
            }
            gaps.append(gap)
        }
        #expect(zip(gaps, gaps.dropFirst()).allSatisfy { $1 < $0 }, "\(gaps)")
        // Over a 64× increase of n the gap falls by a factor well above 3 (1/√n gives 8;
        // measured gaps 0.33, 0.17, 0.086, 0.053).
        #expect(gaps[0] / gaps[3] > 3, "\(gaps)")
    }

    @Test func onlineTrainingRunsAndRecordsBothLosses() throws {
        var c = base()
        c.training = .online(batch: 32)
        let table = try runSimulation(c).perSeed[0]
        let loss = table.column("loss")!, train = table.column("train_loss")!
        #expect(loss.last! < loss.first!)
        #expect(zip(loss, train).contains { $0 != $1 })
        c.training = .population
        let population = try runSimulation(c).perSeed[0]
        #expect(population.column("loss")! == population.column("train_loss")!)
    }

    @Test func newtonSchulzTracksSVD() throws {
        // SpecGD from a random start with Muon's ns5 (5 steps) instead of the exact polar
        // factor. ns5 moves along the same singular directions but with singular values in its
        // plateau band (≈ [0.68, 1.13]; f(1) = 0.70 for one step of the quintic), so the
        // signal a advances at 60–125% of the exact speed (measured: 71% here) and the loss
        // decreases monotonically as well. ns3 with 30 steps: see its error model below.
        var c = base()
        c.method = .specgd
        c.training = .population
        c.learningRate = 2e-3
        c.steps = 300
        c.seeds = 1
        let exact = try runSimulation(c).perSeed[0]
        c.optimizer.polar = .ns5
        let quintic = try runSimulation(c).perSeed[0]
        let a0 = exact.column("a")![0]
        for (x, y) in zip(quintic.column("a")!.dropFirst(), exact.column("a")!.dropFirst()) {
            let ratio = (x - a0) / (y - a0)
            #expect(ratio > 0.6 && ratio < 1.25, "ns5/svd progress ratio \(ratio)")
        }
        let loss = quintic.column("loss")!
        #expect(zip(loss, loss.dropFirst()).allSatisfy { $1 < $0 })
        c.optimizer.polar = .ns3
        c.optimizer.newtonSchulzSteps = 30
        // ns3 with K = 30 steps, step by step. On G = U S Vᵀ the cubic acts on each singular value
        // alone: x ← (3x − x³)/2 from x₀ = σ_i/‖G‖_F ≥ 1/(κ √m), so ns3(G) = U f^K(S/‖G‖_F) Vᵀ and
        // ‖ns3(G) − polar(G)‖₂ = max_i |1 − f^K(x_i)|: near 0 f multiplies by 3/2, near 1 it
        // contracts quadratically (1 − f(1 − e) = 3e²/2 − e³/2), so a singular value is converged
        // after ≈ log_{3/2}(κ √m) + 6 steps and the deficit is what is left of the smallest ones —
        // computed below from G's own singular values. Rounding: the two routes' polar factors of
        // the same G differ by ≤ 4 p ε κ (polarRoutesBound; the cubic is self-correcting once
        // converged), and reading the factor back as (W_k − W_{k+1})/η costs 2 ε max|W|/η + ε.
        // Compared on the ns3 run's own gradients, so the check is the Trainer's ns3 path against
        // gesdd at every step. (A loss-trajectory comparison has no such model: from the chattering
        // stage on, the two runs' last-bit differences grow ≈ 30× per 20 steps, kernel-dependent —
        // a relative gap of 1.4e-5 (Prescott) to 2.9e-5 (SkylakeX) at step 260 from 1e-16 at step
        // 80, while the accumulated missing descent η Σ_j Σ_i σ_i (1 − f^K(x_i)) stays below 1e-9 of
        // L. So the trajectory is not compared against a fitted constant.)
        var trainer = try Trainer(configuration: c)
        var reference = PolarWorkspace(rows: 16, columns: 4, method: .svd)
        var exactFactor = Matrix(rows: 16, columns: 4)
        var worstExcess = 0.0
        for _ in 0..<c.steps {
            trainer.evaluate()
            let g = trainer.currentGradient
            try reference.polar(g, into: &exactFactor)
            var deficit = 0.0
            for sigma in try singularValues(g) {
                var x = sigma / g.frobeniusNorm
                for _ in 0..<c.optimizer.newtonSchulzSteps! { x = (3 * x - x * x * x) / 2 }
                deficit = max(deficit, abs(1 - x))
            }
            let before = trainer.weights
            try trainer.step()
            let after = trainer.weights
            let readBack = 2 * eps * max(before.storage.map(abs).max()!, after.storage.map(abs).max()!) / c.learningRate + eps
            let bound = deficit + (try polarRoutesBound(g)) + readBack
            for i in before.storage.indices {
                let factor = (before.storage[i] - after.storage[i]) / c.learningRate
                worstExcess = max(worstExcess, abs(factor - exactFactor.storage[i]) / bound)
            }
        }
        #expect(worstExcess <= 1, "ns3 vs gesdd polar factor: worst difference / bound \(worstExcess)")
    }

    @Test(arguments: [false, true])
    func momentumMatchesAnIndependentRecurrence(nesterov: Bool) throws {
        // On the identity manifold with θ* = e₁, momentum acts coordinate-wise: a
        // transcription of heavy ball / Nesterov on the (a, b, c) map is the reference.
        for method in Method.paperMethods {
            let d = 10, lambda = 3.0, beta = 0.8
            let lr = method == .gd ? 0.01 : 1e-3
            var c = SimulationConfiguration(method: method, lambda: lambda, dimension: d, alpha: 0.1,
                                            learningRate: lr, steps: 300, every: 1)
            c.optimizer.momentum = beta
            c.optimizer.nesterov = nesterov
            c.recordWallTime = false
            let table = try runSimulation(c).perSeed[0]
            var s = [0.1, 0.1, 0.1], buffer = [0.0, 0.0, 0.0]
            let sigma = [1.0, 1 + lambda, 1.0], p = [1.0, 1.0, Double(d - 2)], target = [1.0, 0, 0]
            // Error model, carried along the reference (one scalar bound over the three groups).
            // The dense run (diagonal W: the diagonal fast path) and this transcription evaluate
            // the same coefficient σ s (2σ(s² − t) + T) in different orders, T a d-term sum: each
            // within (d + 8) ε of it times its |·|-magnitude σ|s|(2σ(s² + t) + Σ pσ(s² + t)), so
            // they differ by δg ≤ 2 (d + 8) ε · magnitude. A state error E_s moves the coefficient by
            // ≤ ‖∂g/∂s‖_∞ E_s (row sums of |σ_g(δ_gh(2σ_g(s_g² − t_g) + T + 4σ_g s_g²) + 2 s_g p_h σ_h s_h)|).
            // Heavy ball / Nesterov: E_B ← β E_B + δg + ‖∂g/∂s‖ E_s (+ 2 ε (β|B| + |g|), the buffer's
            // own two roundings); the direction's error E_u = E_B (heavy ball) or E_g + β E_B;
            // GD: E_s ← E_s + η E_u + ε |s| (the update's rounding, once per side: 2 ε |s|).
            // SpecGD: s − η sign(u) is the same two operations on both sides, so while every |u|
            // exceeds its error bound E_u (checked) the states are bit-identical: E_s = 0.
            // Reading a, b, c back: a, b = √(s²) = |s| exactly; c = √(q/p) with q the p-term sum of
            // the bulk's squares: ≤ (p + 2) ε |c|.
            var errorState = 0.0, errorBuffer = 0.0, worstExcess = 0.0
            for k in 0...300 {
                let readBound = Double(d) * eps * s.map(abs).max()!
                for (column, g) in [("a", 0), ("b", 1), ("c", 2)] {
                    let difference = abs(table.column(column)![k] - abs(s[g]))
                    worstExcess = max(worstExcess, difference / (errorState + readBound))
                }
                var t = 0.0, tAbs = 0.0
                for g in 0..<3 { t += p[g] * sigma[g] * (s[g] * s[g] - target[g]); tAbs += p[g] * sigma[g] * (s[g] * s[g] + target[g]) }
                var lipschitz = 0.0, gradientError = 0.0, bufferRounding = 0.0
                var directions = [Double](repeating: 0, count: 3)
                for g in 0..<3 {
                    var row = 0.0
                    for h in 0..<3 {
                        let diagonal = h == g ? 2 * sigma[g] * (s[g] * s[g] - target[g]) + t + 4 * sigma[g] * s[g] * s[g] : 0
                        row += abs(sigma[g] * (diagonal + 2 * s[g] * p[h] * sigma[h] * s[h]))
                    }
                    lipschitz = max(lipschitz, row)
                    let grad = sigma[g] * s[g] * (2 * sigma[g] * (s[g] * s[g] - target[g]) + t)
                    let magnitude = sigma[g] * abs(s[g]) * (2 * sigma[g] * (s[g] * s[g] + target[g]) + tAbs)
                    gradientError = max(gradientError, 2 * Double(d + 8) * eps * magnitude)
                    bufferRounding = max(bufferRounding, 2 * eps * (beta * abs(buffer[g]) + abs(grad)))
                    buffer[g] = beta * buffer[g] + grad
                    directions[g] = nesterov ? grad + beta * buffer[g] : buffer[g]
                }
                let coefficientError = gradientError + lipschitz * errorState
                errorBuffer = beta * errorBuffer + coefficientError + bufferRounding
                let directionError = nesterov ? coefficientError + beta * errorBuffer + bufferRounding : errorBuffer
                for g in 0..<3 {
                    let direction = directions[g]
                    if method == .specgd {
                        #expect(abs(direction) > directionError, "step \(k): sign of \(direction) not determined")
                    }
                    s[g] -= lr * (method == .gd ? direction : (direction > 0 ? 1 : (direction < 0 ? -1 : 0)))
                }
                if method == .gd { errorState += lr * directionError + 2 * eps * s.map(abs).max()! }
            }
            #expect(worstExcess <= 1, "\(method): worst difference / bound \(worstExcess)")
        }
    }

    @Test func aggregateStatistics() throws {
        let tables = [[1.0, 4.0], [2.0, 6.0], [6.0, 8.0]].map { values in
            Table(columns: ["step", "a"], rows: [[0, values[0]], [5, values[1]]])
        }
        let aggregate = try Aggregate.table(tables)
        #expect(aggregate.columns == ["step", "a", "a_std", "a_q10", "a_q50", "a_q90"])
        // a at step 0: 1, 2, 6 → mean 3, sample std √7, q10 = 1.2, q50 = 2, q90 = 5.2 (NumPy linear).
        let row = aggregate.rows[0]
        #expect(row[0] == 0 && row[1] == 3)
        // Every intermediate of the std is an exact small integer (mean 9/3, deviations −2, −1, 3,
        // squares 14, 14/2 = 7) and √ is correctly rounded: the same bits as 7.0.squareRoot().
        #expect(row[2] == 7.0.squareRoot())
        // Quantile x_lo + f (x_hi − x_lo) with f from p (n − 1): the literal p, the position, the
        // product and the sum each round once (≤ ε/2 relative), and the literal compared with
        // (1.2, 5.2) is itself rounded: ≤ 2 ε (p (n − 1) |x_hi − x_lo| + |q|).
        func quantileBound(_ p: Double, _ span: Double, _ q: Double) -> Double { 2 * eps * (p * 2 * span + q) }
        #expect(abs(row[3] - 1.2) <= quantileBound(0.1, 1, 1.2) && row[4] == 2 && abs(row[5] - 5.2) <= quantileBound(0.9, 4, 5.2))
        #expect(aggregate.rows[1][0] == 5 && aggregate.rows[1][1] == 6)
        #expect(throws: InputError.self) { try Aggregate.table([]) }
    }

    @Test func configurationJSONRoundTripsAndDefaultsMissingKeys() throws {
        var c = base()
        c.training = .online(batch: 17)
        c.spikes = [2, 3]
        c.optimizer.polar = .ns5
        let data = try JSONOutput.encode(c)
        #expect(try JSONOutput.decoder().decode(SimulationConfiguration.self, from: data) == c)
        let partial = #"{"method": "specgd", "dimension": 32, "training": {"kind": "samples", "samples": 100}}"#
        let decoded = try JSONOutput.decoder().decode(SimulationConfiguration.self, from: Data(partial.utf8))
        var expected = SimulationConfiguration()
        expected.method = .specgd
        expected.dimension = 32
        expected.training = .samples(100)
        #expect(decoded == expected)
    }

    @Test func divergenceNamesTheStep() throws {
        var c = SimulationConfiguration(method: .gd, lambda: 1, dimension: 8, alpha: 1, learningRate: 5, steps: 1000)
        c.every = 1000
        #expect(throws: DivergenceError.self) { try runSimulation(c) }
        do { _ = try runSimulation(c) } catch let error as DivergenceError {
            #expect(error.step >= 1 && error.step < 100)
        }
    }

    @Test func badInputIsRejectedWithAClearMessage() throws {
        func rejects(_ change: (inout SimulationConfiguration) -> Void, _ fragment: String) {
            var c = SimulationConfiguration()
            change(&c)
            do {
                try c.validate()
                Issue.record("accepted invalid input (\(fragment))")
            } catch let error as InputError {
                #expect(error.message.contains(fragment), "\(error.message)")
            } catch { Issue.record("wrong error \(error)") }
        }
        rejects({ $0.width = 0; $0.initialization = .gaussian }, "width")
        rejects({ $0.training = .samples(0) }, "samples")
        rejects({ $0.training = .online(batch: 0) }, "batch")
        rejects({ $0.width = 3 }, "identity")
        rejects({ $0.lambda = -1 }, "> -1")
        rejects({ $0.alpha = .nan }, "alpha")
        rejects({ $0.learningRate = .infinity }, "learningRate")
        rejects({ $0.covariance = .diagonal }, "spectrum")
        rejects({ $0.covariance = .diagonal; $0.dimension = 3; $0.spectrum = [1, 0, 2] }, "spectrum value")
        rejects({ $0.optimizer.momentum = 1 }, "momentum")
        rejects({ $0.seeds = 0 }, "seeds")
    }

    @Test func summaryColumnsAndSpectra() throws {
        // Power law: mean-normalised spectrum, no spike → b = 0, spike_alignment = 1.
        var c = SimulationConfiguration(method: .gd, dimension: 20, width: 5, initialization: .gaussian,
                                        alpha: 0.2, learningRate: 1e-3, steps: 10, every: 5)
        c.covariance = .powerLaw
        c.beta = 1.5
        let problem = try Problem(configuration: c)
        // σ_i = raw_i / mean(raw): pow's own error cancels in the ratio; the mean (d − 1 additions
        // and a division), each quotient, the re-sum (d − 1) and /20: ≤ (2d + 2) ε.
        #expect(abs(problem.spectrum.reduce(0, +) / 20 - 1) <= 42 * eps)
        #expect(problem.spectrum[0] > problem.spectrum[19])
        let table = try runSimulation(c).perSeed[0]
        #expect(table.columns == TrajectoryColumns.simulation)
        #expect(table.column("step")! == [0, 5, 10])
        // The map's groups: b is the largest non-signal direction's overlap (e₂ here), the bulk the
        // other 18 coordinates: c² (d − 2) + a² + b² = ‖W‖²_F (docs/model.md §3).
        let a = table.column("a")!, b = table.column("b")!, cc = table.column("c")!, alignment = table.column("alignment")!
        #expect(b.allSatisfy { $0 > 0 })
        // Error model: a² = Σ (Wᵀθ)_j² (gemv inner d, then an m-term sum), q = ‖W − θ(θᵀW)‖²_F
        // (each residual entry within (d + 2) ε |W|, squared, a dm-term sum), ‖W‖²_F (dm-term sum):
        // each is within (2d + dm + 4) ε of ‖W‖²_F-sized values; the read-back (√ and square of a,
        // √(q/19) squared × 19, a²/alignment) adds ≤ 10 ε; in all (2dm + 4d + m + 14) ε ‖W‖²_F.
        let modelBound = Double(2 * 20 * 5 + 4 * 20 + 5 + 14 + 4) * eps  // + b²'s read-back
        for k in 0..<3 {
            let total = a[k] * a[k] / alignment[k]
            #expect(abs(cc[k] * cc[k] * 18 + a[k] * a[k] + b[k] * b[k] - total) <= modelBound * total)
        }
    }
}

@Suite struct ProblemTests {
    @Test func projectionsAndNormalisers() throws {
        var c = SimulationConfiguration(dimension: 10)
        c.spikes = [3, 1]
        let spiked = try Problem(configuration: c)
        #expect(spiked.spectrum[0] == 1 && spiked.spectrum[1] == 4 && spiked.spectrum[2] == 2 && spiked.spectrum[3] == 1)
        #expect(spiked.bulkDimension == 7 && spiked.spikeCoordinate == 1)
        c.teacher = .random
        c.seed = 3
        let misaligned = try Problem(configuration: c)
        let q = misaligned.projected
        // Householder Q: orthonormal to p ε (p = 10), QᵀQ adds ≤ 10 ε: 20 ε.
        #expect((q.transposed * q).maxAbsDifference(.identity(3)) < 20 * Double.ulpOfOne)
        // Normalised teacher re-summed: the norm (d-term sum + sqrt) and the division, then this
        // d-term sum: ≤ (2d + 2) ε.
        #expect(abs(misaligned.teacher.reduce(0) { $0 + $1 * $1 } - 1) < 22 * Double.ulpOfOne)
        #expect(misaligned.teacher.filter { $0 != 0 }.count == 10)
        // The teacher is a property of the problem: the same for every repetition.
        #expect(try Trainer(configuration: c, repetition: 0).problem.teacher ==
                Trainer(configuration: c, repetition: 3).problem.teacher)
        var diagonal = SimulationConfiguration(dimension: 3)
        diagonal.covariance = .diagonal
        diagonal.spectrum = [2, 1, 0.5]
        diagonal.initialization = .gaussian
        let problem = try Problem(configuration: diagonal)
        #expect(problem.spectrum == [2, 1, 0.5] && problem.bulkDimension == 2 && problem.spikeCoordinate == nil)
    }
}

/// The dense statistics read W through the map's groups when θ* is an eigen-direction
/// (docs/model.md §3 "The same statistics on a dense W"); on the one-spike model that reading is
/// the projection reading bit for bit (θ* = e₁, the spike e₂, the bulk rows 3…d, summed in the
/// same order), elsewhere it is the map's b, c, q.
@Suite struct GroupedStatisticsTests {
    static func gaussian(_ c: SimulationConfiguration, width: Int) throws -> Matrix {
        var c = c
        c.initialization = .gaussian
        c.width = width
        c.seed = 11
        return try c.initialWeights(repetition: 0).weights
    }

    @Test func oneSpikeGroupsEqualTheProjectionBitForBit() throws {
        let c = SimulationConfiguration(lambda: 8, dimension: 12)
        let grouped = try Problem(configuration: c)
        #expect(grouped.groups != nil)
        let projection = try Problem(spectrum: grouped.spectrum, teacher: grouped.teacher, spikeCoordinates: [1])
        #expect(projection.groups == nil)
        for width in [7, 12, 20] {
            let w = try Self.gaussian(c, width: width)
            var s1 = SummaryStatistics(problem: grouped, width: width), s2 = SummaryStatistics(problem: projection, width: width)
            let x = s1.measure(w), y = s2.measure(w)
            #expect([x.a, x.b, x.c, x.q, x.alignment, x.spikeAlignment] == [y.a, y.b, y.c, y.q, y.alignment, y.spikeAlignment], "m = \(width)")
        }
    }

    /// Two spikes: b is the first spike (both readings), c and q hold the second spike with the
    /// bulk (the map's), where the projection drops it. Power law: b is the largest non-signal
    /// eigen-direction's overlap (the projection has none). Each against its definition written
    /// out: a sum of n squares in another order is ≤ n ε relative apart, a √ adds ε.
    @Test func severalSpikesAndPowerLawReadTheMapsGroups() throws {
        var twoSpikes = SimulationConfiguration(dimension: 12)
        twoSpikes.spikes = [8, 3]
        var powerLaw = SimulationConfiguration(dimension: 12)
        powerLaw.covariance = .powerLaw
        powerLaw.beta = 1.5
        powerLaw.signalIndex = 2
        let m = 7
        for (c, signal, spike) in [(twoSpikes, 0, 1), (powerLaw, 1, 0)] {
            let problem = try Problem(configuration: c)
            let w = try Self.gaussian(c, width: m)
            var statistics = SummaryStatistics(problem: problem, width: m)
            let x = statistics.measure(w)
            func rowMass(_ i: Int) -> Double { (0..<m).reduce(0) { $0 + w[i, $1] * w[i, $1] } }
            let bulk = (0..<12).filter { $0 != signal && $0 != spike }
            let q = bulk.reduce(0) { $0 + rowMass($1) }
            let n = Double(bulk.count * m), eps = Double.ulpOfOne
            #expect(x.a == rowMass(signal).squareRoot() && x.b == rowMass(spike).squareRoot())
            #expect(abs(x.q - q) <= n * eps * q)
            #expect(abs(x.c - (q / Double(bulk.count)).squareRoot()) <= (n / 2 + 2) * eps * x.c)
        }
    }
}
