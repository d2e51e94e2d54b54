import Testing
import NumericKit
import Model
@testable import Simulation
import TestSupport

/// Independent reference: the population loss from docs/model.md §1 with explicit d×d matrices,
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

// Error model for the population loss and gradient (docs/model.md §1). Every route — the explicit
// d×d formula above, the general Wᵀ(ΣW) route and the diagonal fast path — evaluates the same
// polynomial in (W, θ, σ) by sums and products, so by Higham's componentwise analysis each is
// within N ε of the exact value times the same polynomial evaluated with |W|, |θ| and every minus
// turned into a plus (`magnitude`), N = the longest chain of roundings in the route. Cancellation
// (L → 0 near the teacher) is therefore covered without a relative-error assumption.

/// ¼(2(‖|W|ᵀΣ|W|‖²_F + 2‖|W|ᵀΣ|θ|‖² + e²) + (tr(|W|ᵀΣ|W|) + e)²), e = |θ|ᵀΣ|θ|: bounds every
/// term of both the explicit tr(MΣMΣ) (|M| ≤ |W||W|ᵀ + |θ||θ|ᵀ) and the expanded Gram form.
/// Also returns G_abs = Σ|W|(2A_abs + (tr A_abs + e) I) + 2 Σ|θ| u_absᵀ, the gradient's one.
private func populationMagnitudes(_ w: Matrix, _ problem: Problem) -> (loss: Double, gradient: Matrix) {
    let d = problem.dimension, m = w.columns
    let absW = Matrix(rows: d, columns: m, storage: w.storage.map(abs))
    let sigmaW = Matrix(rows: d, columns: m) { i, j in problem.spectrum[i] * absW[i, j] }
    let a = absW.transposed * sigmaW
    let u = (0..<m).map { j in (0..<d).reduce(0.0) { $0 + sigmaW[$1, j] * abs(problem.teacher[$1]) } }
    let e = (0..<d).reduce(0.0) { $0 + problem.spectrum[$1] * problem.teacher[$1] * problem.teacher[$1] }
    var trace = 0.0
    for j in 0..<m { trace += a[j, j] }
    let quartic = a.storage.reduce(0) { $0 + $1 * $1 }, cross = u.reduce(0) { $0 + $1 * $1 }
    let loss = 0.25 * (2 * (quartic + 2 * cross + e * e) + (trace + e) * (trace + e))
    let inner = Matrix(rows: m, columns: m) { i, j in 2 * a[i, j] + (i == j ? trace + e : 0) }
    let product = sigmaW * inner
    let gradient = Matrix(rows: d, columns: m) { i, j in
        product[i, j] + 2 * problem.spectrum[i] * abs(problem.teacher[i]) * u[j]
    }
    return (loss, gradient)
}

/// Longest rounding chains (ε units) of one loss evaluation: general route (Σ^{1/2} 2, Gram d,
/// square 1, the m² quartic sum, combine 5) m² + d + 8; explicit route (WWᵀ m, − θθᵀ and ·σ 2,
/// (MΣ)² d, trace d, combine 4) m + 2d + 6; the diagonal path is shorter than either.
private func lossRoundings(d: Int, m: Int) -> Double { Double(m * m + d + 8) }
/// Two loss routes against each other: the sum of both chains.
private func lossPairRoundings(d: Int, m: Int) -> Double { Double(m * m + m + 3 * d + 14) }
/// The gradient (ΣW)(2A + T I) − 2(Σθ)uᵀ: Σ^{1/2}W 2, Gram d, T (its own d + m + 2 chain), ·Σ^{1/2} 1,
/// gemm inner m, rank-one update 2: 2d + 2m + 7 per route; two routes: twice that.
private func gradientRoundings(d: Int, m: Int) -> Double { Double(2 * d + 2 * m + 7) }

/// Entry by entry, the central difference D(h) of `f` at W against `gradient`, bounded by the
/// Richardson truncation estimate (D(2h)) plus the rounding of the f values (`roundings` ε times
/// `magnitude`, evaluated at |W| + 2h so it covers every probe) plus the analytic gradient's own
/// rounding (`gradientBound`, per entry). Returns the worst ratio error / bound (< 1 passes).
private func finiteDifferenceExcess(_ w: Matrix, gradient: Matrix, gradientBound: Matrix, magnitude: Double,
                                    roundings: Double, _ f: (Matrix) -> Double) -> Double {
    var worst = 0.0
    let h = 1e-5
    for index in 0..<w.storage.count {
        func difference(_ width: Double) -> Double {
            var plus = w, minus = w
            plus.storage[index] += width
            minus.storage[index] -= width
            return (f(plus) - f(minus)) / (2 * width)
        }
        let d1 = difference(h), d2 = difference(2 * h)
        let bound = centralDifferenceBound(dh: d1, d2h: d2, magnitude: magnitude, step: h, roundings: roundings)
            + gradientBound.storage[index]
        worst = max(worst, abs(d1 - gradient.storage[index]) / bound)
    }
    return worst
}

/// |W| + δ entrywise (the magnitudes are increasing in |W|, so this covers W ± δ e_ij).
private func widened(_ w: Matrix, by delta: Double) -> Matrix {
    Matrix(rows: w.rows, columns: w.columns, storage: w.storage.map { abs($0) + delta })
}

@Suite struct GradientTests {
    @Test func populationLossMatchesExplicitFormula() throws {
        for (k, problem) in try problems().enumerated() {
            for m in [1, 5, 12, 15] {
                let w = randomWeights(12, m, seed: UInt64(10 * k + m), scale: 0.4)
                var objective = PopulationObjective(problem: problem, width: m)
                let fast = objective.loss(w), slow = naivePopulationLoss(w, problem)
                let bound = lossPairRoundings(d: 12, m: m) * eps * populationMagnitudes(w, problem).loss
                #expect(abs(fast - slow) <= bound, "problem \(k), m \(m)")
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
                // A random W is not diagonal: gradient(_:into:) returns the loss through the same
                // pieces(w) + lossFromPieces code as loss(_:), on the same BLAS kernel: equal bits.
                #expect(value == objective.loss(w))
                var probe = objective
                let magnitudes = populationMagnitudes(widened(w, by: 2e-5), problem)
                let gradientBound = Matrix(rows: 12, columns: m,
                                           storage: magnitudes.gradient.storage.map { gradientRoundings(d: 12, m: m) * eps * $0 })
                let excess = finiteDifferenceExcess(w, gradient: g, gradientBound: gradientBound, magnitude: magnitudes.loss,
                                                    roundings: lossRoundings(d: 12, m: m)) { probe.loss($0) }
                #expect(excess < 1, "problem \(k), m \(m): error / bound \(excess)")
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
            // Loss against an explicit per-sample loop over the same data (redrawn: x is formed
            // with the same two roundings, √σ · gaussian, so the samples are bit-identical).
            var replay = Xoshiro256(seed: UInt64(k))
            let xs = (0..<n).map { _ in problem.spectrum.map { $0.squareRoot() * replay.gaussian() } }
            var direct = 0.0, magnitude = 0.0
            // Per-sample magnitudes at |W| + 2h (the probes' worst case) for the bounds below:
            // f_abs = Σ_j (|w_j|ᵀ|x|)², y_abs = (|θ|ᵀ|x|)².
            let wide = widened(w, by: 2e-5)
            var fAbs = [Double](), yAbs = [Double]()
            for x in xs {
                var f = 0.0, fa = 0.0
                for j in 0..<m {
                    var dot = 0.0, dotAbs = 0.0
                    for i in 0..<12 { dot += w[i, j] * x[i]; dotAbs += wide[i, j] * abs(x[i]) }
                    f += dot * dot
                    fa += dotAbs * dotAbs
                }
                var t = 0.0, ta = 0.0
                for i in 0..<12 { t += problem.teacher[i] * x[i]; ta += abs(problem.teacher[i] * x[i]) }
                direct += (f - t * t) * (f - t * t)
                magnitude += (fa + ta * ta) * (fa + ta * ta)
                fAbs.append(fa); yAbs.append(ta * ta)
            }
            direct /= 4 * Double(n)
            magnitude /= 4 * Double(n)
            // Rounding chain of L_n per route: XW (inner d) d, ‖z_i‖² m + 1, y = (θᵀx)² d + 1 and the
            // residual 1, its square 1, the n-term sum n, the 1/4n 2: d + m + n + 6; two routes.
            let lossChain = Double(12 + m + n + 6)
            #expect(abs(objective.loss(w) - direct) <= 2 * lossChain * eps * magnitude)
            var g = Matrix(rows: 12, columns: m)
            objective.gradient(w, into: &g)
            // ∇L_n = (1/n) Σ_i r_i x_i x_iᵀ W: residual chain d + m + 2, r ⊙ z 1, gemm inner n, 1/n 1;
            // its magnitude (1/n) Σ_i (f_abs + y_abs)_i |x_i| (|x_i|ᵀ|W|).
            let gradientBound = Matrix(rows: 12, columns: m) { i, j in
                var sum = 0.0
                for (r, x) in xs.enumerated() {
                    var dotAbs = 0.0
                    for l in 0..<12 { dotAbs += wide[l, j] * abs(x[l]) }
                    sum += (fAbs[r] + yAbs[r]) * abs(x[i]) * dotAbs
                }
                return Double(12 + m + n + 4) * eps * sum / Double(n)
            }
            var probe = objective
            let excess = finiteDifferenceExcess(w, gradient: g, gradientBound: gradientBound, magnitude: magnitude,
                                                roundings: lossChain) { probe.loss($0) }
            #expect(excess < 1, "problem \(k): error / bound \(excess)")
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
                // Two routes of the same polynomial: the sum of their rounding chains times the
                // |·| magnitudes (entry by entry for the gradient).
                let magnitudes = populationMagnitudes(w, problem)
                let lossBound = lossPairRoundings(d: 12, m: m) * eps * magnitudes.loss
                #expect(abs(lf - ls) <= lossBound)
                #expect(abs(fast.loss(w) - naivePopulationLoss(w, problem)) <= lossBound)
                for index in gf.storage.indices {
                    let bound = 2 * gradientRoundings(d: 12, m: m) * eps * magnitudes.gradient.storage[index]
                    #expect(abs(gf.storage[index] - gs.storage[index]) <= bound, "entry \(index)")
                }
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
