import Foundation
import SpecgdSupport
import Model
import Theory

/// The (λ, η̃) phase diagram used by `scripts/bench-all`: escape metrics of the exact spiked map
/// for every cell of an n×n grid, computed in-process so the timing is the computation alone
/// (a shell loop over `specgd theory` would time process start-up). λ_i = 16(i+1)/n,
/// lr_j = 10^(−3 + j/(n−1)) (η̃ ∈ [1e-3, 1e-2]); the CSV lists every cell's λ and lr so the
/// reference implementations read exactly the same inputs.
enum PhaseGridBenchmark {
    static func lambdas(_ n: Int) -> [Double] { (0..<n).map { 16 * Double($0 + 1) / Double(n) } }
    static func rates(_ n: Int) -> [Double] {
        (0..<n).map { pow(10, -3 + Double($0) / Double(max(n - 1, 1))) }
    }

    /// `batched`: one `DiscreteMap.escapeMetrics(model:method:learningRates:…)` per λ row (all
    /// η̃ at once); false: `escapeMetrics` cell by cell (the same numbers, slower).
    /// Every cell's metrics, row-major over (λ, lr), as a table with columns
    /// lambda, lr, escape_step (−1: none), a, b, alignment (at escape), final_alignment, final_loss.
    static func run(size n: Int, method: Method, dimension: Int, alpha: Double, steps: Int,
                           threshold: Double, batched: Bool = true) throws -> Table {
        try Validate.atLeast(n, 2, "phase grid size")
        var table = Table(columns: ["lambda", "lr", "escape_step", "a", "b", "alignment", "final_alignment", "final_loss"])
        for lambda in lambdas(n) {
            let model = try GroupedModel.spiked(lambda: lambda, dimension: dimension)
            let start = model.identityStart(alpha: alpha)
            let lrs = rates(n)
            let metrics = batched
                ? try DiscreteMap.escapeMetrics(model: model, method: method, learningRates: lrs, from: start,
                                                steps: steps, threshold: threshold)
                : try lrs.map { try DiscreteMap(model: model, method: method, learningRate: $0)
                                    .escapeMetrics(from: start, steps: steps, threshold: threshold) }
            for (lr, m) in zip(lrs, metrics) {
                table.append([lambda, lr, Double(m.escapeStep ?? -1), m.signalAtEscape ?? .nan, m.spikeAtEscape ?? .nan,
                              m.alignmentAtEscape ?? .nan, m.finalAlignment, m.finalLoss])
            }
        }
        return table
    }
}
