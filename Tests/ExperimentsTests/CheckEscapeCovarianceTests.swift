import Foundation
import Testing
import Comparison
import Experiments
import SpecgdSupport
import Model
import Theory

/// check-escape on every covariance (docs/compare.md "Other covariances", docs/model.md §5
/// "Several spikes"): the closed forms that hold are checked on the exact map, the others are
/// "not checkable" with the reason, and each is justified here against the map itself.
@Suite struct CheckEscapeCovarianceTests {
    static func request(spikes: [Double]?, lambdas: [Double], simulation: CheckEscapeRequest.DenseRuns? = nil) -> CheckEscapeRequest {
        var r = CheckEscapeRequest(lambdas: lambdas, dimension: 32, simulation: simulation)
        r.experiment.spikes = spikes
        return r
    }

    static func rows(_ result: CheckEscapeResult, _ method: String, _ quantity: String, source: EscapeSource = .theoryMap) -> [EscapeCheckRow] {
        result.rows.filter { $0.method == method && $0.quantity == quantity && $0.source == source }
    }

    /// The leading spike the strongest: GD's amplification against ρ(λ₁)^k and SpecGD's rows hold
    /// on the map; each run is the single theory run of its experiment (λ replacing spike 1).
    @Test(arguments: [[8.0, 2], [16, 4, 1]])
    func severalSpikesWithTheLeadingOneStrongest(_ spikes: [Double]) throws {
        let request = Self.request(spikes: spikes, lambdas: [spikes[0], 2 * spikes[0]])
        let result = try CheckEscapeExperiment.run(request)
        #expect(result.summary.failed == 0, "\(EscapeCheck.report(result.rows))")
        for quantity in ["amplification"] { #expect(Self.rows(result, "gd", quantity).allSatisfy { $0.status == .pass }) }
        for quantity in ["amplification", "escape_step"] { #expect(Self.rows(result, "specgd", quantity).allSatisfy { $0.status == .pass }) }
        #expect(Self.rows(result, "gd", "ratio_at_escape").allSatisfy { $0.status == .notCheckable && $0.reason!.contains("several spikes") })
        for lambda in request.lambdas {
            var theory = try request.theoryConfiguration(.gd, lambda: lambda)
            #expect(theory.spikes == [lambda] + spikes.dropFirst())
            theory.every = theory.steps
            let single = try runTheory(theory).summary.escape
            let measured = try #require(Self.rows(result, "gd", "ratio_at_escape").first { $0.lambda == lambda }).measured
            #expect(single.escapeStep != nil)
            // b/a at escape: |b_escape/a_escape| of the same map.
            #expect(abs(measured - single.amplification! * 1) < 1e-12)
        }
    }

    /// Why ratio_at_escape is not checked with several spikes: two spikes both above λ_c each
    /// saturate at 2(1+λ_k)b_k² + T = 0, so b*² = (1 − a² − q)/(4(1+λ)) instead of the one-spike
    /// /(3(1+λ)): the one-spike formula misses by more than its tolerance, the two-spike one
    /// lands within it.
    @Test func theOneSpikeSaturationFailsWithTwoSaturatedSpikes() throws {
        let result = try CheckEscapeExperiment.run(Self.request(spikes: [16, 16], lambdas: [16]))
        let row = try #require(Self.rows(result, "gd", "ratio_at_escape").first)
        #expect(row.status == .notCheckable)
        let tolerance = EscapeTolerances().saturation
        #expect(abs(row.measured / row.predicted - 1) > tolerance)
        #expect(abs(row.measured / (row.predicted * (3.0 / 4).squareRoot()) - 1) < tolerance)
    }

    /// A later spike stronger than the leading one leaves the linear regime first: ρ(λ₁)^k misses
    /// the measured amplification by far more than its tolerance, so the row is not checkable,
    /// naming the spike; SpecGD's rows still hold (every coefficient moves by ±η).
    @Test func aStrongerLaterSpikeMakesGDsWindowUncheckable() throws {
        let result = try CheckEscapeExperiment.run(Self.request(spikes: [4, 16], lambdas: [4]))
        let row = try #require(Self.rows(result, "gd", "amplification").first)
        #expect(row.status == .notCheckable && row.reason!.contains("spike 2 (λ = 16)"))
        #expect(abs(row.relativeError) > 10 * EscapeTolerances().amplification)
        #expect(Self.rows(result, "specgd", "escape_step").first?.status == .pass)
        #expect(Self.rows(result, "specgd", "amplification").first?.status == .pass)
    }

    /// A power law: every closed form is "not checkable: no closed form for this covariance",
    /// the simulations' escape steps are still measured against their theory map, the map's
    /// escape step is the single theory run's, there is no λ figure, per-seed theory runs on its
    /// groups, and the record round-trips.
    @Test func powerLawChecksOnlyTheoryAgainstSimulation() throws {
        var request = CheckEscapeRequest(lambdas: [], dimension: 12, steps: 3000, simulation: .init(seeds: 2))
        request.experiment.covariance = .powerLaw
        request.experiment.beta = 1
        request.experiment.signalIndex = 3
        try request.validate()
        let result = try CheckEscapeExperiment.run(request)
        let none = "no closed form for this covariance (power-law)"
        let closedForms = result.rows.filter { !($0.source == .simulation && $0.quantity == "escape_step") }
        #expect(closedForms.allSatisfy { $0.status == .notCheckable && $0.reason == none }, "\(EscapeCheck.report(result.rows))")
        let measured = Self.rows(result, "gd", "escape_step", source: .simulation) + Self.rows(result, "specgd", "escape_step", source: .simulation)
        #expect(measured.count == 2 && measured.allSatisfy { $0.status != .notCheckable })
        for method in Method.paperMethods {
            var theory = try request.theoryConfiguration(method, lambda: .nan)
            #expect(theory.covariance == .powerLaw && theory.signalIndex == 3)
            theory.every = theory.steps
            let step = try runTheory(theory).summary.escape.escapeStep.map(Double.init)
            #expect(Self.rows(result, method.rawValue, "escape_step", source: .simulation).first?.predicted == step)
        }
        #expect(result.rows.allSatisfy { $0.lambda.isNaN })
        // No λ figure; per-seed theory runs on the power law's groups too (the start projects on them).
        #expect(Set(result.output.fileNames) == [CheckEscapeExperiment.tableFile, CheckEscapeExperiment.recordFile,
                                                 CheckEscapeExperiment.seedsFile, CheckEscapeExperiment.spreadFile])
        let groups = try TheoryConfiguration(request.experiment).model().count
        #expect(result.summary.seedTheory?.count == 2)
        #expect(result.summary.seedTheory?.allSatisfy { $0.lambda.isNaN && $0.seeds?.count == 2 && $0.seeds?.allSatisfy { $0.start.count == groups } == true } == true)
        // The dense runs read W through the map's groups, so every statistic is compared: b is the
        // map's spike (the largest non-signal eigen-direction) on both sides.
        for entry in result.summary.seedTheory ?? [] {
            #expect(entry.note == nil)
            #expect(entry.spread?.prediction.ratioAtEscape != nil && entry.spread?.measuredRatioAtEscape != nil)
            for seed in entry.seeds ?? [] {
                #expect(Set(seed.upToEscape.keys) == Set(SeedTheory.statistics))
                #expect(seed.ratioAtEscapeSimulation != nil && seed.peakAmplificationTheory != nil)
            }
        }
        let stored = try ExperimentsTests.roundTrip(result.configuration)
        #expect(stored == result.configuration && stored.covariance == .powerLaw && stored.signalIndex == 3)
        #expect(try CheckEscapeRequest(stored).configuration() == result.configuration)
        // λ has no meaning here: a list of λ is refused.
        request.lambdas = [8]
        #expect(throws: InputError.self) { try request.validate() }
    }

    /// The one-spike spiked check writes the configuration keys it always wrote (no covariance).
    @Test func theSpikedRecordKeepsItsKeys() throws {
        let configuration = try CheckEscapeRequest(lambdas: [8], dimension: 12, steps: 100, simulation: nil).configuration()
        let text = String(decoding: try JSONOutput.encode(configuration), as: UTF8.self)
        for key in ["covariance", "spikes", "beta", "signalIndex", "method", "steps\""] { #expect(!text.contains("\"\(key)"), "\(key)") }
        let twoSpikes = try Self.request(spikes: [8, 2], lambdas: [8]).configuration()
        let stored = try ExperimentsTests.roundTrip(twoSpikes)
        #expect(stored.spikes == [8, 2] && stored == twoSpikes)
    }
}
