import Foundation
import Testing
import NumericKit
import Model
import Simulation

/// Repetitions on several worker threads give the result of one thread, table for table.
/// The BLAS thread count is process-wide and tests never change it: this needs the one BLAS
/// thread that scripts/test sets (OPENBLAS_NUM_THREADS=1).
@Suite struct ParallelRepetitionTests {
    @Test(.enabled(if: NumericKit.blasThreads == 1, "needs OPENBLAS_NUM_THREADS=1"))
    func jobsDoNotChangeTheResult() throws {
        var c = SimulationConfiguration(method: .specgd, lambda: 4, dimension: 20, width: 6, initialization: .gaussian,
                                        alpha: 0.1, learningRate: 0.01, steps: 80, every: 8,
                                        training: .samples(50), seeds: 5, seed: 7)
        c.recordWallTime = false
        let serial = try Simulator(c).run(jobs: 1)
        let parallel = try Simulator(c).run(jobs: 3)
        #expect(serial.perSeed == parallel.perSeed)
        #expect(serial.aggregate.csv == parallel.aggregate.csv)
        #expect(parallel.timings.perSeed.count == 5)
    }

    @Test func jobsMustBePositive() {
        let c = SimulationConfiguration(dimension: 4, steps: 1)
        #expect(throws: (any Error).self) { try Simulator(c).run(jobs: 0) }
    }
}
