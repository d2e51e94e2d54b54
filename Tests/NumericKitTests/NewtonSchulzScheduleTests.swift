import Foundation
import Testing
@testable import NumericKit
import SpecgdSupport
import TestSupport

/// The Newton–Schulz polynomials of docs/model.md §6: fixed points, oddness, the quintic's
/// plateau, Polar Express's per-step schedule and safety factor, the custom-row reader.
@Suite struct NewtonSchulzScheduleTests {
    let quintic = NewtonSchulzSchedule.quintic
    let cubic = NewtonSchulzSchedule.cubic

    /// The coefficients are the spec's (docs/model.md §6), typed from its text.
    @Test func coefficientsAreTheSpecs() {
        #expect(quintic == NewtonSchulzStep(3.4445, -4.7750, 2.0315))
        #expect(cubic == NewtonSchulzStep(1.5, -0.5, 0))
        #expect(NewtonSchulzSchedule.polarExpressCoefficients.count == 8)
        #expect(NewtonSchulzSchedule.polarExpressCoefficients[0] == NewtonSchulzStep(8.28721201814563, -23.595886519098837, 17.300387312530933))
        #expect(NewtonSchulzSchedule.polarExpressCoefficients[6] == NewtonSchulzStep(1.8750014808534479, -1.2500016453999487, 0.3750001645474248))
        #expect(NewtonSchulzSchedule.polarExpressCoefficients[7] == NewtonSchulzStep(1.875, -1.25, 0.375))
        // The dense quintic reads the same constants.
        #expect(PolarWorkspace.quinticCoefficients == (3.4445, -4.7750, 2.0315))
    }

    /// The association x·((b x² + c x⁴) + a) against the textbook a x + b x³ + c x⁵: both are
    /// sums of three terms of magnitude ≤ (|a| + |b|x² + |c|x⁴)|x|, each with ≤ 4 roundings.
    @Test func polynomialIsTheTextbookOne() {
        for step in [quintic, cubic] + NewtonSchulzSchedule.polarExpressCoefficients {
            for x in stride(from: -1.3, through: 1.3, by: 0.013) {
                let textbook = step.a * x + step.b * x * x * x + step.c * x * x * x * x * x
                let magnitude = (abs(step.a) + abs(step.b) * x * x + abs(step.c) * x * x * x * x) * abs(x)
                #expect(abs(step(x) - textbook) <= 2 * gammaBound(6) * magnitude, "x = \(x)")
            }
        }
    }

    /// Odd: φ(−x) = −φ(x) bit for bit (x² is the same, the product's sign flips exactly), so
    /// φ(0) = 0 and a zero entry (sign 0) stays 0 through any number of steps.
    @Test func oddAndZeroStaysZero() {
        let schedules = [NewtonSchulzSchedule.quintic(steps: 5), .cubic(steps: 9), .polarExpress(steps: 10),
                         .custom([NewtonSchulzStep(3, -3.2, 1.2)], steps: 3)]
        for schedule in schedules {
            #expect(schedule.apply(0) == 0)
            // Normalised inputs lie in [0, 1] (larger ones may overflow the tuned polynomials).
            for x in stride(from: 0.0, through: 1.0, by: 0.01) {
                #expect(schedule.apply(-x) == -schedule.apply(x), "x = \(x)")
            }
        }
    }

    /// Fixed points. Cubic: 1 (and −1) exactly, 1.5 − 0.5 = 1 in binary. Polar Express's last
    /// tuple: 1.875 − 1.25 + 0.375 = 1 exactly, with p'(1) = 1.875 − 3.75 + 1.875 = 0 (so its
    /// repetition converges fast near 1). The quintic does NOT fix 1 (φ(1) = 0.701: Muon's
    /// plateau, not convergence); its positive fixed points solve a + b y + c y² = 1 (y = x²):
    /// y = (−b ± √(b² − 4c(a − 1)))/(2c), x ≈ 0.868 and 1.264, where φ(x) = x to rounding
    /// (6 roundings of terms ≤ (|a| + |b|x² + |c|x⁴)x).
    @Test func fixedPoints() {
        #expect(cubic(1) == 1 && cubic(-1) == -1)
        let last = NewtonSchulzSchedule.polarExpressCoefficients[7]
        #expect(last(1) == 1)
        #expect(last.a + 3 * last.b + 5 * last.c == 0)
        #expect(abs(quintic(1) - 0.701) <= gammaBound(6) * 10.3)
        let (a, b, c) = (quintic.a, quintic.b, quintic.c)
        for root in [(-b - (b * b - 4 * c * (a - 1)).squareRoot()) / (2 * c), (-b + (b * b - 4 * c * (a - 1)).squareRoot()) / (2 * c)] {
            let x = root.squareRoot()
            // The root's own rounding (δx ≤ γ₈x: the discriminant cancels by ~8×, halved by the square
            // root) moves φ(x) − x by |φ'(x) − 1|·δx, and |φ'(x) − 1| ≤ 6 at both roots (−1.6 and 6.5 − 1).
            let magnitude = (abs(a) + abs(b) * x * x + abs(c) * x * x * x * x) * x
            #expect(abs(quintic(x) - x) <= gammaBound(6) * magnitude + 6 * gammaBound(8) * x, "x = \(x)")
        }
    }

    /// The quintic's plateau band J = [φ(x₊), φ(x₋)], x∓ its critical points (φ'(x) = a + 3b x² +
    /// 5c x⁴ = 0: x² = (−3b ∓ √(9b² − 20ac))/(10c), x₋ ≈ 0.555 local max, x₊ ≈ 1.050 local min),
    /// J ≈ [0.682, 1.202]. (1) J is invariant: φ is monotone between critical points, so φ(J)
    /// is spanned by φ at J's ends and at x₊ ∈ J. (2) Every x ∈ [a^(−5), 1] lands in J after
    /// K = 5 steps (x ≥ a^(−K) is "lifted to the plateau"). (3) Below, the lift is at most a^K:
    /// b x³ + c x⁵ < 0 for x² < −b/c ≈ 2.35 and every iterate stays ≤ max J < 1.53, so
    /// φ_K(x) ≤ a^K x — the reason a fixed K need not act like the exact sign at large d.
    @Test func quinticPlateauBand() {
        let (a, b, c) = (quintic.a, quintic.b, quintic.c)
        let root = (9 * b * b - 20 * a * c).squareRoot()
        let xMax = ((-3 * b - root) / (10 * c)).squareRoot(), xMin = ((-3 * b + root) / (10 * c)).squareRoot()
        let low = quintic(xMin), high = quintic(xMax)
        #expect(abs(xMax - 0.5545) < 1e-3 && abs(xMin - 1.0501) < 1e-3)  // the critical points named above
        // Rounding of one evaluation on J: ≤ 2γ₆ · (|a| + |b|x² + |c|x⁴)x ≤ 2γ₆ · 21.
        let slack = 2 * gammaBound(6) * 21
        #expect(xMin >= low && xMin <= high)
        for x in [low, high, xMin] {
            #expect(quintic(x) >= low - slack && quintic(x) <= high + slack, "φ(\(x)) = \(quintic(x)) outside [\(low), \(high)]")
        }
        let five = NewtonSchulzSchedule.quintic(steps: 5)
        let start = pow(a, -5)
        for i in 0...2000 {
            let x = start * pow(1 / start, Double(i) / 2000)
            let y = five.apply(x)
            #expect(y >= low - 5 * slack && y <= high + 5 * slack, "φ₅(\(x)) = \(y)")
        }
        for i in 0...2000 {
            let x = pow(10, -12 + 12 * Double(i) / 2000)
            #expect(five.apply(x) <= pow(a, 5) * x * (1 + gammaBound(30)), "x = \(x)")
        }
    }

    /// The cubic converges to 1 on (0, √3) (its design): after enough steps every x ∈ [0.1, 1]
    /// is within rounding of 1. Its error e = 1 − x contracts as e' = (3/2)e² − (1/2)e³ near 1, so 12
    /// steps from e ≤ 0.9 (growth ~1.35× per step while x < 0.5, then quadratic) reach rounding.
    @Test func cubicConverges() {
        let schedule = NewtonSchulzSchedule.cubic(steps: 30)
        for x in stride(from: 0.1, through: 1.0, by: 0.01) {
            #expect(abs(schedule.apply(x) - 1) <= gammaBound(8), "x = \(x)")
        }
    }

    /// Polar Express: per-step coefficients in the listed order, every tuple but the last divided
    /// by (f, f³, f⁵), the last repeated beyond the list; normalisation factor f.
    @Test func polarExpressScheduleAndSafetyFactor() {
        let list = NewtonSchulzSchedule.polarExpressCoefficients
        for f in [1.0, 1.01, 1.05] {
            let schedule = NewtonSchulzSchedule.polarExpress(steps: 11, safetyFactor: f)
            #expect(schedule.steps.count == 11)
            #expect(schedule.normalisationFactor == f)
            for k in 0..<7 {
                #expect(schedule.steps[k] == NewtonSchulzStep(list[k].a / f, list[k].b / (f * f * f), list[k].c / (f * f * f * f * f)))
            }
            for k in 7..<11 { #expect(schedule.steps[k] == list[7]) }
        }
        #expect(NewtonSchulzSchedule.polarExpress(steps: 11, safetyFactor: 1).steps == (0..<11).map { list[min($0, 7)] })
        #expect(NewtonSchulzSchedule.polarExpress(steps: 3).steps == Array(NewtonSchulzSchedule.polarExpress(steps: 11).steps.prefix(3)))
        #expect(NewtonSchulzSchedule.polarExpress(steps: 5).normalisationFactor == 1.01)
        // Applied in order: apply = p_K ∘ … ∘ p_1; the reversed order is a different map, so the
        // comparison can tell them apart.
        let schedule = NewtonSchulzSchedule.polarExpress(steps: 8)
        var differs = false
        for x in stride(from: 0.001, through: 0.99, by: 0.007) {
            var forward = x, backward = x
            for step in schedule.steps { forward = step(forward) }
            for step in schedule.steps.reversed() { backward = step(backward) }
            #expect(schedule.apply(x) == forward)
            if backward != forward { differs = true }
        }
        #expect(differs)
        // The first step on a small input: ≈ 8.287/1.01 · x.
        let x = 1e-4
        #expect(abs(NewtonSchulzSchedule.polarExpress(steps: 1).apply(x) - 8.28721201814563 / 1.01 * x) <= 1e-6 * x)
    }

    @Test func quinticAndCubicSchedules() {
        #expect(NewtonSchulzSchedule.quintic(steps: 5).steps == Array(repeating: quintic, count: 5))
        #expect(NewtonSchulzSchedule.cubic(steps: 2, epsilon: 0).steps == [cubic, cubic])
        #expect(NewtonSchulzSchedule.quintic(steps: 5).epsilon == 1e-7)
        #expect(NewtonSchulzSchedule.quintic(steps: 5).normalisationFactor == 1)
        #expect(NewtonSchulzSchedule.of(.svd, steps: 5) == nil && NewtonSchulzSchedule.of(.gram, steps: 5) == nil)
        #expect(NewtonSchulzSchedule.of(.ns5, steps: 3) == .quintic(steps: 3))
        #expect(NewtonSchulzSchedule.of(.custom, steps: 3) == nil)  // no rows
        let rows = [NewtonSchulzStep(3, -3.2, 1.2), NewtonSchulzStep(1.5, -0.5, 0)]
        #expect(NewtonSchulzSchedule.of(.custom, steps: 4, rows: rows)!.steps == [rows[0], rows[1], rows[1], rows[1]])
        #expect(NewtonSchulzSchedule.custom(rows).steps == rows)
        #expect(NewtonSchulzSchedule.custom(rows, steps: 1).steps == [rows[0]])
    }

    @Test func readsCustomRows() throws {
        let text = "# Muon's quintic, then two cubic steps\n3.4445 -4.7750 2.0315\n\n1.5, -0.5, 0   # cubic\n1.5\t-0.5\t0\n"
        #expect(try NewtonSchulzSchedule.parseRows(text, source: "rows.txt") == [quintic, cubic, cubic])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ns-rows-\(UUID().uuidString).txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try NewtonSchulzSchedule.readRows(file: path) == [quintic, cubic, cubic])
        #expect(throws: InputError("rows.txt line 2: a Newton–Schulz step needs 3 coefficients 'a b c' (got 2)")) {
            try NewtonSchulzSchedule.parseRows("1 2 3\n1 2\n", source: "rows.txt")
        }
        #expect(throws: InputError("rows.txt line 1: 'x' is not a finite number")) {
            try NewtonSchulzSchedule.parseRows("1 x 3\n", source: "rows.txt")
        }
        #expect(throws: InputError("rows.txt line 1: 'inf' is not a finite number")) {
            try NewtonSchulzSchedule.parseRows("1 inf 3\n", source: "rows.txt")
        }
        #expect(throws: InputError("rows.txt: no Newton–Schulz coefficient rows")) {
            try NewtonSchulzSchedule.parseRows("# nothing\n\n", source: "rows.txt")
        }
        #expect(throws: InputError("cannot read Newton–Schulz coefficients file /nonexistent/rows.txt")) {
            try NewtonSchulzSchedule.readRows(file: "/nonexistent/rows.txt")
        }
    }
}
