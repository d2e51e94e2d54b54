import SpecgdSupport
import Testing
import Model
@testable import Theory

@Suite struct TheoryMemoryEstimateTests {
    @Test func spikedMapIsRowsTimesColumns() {
        // steps 100, every 10: rows 0, 10, …, 100 and the last step counted again = 12 rows of 9 columns.
        let c = TheoryConfiguration(method: .gd, lambda: 8, dimension: 1000, steps: 100, every: 10)
        #expect(c.recordedRows == 12 && c.recordedColumns == 9)
        let rows: Double = 1440    // 12 × (9 × 8 + 48)
        let csv: Double = 4752     // 2 × 12 × 9 × 22
        let groups: Double = 192   // 3 × 64
        let total: Double = rows + csv + groups
        #expect(c.memoryEstimate.bytes == total)
    }

    @Test func powerLawHasAColumnPerGroupAndHugeRunsDoNotOverflow() {
        var c = TheoryConfiguration(dimension: 1000, steps: 10, every: 1)
        c.covariance = .powerLaw
        #expect(c.recordedColumns == 9 + 1000)
        var long = TheoryConfiguration(steps: Int.max, every: 1)
        long.dynamics = .map
        #expect(long.memoryEstimate.bytes > 1e20)
    }
}
