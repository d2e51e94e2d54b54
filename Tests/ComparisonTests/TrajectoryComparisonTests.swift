import Model
import Foundation
import Testing
import SpecgdSupport
@testable import Comparison

@Suite struct TrajectoryComparisonTests {
    let theory = Fixtures.spikedTrajectory(lambda: 8, dim: 50, steps: 3000, every: 10)

    @Test func identicalTrajectoriesAgreeExactly() throws {
        let result = try TrajectoryComparison.compare(theory: theory, simulation: theory, tolerance: Tolerance(relative: 1e-12))
        #expect(result.passed == true)
        #expect(result.commonSteps == theory.rows.count)
        #expect(result.deviations.map(\.statistic) == TrajectoryComparison.defaultStatistics)
        #expect(result.deviations.allSatisfy { $0.maxAbsolute == 0 && $0.maxRelative == 0 })
        #expect(result.table.columns.prefix(5) == ["step", "a_theory", "a_sim", "a_sim_q10", "a_sim_q90"])
    }

    @Test func deviationIsMeasuredWhereItPeaks() throws {
        // b is 3 % too large at steps ≥ 2000 only: the max relative deviation is 0.03 there.
        let simulation = Fixtures.scaled(theory, column: "b", by: 1.03) { $0 >= 2000 }
        let result = try TrajectoryComparison.compare(theory: theory, simulation: simulation, statistics: ["a", "b"],
                                                      tolerance: Tolerance(relative: 0.02))
        let b = try #require(result.deviations.first { $0.statistic == "b" })
        // (1.03 b − b)/b: 1.03 and the product round (≤ ε/2 · 1.03 each), the difference is
        // exact (Sterbenz: the operands are within 2×), divided by b (ε/2 · 0.03): ≤ 1.05 ε.
        #expect(abs(b.maxRelative - 0.03) < 2 * Double.ulpOfOne)
        #expect(b.maxRelativeStep >= 2000)
        let bs = theory.column("b")!, steps = theory.column("step")!
        let expectedMaxAbs = zip(bs, steps).filter { $0.1 >= 2000 }.map { 0.03 * $0.0 }.max()!
        // |1.03 b − b| against 0.03 b: three roundings of quantities ≤ 1.03 |b|: ≤ 2 ε |b|.
        #expect(abs(b.maxAbsolute - expectedMaxAbs) < 2 * Double.ulpOfOne * bs.map(abs).max()!)
        #expect(b.passed == false && result.passed == false)
        #expect(result.deviations.first { $0.statistic == "a" }?.passed == true)
        #expect(try TrajectoryComparison.compare(theory: theory, simulation: simulation, statistics: ["b"],
                                                 tolerance: Tolerance(relative: 0.031)).passed == true)
    }

    @Test func floorBoundsTheRelativeTestNearZero() throws {
        let tolerance = try Tolerance(relative: 0.1, floor: 1e-3)
        #expect(tolerance.scaledDeviation(theory: 0, simulation: 5e-5) == 0.05)
        // (2.1 − 2)/(0.1 · 2): the literal 2.1 is off by ≤ ulp(2.1)/2 = ε, amplified by 1/0.2,
        // plus the few roundings of the quotient: ≤ 6 ε.
        #expect(abs(tolerance.scaledDeviation(theory: 2, simulation: 2.1) - 0.05) < 6 * Double.ulpOfOne)
        #expect(throws: InputError.self) { try Tolerance(relative: 0) }
    }

    @Test func innerJoinOnStepAndQuantileColumns() throws {
        var simulation = Table(columns: ["step", "a", "a_q10", "a_q90"])
        for row in theory.rows where Int(row[0]) % 20 == 0 { simulation.append([row[0], row[1], row[1] * 0.9, row[1] * 1.1]) }
        simulation.append([5, 1, 1, 1])  // a step the theory does not record is dropped
        let result = try TrajectoryComparison.compare(theory: theory, simulation: simulation)
        #expect(result.commonSteps == simulation.rows.count - 1)
        #expect(result.table.columns == ["step", "a_theory", "a_sim", "a_sim_q10", "a_sim_q90"])
        let row = result.table.rows[3]
        #expect(row[0] == 60 && row[3] == row[2] * 0.9 && row[4] == row[2] * 1.1)
    }

    @Test func spikeRatioColumn() throws {
        let table = Table(columns: ["step", "a", "b"], rows: [[0, 2, -1], [1, 0.5, 2]])
        let ratio = TrajectoryComparison.withSpikeRatio(table)
        #expect(ratio.column("b_over_a") == [0.5, 4])
        #expect(TrajectoryComparison.withSpikeRatio(ratio).columns == ratio.columns, "added once")
    }

    @Test func refusesTablesWithoutCommonSteps() throws {
        let shifted = Table(columns: theory.columns, rows: theory.rows.map { [$0[0] + 1] + $0.dropFirst() })
        #expect(throws: InputError.self) { try TrajectoryComparison.compare(theory: theory, simulation: shifted) }
        #expect(throws: InputError.self) { try TrajectoryComparison.compare(theory: theory, simulation: theory, statistics: ["nope"]) }
    }

    @Test func nonFiniteSimulationIsAnInfiniteDeviation() throws {
        var rows = theory.rows
        rows[7][1] = .nan
        let result = try TrajectoryComparison.compare(theory: theory, simulation: Table(columns: theory.columns, rows: rows),
                                                      statistics: ["a"], tolerance: Tolerance(relative: 1))
        #expect(result.deviations[0].maxRelative == .infinity && result.passed == false)
    }
}
