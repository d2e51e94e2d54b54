import Foundation
import Testing
import Comparison
@testable import Experiments
import Model
import NumericKit
import Simulation
import SpecgdSupport
import TestSupport
@testable import Theory

/// check-escape's per-seed theory and predicted spread (issue 20 §1–§2; docs/compare.md
/// "Per-seed theory in check-escape").
@Suite struct CheckEscapeSeedTheoryTests {
    static func request(initialization: Initialization, seeds: Int, dimension: Int = 12) -> CheckEscapeRequest {
        CheckEscapeRequest(lambdas: [8], dimension: dimension,
                           simulation: .init(initialization: initialization, seeds: seeds, seed: 20))
    }

    /// From W₀ = αI every seed's dense run stays on the invariant manifold, its projected start
    /// is α in every group up to the projection's rounding (a sum of p_g squares, a division and
    /// a √: γ_{p+3}·α, below the rotated start's 2dε·α that `denseVersusMapBound(path: .rotated)`
    /// carries), so the map from the seed's start and the seed's simulation differ by the
    /// dense-vs-map error model alone (TestSupport/ManifoldErrorModel.swift; the rotated path's
    /// terms bound the diagonal fast path's). Every max |Δ| to escape check-escape reports is
    /// within that bound, on both BLAS kernels; the escape steps agree wherever the bound cannot
    /// move the crossing of a_esc.
    @Test(arguments: [Method.gd, .specgd])
    func fromTheIdentityEachSeedIsTheMapWithinItsErrorModel(method: Method) throws {
        let request = Self.request(initialization: .identity, seeds: 2)
        let result = try CheckEscapeExperiment.run(request)
        let entry = try #require(result.summary.seedTheory?.first { $0.method == method.rawValue })
        let seeds = try #require(entry.seeds)
        #expect(seeds.count == 2 && entry.note == nil)
        let config = try request.theoryConfiguration(method, lambda: 8)
        let model = try config.model()
        let groups = model.groups.map { ManifoldGroup(sigma: $0.eigenvalue, multiplicity: Double($0.multiplicity), target: $0.target) }
        for seed in seeds {
            for s in seed.start { #expect(abs(s - config.alpha) <= gammaBound(Double(config.dimension + 3)) * config.alpha) }
            var trajectory: [[Double]] = []
            _ = try DiscreteMap(model: model, method: method, learningRate: config.learningRate)
                .iterate(from: seed.start, steps: config.steps) { _, s in trajectory.append(s) }
            let bound = denseVersusMapBound(groups: groups, dimension: config.dimension, spectral: method == .specgd,
                                            learningRate: config.learningRate, alpha: config.alpha, path: .rotated,
                                            trajectory: trajectory)
            #expect(bound.signMargin > 1, "sign margin \(bound.signMargin)")
            let escape = try #require(seed.escapeStepSimulation)
            let upTo = 0...escape
            for (name, allowed) in [("a", bound.a), ("b", bound.b), ("c", bound.c)] {
                let worst = upTo.map { allowed[$0] }.max()!
                #expect(try #require(seed.upToEscape[name]) <= worst, "seed \(seed.seed) \(name): bound \(worst)")
            }
            // The crossing cannot move when a is farther from a_esc than its bound on both sides of it.
            let a = trajectory.map { abs($0[0]) }, threshold = config.escapeThreshold
            if escape > 0, abs(a[escape] - threshold) > bound.a[escape], abs(a[escape - 1] - threshold) > bound.a[escape - 1] {
                #expect(seed.escapeStepTheory == escape)
            }
        }
        // The identity's law has one point: the predicted spread is the map from αI itself.
        let spread = try #require(entry.spread)
        #expect(spread.prediction.escaped == spread.prediction.draws)
    }

    /// One path: check-escape's per-seed rows and spread are compare's for the same map and dense
    /// runs (the same seeds, draws and functions: `SeedTheory`, `SeedComparison.measure`,
    /// `SeedTheory.predictedSpread`), so they are equal bit for bit, on any kernel.
    @Test(arguments: [Method.gd, .specgd])
    func checkEscapeReportsWhatCompareReports(method: Method) throws {
        let request = Self.request(initialization: .gaussian, seeds: 3, dimension: 16)
        let entry = try #require(try CheckEscapeExperiment.run(request).summary.seedTheory?.first { $0.method == method.rawValue })
        let compare = CompareRequest(methods: [method], theory: try request.theoryConfiguration(method, lambda: 8),
                                     simulation: try #require(try request.simulationConfiguration(method, lambda: 8)),
                                     seedSpread: SeedSpreadSettings())
        let report = try CompareExperiment.run(compare).summary.methods[0]
        #expect(entry.seeds == report.seeds)
        #expect(entry.spread == report.spread)
    }

    /// The request's settings reach every predicted spread and the record, and compare with the
    /// same settings predicts the same spread (one `SeedSpreadSettings` for both).
    @Test func theLawDrawsReachEverySpreadAndTheRecord() throws {
        var request = Self.request(initialization: .gaussian, seeds: 2)
        request.seedSpread = SeedSpreadSettings(lawDraws: 40)
        let result = try CheckEscapeExperiment.run(request)
        let entries = try #require(result.summary.seedTheory)
        #expect(entries.count == 2 && entries.allSatisfy { $0.spread?.prediction.draws == 40 })
        #expect(result.configuration.seedSpread.lawDraws == 40)
        let method = Method.specgd
        let compare = CompareRequest(methods: [method], theory: try request.theoryConfiguration(method, lambda: 8),
                                     simulation: try #require(try request.simulationConfiguration(method, lambda: 8)),
                                     seedSpread: request.seedSpread)
        #expect(try CompareExperiment.run(compare).summary.methods[0].spread == entries.first { $0.method == method.rawValue }?.spread)
        request.seedSpread.lawDraws = 1
        #expect(throws: InputError.self) { try CheckEscapeExperiment.run(request) }
    }

    /// The files and the record: seeds.csv (one row per λ, method and seed) and spread.csv (three
    /// rows per λ and method), `seedTheory` in the summary; none of them without dense runs.
    @Test func filesAndRecord() throws {
        let request = Self.request(initialization: .gaussian, seeds: 2)
        let result = try CheckEscapeExperiment.run(request)
        let tables = result.output.tables
        let seeds = try #require(tables[CheckEscapeExperiment.seedsFile])
        #expect(Array(seeds.columns.prefix(4)) == ["lambda", "is_specgd", "seed", "escape_step_sim"])
        #expect(seeds.columns.suffix(3) == ["start_a", "start_b", "start_c"])
        #expect(seeds.rows.count == 2 * 2)
        let spread = try #require(tables[CheckEscapeExperiment.spreadFile])
        #expect(spread.columns == ["lambda", "is_specgd", "quantity_code", "predicted_q10", "predicted_q50", "predicted_q90",
                                   "measured_q10", "measured_q50", "measured_q90"])
        #expect(spread.rows.count == 2 * 3)
        #expect(result.summary.seedTheory?.count == 2)

        var mapOnly = request
        mapOnly.simulation = nil
        let map = try CheckEscapeExperiment.run(mapOnly)
        #expect(map.summary.seedTheory == nil)
        #expect(map.output.tables[CheckEscapeExperiment.seedsFile] == nil && map.output.tables[CheckEscapeExperiment.spreadFile] == nil)
    }

    /// Few seeds are read for what they are: a failed median check prints the probability that
    /// a law that holds fails it at that many seeds (`SpreadCheck.medianFalseAlarm`, 1.7 % at 5),
    /// a failed width check its bootstrap's 5 %; below 5 seeds the median check is not made
    /// (its false-alarm bound passes 5 %); the same line in compare and check-escape
    /// (`SeedSpread.checkLine`).
    @Test func aFailedMedianCheckPrintsItsFalseAlarmProbability() throws {
        let draws = (0..<400).map { 700 + Double($0 % 40) }
        let few = SpreadCheck.check(measured: [900, 910, 905], draws: draws)
        #expect(few.medianInside == nil && few.medianNotCheckable?.contains("at 3 seeds") == true, "\(String(describing: few.medianNotCheckable))")
        let check = SpreadCheck.check(measured: [900, 910, 905, 902, 908], draws: draws)
        #expect(check.medianInside == false)
        let law = StartLaw(initialization: .gaussian, width: 12, alpha: 1e-3)
        let prediction = SpreadPrediction(law: law, draws: 400, escaped: 400, escapeStep: SpreadQuantiles(draws),
                                          ratioAtEscape: nil, peakAmplification: nil, escapeSteps: draws)
        let spread = SeedSpread(prediction: prediction, measuredEscapeStep: SpreadQuantiles([900, 910, 905, 902, 908]),
                                measuredRatioAtEscape: nil, measuredPeakAmplification: nil, escapeCheck: check)
        let line = try #require(spread.checkLine)
        #expect(line.contains("median inside predicted q10–q90: NO (a law that holds fails this with probability 1.712 % at 5 seeds)"), "\(line)")
        var fewSpread = spread
        fewSpread.escapeCheck = few
        let fewLine = try #require(fewSpread.checkLine)
        #expect(fewLine.contains("median inside predicted q10–q90: not checkable (at 3 seeds a law that holds fails it with probability 5.6 % > 5 %; needs 5 seeds or more)"), "\(fewLine)")
        // A width that disagrees says its own chance rate (the bootstrap's 1 − level).
        var wide = spread
        wide.escapeCheck = SpreadCheck.check(measured: [700, 739, 720, 710, 730], draws: draws.map { 719.5 + 0.01 * ($0 - 719.5) })
        #expect(wide.escapeCheck.widthAgrees == false)
        let wideLine = try #require(wide.checkLine)
        #expect(wideLine.hasSuffix("(95 % bootstrap): NO (a law that holds fails this with probability 5 %)"), "\(wideLine)")
    }
}
