import Model
import ArgumentParser
import Foundation
import SpecgdSupport

/// `--jobs`: seed repetitions in parallel, one BLAS thread each. The outputs do not depend on
/// it: every repetition has its own random stream and they are aggregated in seed order.
struct ParallelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Worker threads for the seed repetitions (sweep: for the cells), one BLAS thread each; outputs are byte-identical for every value. Default: the number of cores (1 with --blas-threads > 1).")
    var jobs: Int?

    func validate() throws {
        if let jobs { try Validate.atLeast(jobs, 1, "--jobs") }
    }

    /// The workers to use when the process runs `blasThreads` BLAS threads.
    func workers(blasThreads: Int = 1) throws -> Int {
        guard let jobs else { return blasThreads == 1 ? ProcessInfo.processInfo.activeProcessorCount : 1 }
        if jobs > 1, blasThreads > 1 {
            throw InputError("--jobs runs repetitions in parallel with one BLAS thread each; use --blas-threads only with --jobs 1")
        }
        return jobs
    }
}
