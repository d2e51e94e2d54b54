import Foundation
import Testing
import Comparison
import Experiments
import SpecgdSupport
import Model
import Theory

/// check-escape's predictions for the optimizer family (docs/model.md §6), on the exact map.
@Suite struct CheckEscapeFamilyTests {
    static func request(_ methods: [OptimizerPreset]?, lambdas: [Double] = [1, 8], dimension: Int = 32) -> CheckEscapeRequest {
        var r = CheckEscapeRequest(lambdas: lambdas, dimension: dimension, simulation: nil)
        r.methods = methods
        return r
    }

    @Test func everyFamilyPredictionHoldsOnTheMap() throws {
        let result = try CheckEscapeExperiment.run(Self.request(OptimizerPreset.all))
        // Every registered rule has its first step checked and its escape step not checkable (no
        // closed form, with the rule's reason), at each λ; every other prediction is checkable.
        let ruleRows = result.rows.filter { UpdateRules.named($0.method) != nil }
        #expect(result.summary.failed == 0 && result.summary.notCheckable == 2 * UpdateRules.all.count, "\(EscapeCheck.report(result.rows))")
        for rule in UpdateRules.all {
            let rows = ruleRows.filter { $0.method == rule.name }
            #expect(rows.map(\.quantity) == ["first_step", "escape_step", "first_step", "escape_step"], "\(rule.name)")
            #expect(rows.filter { $0.quantity == "escape_step" }.allSatisfy { $0.reason == rule.noPredictionReason })
        }
        let signgd = result.rows.filter { $0.method == "signgd" && $0.quantity == "trajectory_vs_specgd" }
        #expect(signgd.count == 2 && signgd.allSatisfy { $0.kind == .exact && $0.measured == 0 && $0.status == .pass })
        for name in ["ns3", "ns5", "polar-express", "muon"] {
            let rows = result.rows.filter { $0.method == name }
            #expect(rows.map(\.quantity) == ["first_step", "escape_step", "escape_step", "first_step", "escape_step", "escape_step"], "\(name)")
        }
        #expect(result.rows.filter { $0.method == "adam" }.map(\.quantity) == ["first_step", "first_step"])
        // --methods adds the method code column; the record stores the list.
        let table = try #require(result.output.tables[CheckEscapeExperiment.tableFile])
        #expect(table.columns.last == "method_code")
        #expect(result.configuration.methods == OptimizerPreset.all)
    }

    /// Without `methods` the check is the two-method one: no method column, no `methods` key.
    @Test func defaultKeepsTheTwoMethodOutputs() throws {
        let result = try CheckEscapeExperiment.run(Self.request(nil, lambdas: [8]))
        #expect(Set(result.rows.map(\.method)) == ["gd", "specgd"])
        #expect(result.output.tables[CheckEscapeExperiment.tableFile]?.columns.contains("method_code") == false)
        #expect(!String(decoding: try JSONOutput.encode(result.configuration), as: UTF8.self).contains("methods"))
    }

    /// Muon's quintic first move η·φ₅(x_a(0)) from the closed-form gradient, against a hand
    /// computation of x_a(0) at d = 32, λ = 8, α = 1e-3 (T, G_g and ‖G‖_F written out here).
    @Test func newtonSchulzFirstInputMatchesAHandComputation() throws {
        let a = 1e-3, s2 = a * a, lambda = 8.0
        let trace = (s2 - 1) + 9 * s2 + 30 * s2
        let ga = a * (2 * (s2 - 1) + trace), gb = 9 * a * (18 * s2 + trace), gc = a * (2 * s2 + trace)
        let x = abs(ga) / ((ga * ga + gb * gb + 30 * gc * gc).squareRoot() + 1e-7)
        let schedule = try #require(Optimizer(method: .specgd, polar: .ns5).schedule)
        #expect(EscapeAnalytics.newtonSchulzFirstInput(lambda: lambda, dimension: 32, alpha: a, schedule: schedule) == x)
        // x_a(0) ≈ 3/√(30 + 9 + 81) ≈ 0.274: inside the quintic's plateau band after 5 steps.
        #expect(abs(x - 3 / 120.0.squareRoot()) < 1e-3)
        let band = EscapeAnalytics.newtonSchulzMoveBand(schedule, from: x)
        #expect(band.min > 0.6 && band.max < 1.3 && band.min <= schedule.apply(1) && schedule.apply(1) <= band.max)
    }

    @Test func anExactCheckFailsOnAnyDifferenceAndOnNaN() throws {
        let theory = try runTheory(TheoryConfiguration(method: .signgd, lambda: 8, dimension: 32, steps: 20, every: 1))
        let m = try EscapeMeasurement.measure(theory.table, lambda: 8)
        let rows = EscapeCheck.familyRows(lambda: 8, method: "signgd", measurement: m, firstMove: 0, learningRate: 1e-3,
                                          threshold: 0.5, dimension: 32, optimizer: Optimizer(method: .signgd),
                                          trajectoryDifference: 1e-300)
        #expect(rows.first?.quantity == "trajectory_vs_specgd" && rows.first?.status == .fail)
        let nan = EscapeCheck.familyRows(lambda: 8, method: "signgd", measurement: m, firstMove: 0, learningRate: 1e-3,
                                         threshold: 0.5, dimension: 32, optimizer: Optimizer(method: .signgd), trajectoryDifference: nil)
        #expect(nan.first?.status == .fail)
    }

    /// A run without escape: not checkable while its budget is shorter than the slowest escape
    /// the band allows, FAIL once it ran past it (here: a rate of 1 claims escape within steps).
    @Test func noEscapeIsNotCheckableOnlyWithinTheBand() throws {
        let theory = try runTheory(TheoryConfiguration(method: .specgd, lambda: 8, dimension: 32, steps: 20, every: 1))
        let m = try EscapeMeasurement.measure(theory.table, lambda: 8)
        #expect(m.escapeStep == nil)
        let ns5 = Optimizer(method: .specgd, polar: .ns5)
        func upper(_ lr: Double) -> EscapeCheckRow? {
            EscapeCheck.familyRows(lambda: 8, method: "ns5", measurement: m, firstMove: 1e-3, learningRate: lr, threshold: 0.5,
                                   dimension: 32, optimizer: ns5).last
        }
        #expect(upper(1e-3)?.status == .notCheckable && upper(1e-3)?.kind == .upperBound)
        #expect(upper(1)?.status == .fail)
    }

    @Test func unknownAndRepeatedMethodsAreRefused() throws {
        #expect(throws: InputError.self) { try OptimizerPreset.list("gd,sgd", what: "check-escape method") }
        #expect(throws: InputError.self) { try OptimizerPreset.list("ns5,ns5", what: "check-escape method") }
        #expect(try OptimizerPreset.list("muon, adam", what: "check-escape method") == [.muon, .adam])
    }
}
