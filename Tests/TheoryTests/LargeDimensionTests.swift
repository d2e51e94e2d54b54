import Foundation
import Testing
@testable import Theory

@Suite struct LargeDimensionTests {
    /// At finite p the (a, b, q) map is exact: it must reproduce the (a, b, c) map with q = p c².
    @Test(arguments: [Method.gd, .specgd])
    func finitePMapIsTheExactMapInBulkMass(method: Method) throws {
        let d = 200, lambda = 8.0, alpha = 0.01
        let p = Double(d - 2)
        let model = try GroupedModel.spiked(lambda: lambda, dimension: d)
        let eta = method == .gd ? 0.01 : 1e-3
        var exact: [[Double]] = []
        _ = try DiscreteMap(model: model, method: method, learningRate: eta).iterate(from: model.identityStart(alpha: alpha), steps: 600) { _, s in exact.append(s) }
        let lr = method == .gd ? eta : eta * p.squareRoot()
        let large = try LargeDimensionMap(lambda: lambda, method: method, learningRate: lr, bulkCount: p)
        var worst = 0.0
        try large.iterate(a: alpha, b: alpha, q: p * alpha * alpha, steps: 600) { k, a, b, q in
            let s = exact[k]
            worst = max(worst, abs(a - s[0]), abs(b - s[1]), abs(q - p * s[2] * s[2]) / max(1, q))
        }
        #expect(worst < 1e-12, "\(worst)")
    }

    /// Finite d approaches the d → ∞ limit: with q₀ fixed (α = √(q₀/p)) and η = η₀/√p for
    /// SpecGD, the max distance in q over the run decreases as d grows (measured trend).
    @Test(arguments: [Method.gd, .specgd])
    func finiteDimensionApproachesTheLimit(method: Method) throws {
        let lambda = 8.0, q0 = 0.05
        let lr = method == .gd ? 0.01 : 2e-3
        let steps = method == .gd ? 300 : 400
        let distances = try LargeDimensionMap.distances(method: method, lambda: lambda, q0: q0, learningRate: lr, steps: steps,
                                                        dimensions: [100, 1000, 10_000, 100_000]).map(\.maximumDistance)
        for i in 1..<distances.count { #expect(distances[i] < distances[i - 1], "\(method): \(distances)") }
        #expect(distances.last! < 0.1 * distances.first!, "\(method): \(distances)")
    }
}
