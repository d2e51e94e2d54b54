import Foundation
import Testing

/// `--jobs J` runs seed repetitions on J threads; the files are the same bytes as with one.
@Suite struct ParallelSeedsTests {
    @Test func simulateJobsGiveIdenticalBytes() throws {
        let directory = try SpecgdProcess.temporaryDirectory()
        func run(_ jobs: Int) throws -> (String, String) {
            let csv = "\(directory)/j\(jobs).csv"
            let result = try SpecgdProcess.run(["simulate", "--method", "specgd", "--init", "gaussian", "--dim", "24",
                                                "--steps", "60", "--every", "5", "--seeds", "4", "--jobs", "\(jobs)",
                                                "--no-wall-time", "--output", csv])
            #expect(result.status == 0, "\(result.stderr)")
            return (try String(contentsOfFile: csv, encoding: .utf8),
                    try String(contentsOfFile: "\(directory)/j\(jobs).seeds.csv", encoding: .utf8))
        }
        let one = try run(1), two = try run(2)
        #expect(one.0 == two.0)
        #expect(one.1 == two.1)
        #expect(one.1.split(separator: "\n").count == 1 + 4 * 13)
    }

    @Test func jobsWithSeveralBLASThreadsIsRefused() throws {
        let result = try SpecgdProcess.run(["simulate", "--jobs", "2", "--blas-threads", "2", "--dim", "8", "--steps", "1",
                                            "--output", NSTemporaryDirectory() + "/never.csv"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--jobs"))
    }
}
