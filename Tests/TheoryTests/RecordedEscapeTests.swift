import Testing
import SpecgdSupport
import Model
@testable import Theory

/// A trajectory recorded every step and measured afterwards must give exactly the metrics
/// the live map path measures while it runs (the sweep's simulate mode relies on this).
@Suite struct RecordedEscapeTests {
    @Test(arguments: [Method.gd, .specgd], [1.0, 8.0])
    func recordedTableMatchesLiveMeasurement(method: Method, lambda: Double) throws {
        let config = TheoryConfiguration(method: method, lambda: lambda, dimension: 200, alpha: 1e-3,
                                         learningRate: 1e-3, steps: 4000, every: 1, escapeThreshold: 0.5)
        let table = try runTheory(config).table
        let model = try GroupedModel.spiked(lambda: lambda, dimension: 200)
        let live = try DiscreteMap(model: model, method: method, learningRate: 1e-3)
            .escapeMetrics(from: model.identityStart(alpha: 1e-3), steps: 4000, threshold: 0.5)
        let recorded = try EscapeTracker.metrics(of: table, threshold: 0.5)
        #expect(recorded == live)
        #expect(recorded.escapeStep != nil)
    }

    @Test func missingColumnIsAnInputError() throws {
        let table = Table(columns: ["step", "a"], rows: [[0, 0.1]])
        #expect(throws: InputError("the trajectory has no 'b' column")) {
            try EscapeTracker.metrics(of: table, threshold: 0.5)
        }
    }
}
