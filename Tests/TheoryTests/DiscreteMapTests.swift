import Testing
import Model
@testable import Theory
import SpecgdSupport
import TestSupport

/// An independent, literal transcription of docs/model.md §3 (spiked case), used as the
/// reference the grouped code path must reproduce.
private func referenceStep(_ state: (Double, Double, Double), lambda: Double, p: Double,
                           lr: Double, spectral: Bool) -> (Double, Double, Double) {
    let (a, b, c) = state
    let t = (a * a - 1) + (1 + lambda) * b * b + p * c * c
    let ga = a * (2 * (a * a - 1) + t)
    let gb = (1 + lambda) * b * (2 * (1 + lambda) * b * b + t)
    let gc = c * (2 * c * c + t)
    func sign(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }
    if spectral { return (a - lr * sign(ga), b - lr * sign(gb), c - lr * sign(gc)) }
    return (a - lr * ga, b - lr * gb, c - lr * gc)
}

@Suite struct DiscreteMapTests {
    @Test(arguments: [Method.gd, .specgd], [0.0, 1.0, 8.0, -0.5])
    func matchesIndependentTranscription(method: Method, lambda: Double) throws {
        let d = 50
        let model = try GroupedModel.spiked(lambda: lambda, dimension: d)
        let lr = method == .gd ? 0.01 : 1e-3
        let map = try DiscreteMap(model: model, method: method, learningRate: lr)
        var reference = (0.01, 0.01, 0.01)
        var worst = 0.0
        _ = try map.iterate(from: model.identityStart(alpha: 0.01), steps: 3000) { k, s in
            if k > 0 { reference = referenceStep(reference, lambda: lambda, p: Double(d - 2), lr: lr, spectral: method == .specgd) }
            worst = max(worst, relativeDifference(s[0], reference.0), relativeDifference(s[1], reference.1),
                        relativeDifference(s[2], reference.2))
        }
        // Iterated map, ε · steps · growth: per step each side rounds its update once (≤ ε/2
        // relative) and, for GD, its gradient (≤ 10 roundings) scaled by η̃|g|/|s| ≤ 0.05 here:
        // ≤ 2 ε apart per step; the map carries relative perturbations with factor 1 + O(η̃),
        // i.e. linearly over these 3000 steps (SpecGD's ±η updates agree bit for bit while the
        // signs agree, which the starting margin guarantees).
        #expect(worst <= 3000 * 2 * eps, "\(worst)")
    }

    @Test func handComputedFirstStep() throws {
        // λ = 1, d = 4 (p = 2), a = b = c = 1/2, η̃ = 0.1:
        // T = (1/4 − 1) + 2·1/4 + 2·1/4 = 1/4; g_a = ½(2·(−¾) + ¼) = −5/8;
        // g_b = 2·½(2·2·¼ + ¼) = 5/4; g_c = ½(2·¼ + ¼) = 3/8.
        let model = try GroupedModel.spiked(lambda: 1, dimension: 4)
        let s = [0.5, 0.5, 0.5]
        #expect(model.trace(s) == 0.25)
        #expect(model.gradient(s) == [-0.625, 1.25, 0.375])
        var state = s
        var scratch = [0.0, 0.0, 0.0]
        try DiscreteMap(model: model, method: .gd, learningRate: 0.1).step(&state, gradient: &scratch)
        // s − 0.1·g: 0.1 itself, the product and the difference round once each (≤ ε/2 of a
        // value < 1): within 3 ε/2 of the exact decimal result.
        let step = 1.5 * eps
        #expect(abs(state[0] - 0.5625) < step && abs(state[1] - 0.375) < step && abs(state[2] - 0.4625) < step)
        state = s
        try DiscreteMap(model: model, method: .specgd, learningRate: 0.1).step(&state, gradient: &scratch)
        #expect(state == [0.6, 0.4, 0.4])
        // L = ¼(2[(¼−1)² + 4·1/16 + 2·1/16] + 1/16) = ¼(2·(9/16 + 6/16) + 1/16) = 31/64.
        // Dyadic inputs (½, λ = 1, p = 2): ≲ 16 roundings of terms < 1, ≤ 8 ε (exact in practice).
        #expect(abs(model.loss(s) - 31.0 / 64.0) < 8 * eps)
    }

    @Test func teacherIsAFixedPointWithZeroLoss() throws {
        let model = try GroupedModel.spiked(lambda: 5, dimension: 10)
        let teacher = [1.0, 0.0, 0.0]
        #expect(model.loss(teacher) == 0)
        #expect(model.gradient(teacher) == [0, 0, 0])
        for method in Method.paperMethods {
            let end = try DiscreteMap(model: model, method: method, learningRate: 0.05).final(from: teacher, steps: 100)
            #expect(end == teacher)
        }
        #expect(model.alignment(teacher) == 1)
    }

    @Test func isotropicSpikeMovesLikeTheBulk() throws {
        // λ = 0: the spike direction is just another bulk direction, so b ≡ c for all steps.
        let model = try GroupedModel.spiked(lambda: 0, dimension: 20)
        let map = try DiscreteMap(model: model, method: .gd, learningRate: 0.02)
        _ = try map.iterate(from: [0.1, 0.3, 0.3], steps: 500) { _, s in #expect(s[1] == s[2]) }
    }

    @Test func divergenceNamesTheStep() throws {
        let model = try GroupedModel.spiked(lambda: 1, dimension: 10)
        let map = try DiscreteMap(model: model, method: .gd, learningRate: 5)
        #expect(throws: DivergenceError.self) { try map.final(from: model.identityStart(alpha: 1), steps: 1000) }
        do { _ = try map.final(from: model.identityStart(alpha: 1), steps: 1000) } catch let error as DivergenceError {
            #expect(error.step > 0 && error.step < 1000)
        }
    }

    @Test func badInput() {
        #expect(throws: InputError("lambda must be > -1 so that Σ = I + λvvᵀ is positive definite (got -1.0)")) {
            try GroupedModel.spiked(lambda: -1, dimension: 10)
        }
        #expect(throws: InputError.self) { try GroupedModel.spiked(lambda: 1, dimension: 2) }
        #expect(throws: InputError.self) { try GroupedModel.spiked(lambda: .nan, dimension: 10) }
        #expect(throws: InputError.self) {
            try DiscreteMap(model: GroupedModel.spiked(lambda: 1, dimension: 10), method: .gd, learningRate: 0)
        }
    }
}
