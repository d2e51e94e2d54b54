import SpecgdSupport
import Testing
import Theory

/// The batched (many learning rates at once) escape metrics must be the per-cell ones, bit for bit.
@Suite struct BatchedEscapeTests {
    private func perCell(_ model: GroupedModel, _ method: Method, _ lrs: [Double], steps: Int) throws -> [EscapeMetrics] {
        try lrs.map {
            try DiscreteMap(model: model, method: method, learningRate: $0)
                .escapeMetrics(from: model.identityStart(alpha: 1e-3), steps: steps, threshold: 0.5)
        }
    }

    @Test(arguments: [Method.gd, .specgd])
    func batchedEqualsPerCell(method: Method) throws {
        let lrs = [1e-3, 2.5e-3, 1e-2, 3e-2]
        for model in [try GroupedModel.spiked(lambda: 8, dimension: 1000),
                      try GroupedModel.powerLaw(beta: 1, dimension: 40, signalIndex: 2)] {
            for steps in [0, 150, 2500] {  // 150: most cells have not escaped yet
                let batched = try DiscreteMap.escapeMetrics(model: model, method: method, learningRates: lrs,
                                                            from: model.identityStart(alpha: 1e-3), steps: steps)
                let expected = try perCell(model, method, lrs, steps: steps)
                #expect(batched == expected, "steps \(steps)")
            }
        }
        // The grid really contains both escaping and non-escaping cells.
        let spiked = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let mixed = try DiscreteMap.escapeMetrics(model: spiked, method: .gd, learningRates: lrs,
                                                  from: spiked.identityStart(alpha: 1e-3), steps: 1000)
        #expect(mixed.contains { $0.escapeStep == nil } && mixed.contains { $0.escapeStep != nil })
    }

    @Test func divergentCellThrowsTheSameError() throws {
        let model = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let start = model.identityStart(alpha: 1)
        let lrs = [1e-4, 0.5]
        var expected: DivergenceError?
        do { _ = try DiscreteMap(model: model, method: .gd, learningRate: 0.5).escapeMetrics(from: start, steps: 50) }
        catch let error as DivergenceError { expected = error }
        #expect(expected != nil)
        #expect(throws: DivergenceError.self) {
            _ = try DiscreteMap.escapeMetrics(model: model, method: .gd, learningRates: lrs, from: start, steps: 50)
        }
        do { _ = try DiscreteMap.escapeMetrics(model: model, method: .gd, learningRates: lrs, from: start, steps: 50) }
        catch let error as DivergenceError { #expect(error.step == expected?.step) }
    }
}
