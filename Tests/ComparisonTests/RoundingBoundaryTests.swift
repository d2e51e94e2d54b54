import Model
import Foundation
import Testing
import SpecgdSupport
@testable import Comparison
import Theory

/// docs/model.md §5, "Rounding at an integer boundary": SpecGD's escape step ⌈(a_esc − a₀)/η⌉ on
/// the map. When the ratio lies within the rounding error of an integer n, exact arithmetic
/// allows n or n + 1 and the map's a_k (one rounding per step) may cross on either side: both
/// are accepted, "decided within rounding". Anything else is judged as before and can fail.
@Suite struct RoundingBoundaryTests {
    func escapeRow(alpha: Double, lr: Double, checkedAt checkLR: Double? = nil, threshold: Double = 0.5,
                   escapeStep: Int? = nil) throws -> EscapeCheckRow {
        let table = Fixtures.spikedTrajectory(lambda: 1, dim: 3, alpha: alpha, lr: lr, specgd: true, steps: 40)
        var m = try EscapeMeasurement.measure(table, lambda: 1)
        if let escapeStep { m.escapeStep = escapeStep }
        return try #require(EscapeCheck.rows(lambda: 1, method: "specgd", source: .theoryMap, measurement: m,
                                             learningRate: checkLR ?? lr, threshold: threshold)
            .first { $0.quantity == "escape_step" })
    }

    /// The reproductions: a₈ = 0.49999999999999994 (escape 9 against ⌈8.0⌉ = 8), and
    /// ⌈15.000000000000002⌉ = 16 against a₁₅ ≥ 0.5. Both hold in exact arithmetic.
    @Test func theReproductionsAreDecidedWithinRounding() throws {
        let first = try escapeRow(alpha: 0.1, lr: 0.05)
        #expect(first.predicted == 8 && first.measured == 9 && first.status == .pass, "\(first)")
        #expect(first.reason?.contains("decided within rounding") == true && first.reason?.contains("8 or 9") == true)
        let second = try escapeRow(alpha: 0.05, lr: 0.03)
        #expect(second.predicted == 16 && second.measured == 15 && second.status == .pass, "\(second)")
        #expect(second.reason?.contains("15 or 16") == true)
        #expect(EscapeAnalytics.specgdEscapeStepBoundary(alpha: 0.05, threshold: 0.5, lr: 0.03)?.step == 15)
    }

    /// Far from a boundary nothing changes: the map checked against a wrong rate (η = 0.035:
    /// (0.5 − 0.1)/0.035 = 11.43, predicted 12, measured 9) fails, without a rounding note.
    @Test func farFromABoundaryAWrongPredictionStillFails() throws {
        #expect(EscapeAnalytics.specgdEscapeStepBoundary(alpha: 0.1, threshold: 0.5, lr: 0.035) == nil)
        let wrong = try escapeRow(alpha: 0.1, lr: 0.05, checkedAt: 0.035)
        #expect(wrong.predicted == 12 && wrong.measured == 9 && wrong.status == .fail && wrong.reason == nil, "\(wrong)")
        // And at the boundary only n and n + 1 are accepted: an escape at 11 against 8 or 9 fails.
        let late = try escapeRow(alpha: 0.1, lr: 0.05, escapeStep: 11)
        #expect(late.status == .fail && late.reason?.contains("decided within rounding") == true, "\(late)")
        // A ratio 10⁻⁹ from an integer is far beyond the rounding error (≈ 10⁻¹⁴): no boundary.
        #expect(EscapeAnalytics.specgdEscapeStepBoundary(alpha: 0.1, threshold: 0.5, lr: 0.05 * (1 + 1e-9)) == nil)
    }
}
