import ArgumentParser
import SpecgdSupport

/// `--jobs`: repetitions (seeds) in parallel, one BLAS thread each. The outputs do not depend
/// on it: every repetition has its own random stream and they are aggregated in seed order.
struct ParallelOptions: ParsableArguments {
    @Option(help: "Worker threads for the seed repetitions (one BLAS thread each; outputs are byte-identical for every value).")
    var jobs: Int = 1

    func validate() throws {
        try Validate.atLeast(jobs, 1, "jobs")
    }
}
