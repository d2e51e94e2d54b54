import Testing
import NumericKit
@testable import Simulation

/// Independent reference: the population loss from MODEL.md §1 with explicit d×d matrices,
/// L = ¼(2 tr(MΣMΣ) + tr(MΣ)²), M = WWᵀ − θθᵀ.
private func naivePopulationLoss(_ w: Matrix, _ problem: Problem) -> Double {
    let d = problem.dimension
    let wwt = w * w.transposed
    let m = Matrix(rows: d, columns: d) { i, j in wwt[i, j] - problem.teacher[i] * problem.teacher[j] }
    let ms = Matrix(rows: d, columns: d) { i, j in m[i, j] * problem.spectrum[j] }
    let msms = ms * ms
    var trace2 = 0.0, trace1 = 0.0
    for i in 0..<d { trace2 += msms[i, i]; trace1 += ms[i, i] }
    return 0.25 * (2 * trace2 + trace1 * trace1)
}

private func problems() throws -> [Problem] {
    var spiked = SimulationConfiguration(lambda: 3, dimension: 12)
    spiked.spikes = [3, 1.5]
    var powerLaw = SimulationConfiguration(dimension: 12)
    powerLaw.covariance = .powerLaw
    powerLaw.beta = 1.2
    powerLaw.teacher = .random
    var misaligned = SimulationConfiguration(lambda: 5, dimension: 12)
    misaligned.teacher = .random
    misaligned.seed = 9
    return try [spiked, powerLaw, misaligned].map { try Problem(configuration: $0) }
}

/// Central differences of `f` at W along every entry, compared with `gradient`.
private func finiteDifferenceError(_ w: Matrix, gradient: Matrix, _ f: (Matrix) -> Double) -> Double {
    var worst = 0.0
    let scale = gradient.storage.map(abs).max()!
    for index in 0..<w.storage.count {
        let h = 1e-5
        var plus = w, minus = w
        plus.storage[index] += h
        minus.storage[index] -= h
        let numeric = (f(plus) - f(minus)) / (2 * h)
        worst = max(worst, abs(numeric - gradient.storage[index]) / scale)
    }
    return worst
}

@Suite struct GradientTests {
    @Test func populationLossMatchesExplicitFormula() throws {
        for (k, problem) in try problems().enumerated() {
            for m in [1, 5, 12, 15] {
                let w = randomWeights(12, m, seed: UInt64(10 * k + m), scale: 0.4)
                var objective = PopulationObjective(problem: problem, width: m)
                let fast = objective.loss(w), slow = naivePopulationLoss(w, problem)
                #expect(abs(fast - slow) <= 1e-13 * max(1, abs(slow)), "problem \(k), m \(m)")
            }
        }
    }

    @Test func populationGradientMatchesFiniteDifferences() throws {
        for (k, problem) in try problems().enumerated() {
            for m in [1, 4, 12, 15] {
                let w = randomWeights(12, m, seed: UInt64(100 + 10 * k + m), scale: 0.4)
                var objective = PopulationObjective(problem: problem, width: m)
                var g = Matrix(rows: 12, columns: m)
                let value = objective.gradient(w, into: &g)
                #expect(abs(value - objective.loss(w)) <= 1e-14 * max(1, value))
                var probe = objective
                let error = finiteDifferenceError(w, gradient: g) { probe.loss($0) }
                #expect(error < 1e-8, "problem \(k), m \(m): \(error)")
            }
        }
    }

    @Test func sampleLossAndGradient() throws {
        for (k, problem) in try problems().enumerated() {
            let m = 3, n = 40
            var objective = SampleObjective(problem: problem, width: m, count: n)
            var rng = Xoshiro256(seed: UInt64(k))
            objective.draw(using: &rng)
            let w = randomWeights(12, m, seed: UInt64(200 + k), scale: 0.5)
            // Loss against an explicit per-sample loop over the same data (redrawn).
            var replay = Xoshiro256(seed: UInt64(k))
            var direct = 0.0
            for _ in 0..<n {
                let x = problem.spectrum.map { $0.squareRoot() * replay.gaussian() }
                var f = 0.0
                for j in 0..<m {
                    var dot = 0.0
                    for i in 0..<12 { dot += w[i, j] * x[i] }
                    f += dot * dot
                }
                var t = 0.0
                for i in 0..<12 { t += problem.teacher[i] * x[i] }
                direct += (f - t * t) * (f - t * t)
            }
            direct /= 4 * Double(n)
            #expect(abs(objective.loss(w) - direct) <= 1e-12 * direct)
            var g = Matrix(rows: 12, columns: m)
            objective.gradient(w, into: &g)
            var probe = objective
            let error = finiteDifferenceError(w, gradient: g) { probe.loss($0) }
            #expect(error < 1e-8, "problem \(k): \(error)")
        }
    }

    @Test func diagonalFastPathEqualsTheGeneralPath() throws {
        // Diagonal W (square, tall and wide), eigen and dense teachers.
        for problem in try problems() {
            for m in [12, 7, 15] {
                var rng = Xoshiro256(seed: UInt64(m))
                var w = Matrix(rows: 12, columns: m)
                for i in 0..<min(12, m) { w[i, i] = rng.gaussian() }
                var fast = PopulationObjective(problem: problem, width: m)
                var slow = fast
                slow.diagonalFastPath = false
                var gf = Matrix(rows: 12, columns: m), gs = Matrix(rows: 12, columns: m)
                let lf = fast.gradient(w, into: &gf), ls = slow.gradient(w, into: &gs)
                #expect(abs(lf - ls) <= 1e-13 * ls)
                #expect(abs(fast.loss(w) - naivePopulationLoss(w, problem)) <= 1e-13 * ls)
                #expect(gf.maxAbsDifference(gs) <= 1e-13 * gs.storage.map(abs).max()!)
            }
        }
    }

    @Test func teacherIsAStationaryZeroLossPoint() throws {
        // W = [θ*, 0, …]: M = 0, so L = 0 and ∇L = 0 for any Σ.
        for problem in try problems() {
            var w = Matrix(rows: 12, columns: 3)
            for i in 0..<12 { w[i, 0] = problem.teacher[i] }
            var objective = PopulationObjective(problem: problem, width: 3)
            var g = Matrix(rows: 12, columns: 3)
            let value = objective.gradient(w, into: &g)
            // M = WWᵀ − θθᵀ vanishes up to the rounding of WᵀΣW-type products of unit vectors
            // (inner dimension d = 12, entries ≤ σ_max ≤ 4 here): |M| ≤ 12 ε σ_max; L is
            // quadratic in M (≈ 0), ∇L linear in it, times ‖ΣW‖ ≤ σ_max: 12 ε σ_max² per entry.
            let sigmaMax = problem.spectrum.max()!
            #expect(abs(value) < 12 * Double.ulpOfOne * sigmaMax)
            #expect(g.storage.map(abs).max()! < 3 * 12 * Double.ulpOfOne * sigmaMax * sigmaMax)
        }
    }
}

func randomWeights(_ d: Int, _ m: Int, seed: UInt64, scale: Double) -> Matrix {
    var rng = Xoshiro256(seed: seed)
    var w = Matrix(rows: d, columns: m)
    rng.fillGaussian(&w.storage, scale: scale)
    return w
}
