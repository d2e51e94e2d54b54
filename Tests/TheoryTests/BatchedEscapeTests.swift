import SpecgdSupport
import Testing
import Model
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

/// The batched optimizer map (many learning rates at once) must be the per-cell
/// `OptimizerMap.escapeMetrics`, bit for bit, for every rule of the family.
@Suite struct BatchedOptimizerEscapeTests {
    static let optimizers: [Optimizer] = [
        .muon,
        Optimizer(method: .gd, momentum: 0.9, nesterov: true, weightDecay: 0.5),
        Optimizer(method: .specgd, polar: .ns3, newtonSchulzSteps: 7, weightDecay: 0.1, learningRateScale: .adamwRMS),
        Optimizer(method: .specgd, polar: .polarExpress, newtonSchulzSteps: 8, momentum: 0.9),
        Optimizer(method: .signgd, momentum: 0.9, nesterov: true),
        Optimizer(method: .adam, weightDecay: 0.01),
    ]

    @Test(arguments: optimizers)
    func batchedEqualsPerCell(optimizer: Optimizer) throws {
        let lrs = [1e-4, 1e-3, 2.5e-3, 1e-2]
        for model in [try GroupedModel.spiked(lambda: 8, dimension: 1000),
                      try GroupedModel.powerLaw(beta: 1, dimension: 40, signalIndex: 2)] {
            let start = model.identityStart(alpha: 1e-3)
            for steps in [0, 150, 2500] {  // 150: most cells have not escaped yet
                let batched = try OptimizerMap.escapeMetrics(model: model, optimizer: optimizer, learningRates: lrs,
                                                             from: start, steps: steps)
                let expected = try lrs.map {
                    try OptimizerMap(model: model, optimizer: optimizer, learningRate: $0).escapeMetrics(from: start, steps: steps)
                }
                #expect(batched == expected, "\(optimizer.method) \(model.count) groups, steps \(steps)")
            }
        }
    }

    /// The test can fail: the grid holds escaping and non-escaping cells, so a batch that
    /// stepped every cell with one learning rate would differ.
    @Test func gridMixesEscapeAndNoEscape() throws {
        let model = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let metrics = try OptimizerMap.escapeMetrics(model: model, optimizer: .muon, learningRates: [1e-4, 1e-2],
                                                     from: model.identityStart(alpha: 1e-3), steps: 600)
        #expect(metrics[0].escapeStep == nil && metrics[1].escapeStep != nil)
        #expect(try OptimizerMap.escapeMetrics(model: model, optimizer: .muon, learningRates: [],
                                               from: model.identityStart(alpha: 1e-3), steps: 10).isEmpty)
    }

    @Test func divergentCellThrowsTheSameError() throws {
        let model = try GroupedModel.spiked(lambda: 8, dimension: 1000)
        let start = model.identityStart(alpha: 1)
        let optimizer = Optimizer(method: .gd, momentum: 0.9)
        var expected: DivergenceError?
        do { _ = try OptimizerMap(model: model, optimizer: optimizer, learningRate: 0.5).escapeMetrics(from: start, steps: 50) }
        catch let error as DivergenceError { expected = error }
        #expect(expected != nil)
        do {
            _ = try OptimizerMap.escapeMetrics(model: model, optimizer: optimizer, learningRates: [1e-4, 0.5], from: start, steps: 50)
            Issue.record("no divergence")
        } catch let error as DivergenceError { #expect(error.step == expected?.step) }
        // Cell by cell: the calm cell keeps its metrics, the diverging one holds its own error.
        let results = try OptimizerMap.escapeResults(model: model, optimizer: optimizer, learningRates: [1e-4, 0.5], from: start, steps: 50)
        let calm = try OptimizerMap(model: model, optimizer: optimizer, learningRate: 1e-4).escapeMetrics(from: start, steps: 50)
        #expect(try results[0].get() == calm)
        #expect(throws: DivergenceError.self) { try results[1].get() }
        if case .failure(let error as DivergenceError) = results[1] { #expect(error.step == expected?.step) }
        let plain = try DiscreteMap.escapeResults(model: model, method: .gd, learningRates: [1e-4, 0.5], from: start, steps: 50)
        #expect(try plain[0].get() == (try DiscreteMap(model: model, method: .gd, learningRate: 1e-4).escapeMetrics(from: start, steps: 50)))
        #expect(throws: DivergenceError.self) { try plain[1].get() }
    }
}
