import Model
import Foundation
import Testing
import SpecgdSupport
@testable import Comparison

/// docs/model.md §7: a check whose window or data is empty is not a PASS, and a run that never
/// escapes has no "at escape" values.
@Suite struct NotCheckableTests {
    /// α = 1/32 at d = 32: b₀ = α already exceeds 0.1·b*₀, so the linear window is empty and
    /// ρ⁰ = 1 "matches" the measured 1 — a vacuous check, reported as not checkable.
    @Test func anEmptyLinearWindowIsNotCheckable() throws {
        for specgd in [false, true] {
            let trajectory = Fixtures.spikedTrajectory(lambda: 8, dim: 32, alpha: 0.03125, specgd: specgd, steps: 1500)
            let m = try EscapeMeasurement.measure(trajectory, lambda: 8)
            #expect(m.windowSteps == 0 && m.emptyWindowReason?.contains("0.1·b*₀") == true, "\(m)")
            let rows = EscapeCheck.rows(lambda: 8, method: specgd ? "specgd" : "gd", source: .theoryMap, measurement: m,
                                        learningRate: 1e-3, threshold: 0.5)
            let amplification = try #require(rows.first { $0.quantity == "amplification" })
            #expect(amplification.status == .notCheckable && !amplification.passed && amplification.windowSteps == 0)
            #expect(amplification.reason?.contains("linear window is empty") == true)
            let report = EscapeCheck.report(rows)
            #expect(report.contains("not checkable") && report.contains("1 not checkable"), "\(report)")
            #expect(EscapeCheck.table(rows).column("passed")!.first!.isNaN)
        }
    }

    /// A GD run stopped before its escape: nothing at escape, and b/a at escape is not
    /// checkable rather than compared with a formula evaluated at the last step's a.
    @Test func noEscapeMeansNoValuesAtEscape() throws {
        let trajectory = Fixtures.spikedTrajectory(lambda: 8, dim: 50, steps: 300)
        let m = try EscapeMeasurement.measure(trajectory, lambda: 8)
        #expect(m.escapeStep == nil && m.signalAtEscape == nil && m.ratioAtEscape == nil && m.qAtEscape == nil)
        #expect(m.windowSteps == 300 && m.lastStep == 300)
        let rows = EscapeCheck.rows(lambda: 8, method: "gd", source: .theoryMap, measurement: m, learningRate: 1e-3, threshold: 0.5)
        let ratio = try #require(rows.first { $0.quantity == "ratio_at_escape" })
        #expect(ratio.status == .notCheckable && ratio.predicted.isNaN && ratio.reason == "no escape within 300 steps")
        #expect(rows.first { $0.quantity == "amplification" }?.status == .pass, "the window itself is checkable")
        let (held, failed, notCheckable, _) = EscapeCheck.tally(rows)
        #expect(held == 1 && failed == 0 && notCheckable == 1)
    }

    /// No escape within a budget long enough that the tolerance is exceeded is a FAIL (with
    /// its reason); within a shorter budget it cannot be told apart from a late escape.
    @Test func aMissingEscapeFailsOnlyWhenTheBudgetDecides() throws {
        let short = try EscapeMeasurement.measure(Fixtures.spikedTrajectory(lambda: 8, dim: 50, specgd: true, steps: 400), lambda: 8)
        let row = try #require(EscapeCheck.rows(lambda: 8, method: "specgd", source: .theoryMap, measurement: short,
                                                learningRate: 1e-3, threshold: 0.5).first { $0.quantity == "escape_step" })
        #expect(row.status == .notCheckable && row.predicted == 499)
        // The same budget at a tenth of the learning rate the prediction was made for: η = 1e-4
        // predicts 4990 steps, the run shows a reaching 0.5 by step 499 — an honest FAIL.
        let long = try EscapeMeasurement.measure(Fixtures.spikedTrajectory(lambda: 8, dim: 50, specgd: true, steps: 700), lambda: 8)
        let wrong = try #require(EscapeCheck.rows(lambda: 8, method: "specgd", source: .theoryMap, measurement: long,
                                                  learningRate: 1e-4, threshold: 0.5).first { $0.quantity == "escape_step" })
        #expect(wrong.status == .fail)
        // A simulation that never escapes although the budget is 2× the map's escape step: FAIL.
        let reference = try EscapeMeasurement.measure(Fixtures.spikedTrajectory(lambda: 8, dim: 50, specgd: true, steps: 700), lambda: 8)
        var stuck = Fixtures.spikedTrajectory(lambda: 8, dim: 50, specgd: true, steps: 1000)
        stuck = Table(columns: stuck.columns, rows: stuck.rows.map { row in var r = row; r[1] = min(r[1], 0.2); return r })
        let never = try EscapeMeasurement.measure(stuck, lambda: 8)
        let failed = try #require(EscapeCheck.rows(lambda: 8, method: "gd", source: .simulation, measurement: never,
                                                   learningRate: 1e-3, threshold: 0.5, reference: reference)
                                    .first { $0.quantity == "escape_step" })
        #expect(failed.status == .fail && failed.reason == "no escape within 1000 steps")
    }
}
