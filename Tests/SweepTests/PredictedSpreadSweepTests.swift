import Testing
import Model
import Simulation
import SpecgdSupport
@testable import Sweep
import Theory

/// The `predicted_escape_spread` metric: the law of W₀ through the exact map, per cell.
@Suite struct PredictedSpreadSweepTests {
    static let point = ModelPoint(method: .gd, lambda: 8, dimension: 64, alpha: 1e-2, learningRate: 2e-3, steps: 900,
                                  escapeThreshold: 0.5, seed: 5)

    /// A cell's value is `SpreadPrediction`'s q90 − q10 for the cell's law (Gaussian, m = d by
    /// default), seed and stream 1, bit for bit, alone and in a batched theory row.
    @Test func metricIsTheLawsBand() throws {
        // The cell's law by hand: `point`'s model, optimizer, start law, seed and stream 1.
        func direct(draws: Int) throws -> SpreadPrediction {
            try SpreadPrediction.predict(
                model: try GroupedModel.spiked(lambda: 8, dimension: 64), optimizer: Optimizer(method: .gd), learningRate: 2e-3,
                steps: 900, threshold: 0.5, law: StartLaw(initialization: .gaussian, width: 64, alpha: 1e-2),
                draws: draws, seed: 5, stream: 1)
        }
        let width = try #require(try direct(draws: SeedSpreadSettings.defaultSweepLawDraws).escapeStep).width
        #expect(width > 0)
        #expect(try TheoryEvaluator().evaluate(Self.point, metrics: [.predictedEscapeSpread]) == [width])
        var other = Self.point
        other.learningRate = 3e-3
        let row = try TheoryEvaluator().outcomes([Self.point, other], metrics: [.escapeStep, .predictedEscapeSpread], ratio: .paper)
        #expect(row[0].values[1] == width)
        // αI has no spread; an orthogonal square W₀ has every row of norm α: none either.
        for initialization in [Initialization.identity, .orthogonal] {
            var fixed = Self.point
            fixed.initialization = initialization
            #expect(try TheoryEvaluator().evaluate(fixed, metrics: [.predictedEscapeSpread]) == [0])
        }
        // --law-draws N: the cell draws N, the same draws as SpreadPrediction's with N (a
        // different band from the default's: the quantiles of other samples).
        var fewer = Self.point
        fewer.lawDraws = 50
        let fiftyWidth = try #require(try direct(draws: 50).escapeStep).width
        #expect(fiftyWidth != width)
        #expect(try TheoryEvaluator().evaluate(fewer, metrics: [.predictedEscapeSpread]) == [fiftyWidth])
        // A budget too short for every draw to escape has no value (docs/model.md §7).
        var short = Self.point
        short.steps = 100
        #expect(try TheoryEvaluator().evaluate(short, metrics: [.predictedEscapeSpread])[0].isNaN)
    }

    /// `--law-draws` reaches the cells through the configuration, is kept in sweep.json only
    /// when it is not the default (a default sweep's record keeps its bytes), and a resume with
    /// another count is refused, naming it.
    @Test func lawDrawsAreRecordedAndResumeChecksThem() throws {
        let grid = try Grid.parse(["lambda=8"], mode: .theory)
        var configuration = SweepConfiguration(mode: .theory, metrics: [.predictedEscapeSpread], grid: grid, base: Self.point)
        try configuration.setLawDraws(200)
        #expect(configuration.base.lawDraws == nil)
        let defaultBytes = try JSONOutput.encode(configuration)
        #expect(!String(decoding: defaultBytes, as: UTF8.self).contains("lawDraws"))
        var fifty = configuration
        try fifty.setLawDraws(50)
        #expect(fifty.point(at: 0).lawDraws == 50)
        #expect(String(decoding: try JSONOutput.encode(fifty), as: UTF8.self).contains("\"lawDraws\" : 50"))
        #expect(fifty.differences(from: configuration).joined().contains("lawDraws"))
        var escapeOnly = SweepConfiguration(mode: .theory, metrics: [.escapeStep], grid: grid, base: Self.point)
        #expect(throws: InputError.self) { try escapeOnly.setLawDraws(50) }
        #expect(throws: InputError.self) { try configuration.setLawDraws(1) }
    }
}
