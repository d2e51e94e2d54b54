import ArgumentParser
import Foundation
import SpecgdSupport
import Model
import Theory

struct SpecgdBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specgd-bench",
        abstract: "Benchmark timings for scripts/bench-all and scripts/bench-theory (not a user command).",
        subcommands: [TimeTheory.self, PhaseGrid.self, OptimizerMapBench.self])
}

/// Seconds of `body`, on the monotonic clock.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let elapsed = try ContinuousClock().measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// Replaces `specgd theory --time-runs N`: reruns the configuration of a `specgd theory` run
/// record N times in-process and prints the best wall time, excluding process start-up and
/// file output (scripts/bench/theory_bench.py, bench_all.py §1–2).
struct TimeTheory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time-theory",
        abstract: "Best wall time of N in-process runs of the configuration in a `specgd theory` sidecar (PATH.json).")

    @Option(parsing: .unconditional, help: "Number of timed runs.")
    var runs: Int = 1

    @Argument(help: "The JSON sidecar `specgd theory --output PATH.csv` wrote (PATH.json).")
    var record: String

    struct Record: Decodable { var kind: String; var configuration: TheoryConfiguration }

    func run() throws {
        try Validate.atLeast(runs, 1, "runs")
        guard let data = FileManager.default.contents(atPath: record) else { throw InputError("cannot read \(record)") }
        let stored = try JSONOutput.decoder().decode(Record.self, from: data)
        guard stored.kind == "theory" else { throw InputError("\(record) is a \(stored.kind) record, not a theory run") }
        var best = Double.infinity
        for _ in 0..<runs { best = min(best, try seconds { _ = try runTheory(stored.configuration) }) }
        print("elapsed_seconds=\(best)")
    }
}

/// Replaces `specgd theory --bench-phase-grid N [--time-runs R]` (and SPECGD_BENCH_PER_CELL):
/// the n×n (λ, η̃) phase grid of `PhaseGridBenchmark`, written to --output; with --time-runs,
/// the median wall time of R more computations.
struct PhaseGrid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase-grid",
        abstract: "The n×n (λ, η̃) phase grid of escape metrics on the exact spiked map (scripts/bench-all §3).")

    @Option(parsing: .unconditional, help: "Grid size n (n×n cells).")
    var size: Int

    @Option(help: "gd or specgd.")
    var method: String = "gd"

    @Option(name: .customLong("dim"), parsing: .unconditional, help: "Dimension d.")
    var dimension: Int = 1000

    @Option(parsing: .unconditional, help: "Initial scale α (W₀ = αI).")
    var alpha: Double = 1e-3

    @Option(parsing: .unconditional, help: "Steps per cell.")
    var steps: Int = 3000

    @Option(name: .customLong("escape-threshold"), parsing: .unconditional, help: "Escape threshold a_esc.")
    var escapeThreshold: Double = 0.5

    @Flag(name: .customLong("per-cell"), help: "One escapeMetrics per cell instead of one batched call per λ row (the same numbers, slower).")
    var perCell = false

    @Option(name: .customLong("time-runs"), parsing: .unconditional, help: "Timed repetitions (prints the median as elapsed_seconds=…).")
    var timeRuns: Int = 0

    @Option(help: "Output CSV.")
    var output: String

    func run() throws {
        guard let method = Method(rawValue: method) else { throw InputError("--method: gd or specgd (got '\(self.method)')") }
        try Validate.atLeast(timeRuns, 0, "time-runs")
        let grid = { try PhaseGridBenchmark.run(size: size, method: method, dimension: dimension, alpha: alpha,
                                                steps: steps, threshold: escapeThreshold, batched: !perCell) }
        let table = try grid()
        var times = [Double]()
        for _ in 0..<timeRuns { times.append(try seconds { _ = try grid() }) }
        if !times.isEmpty { print("elapsed_seconds=\(times.sorted()[times.count / 2])") }
        try table.writeCSV(to: output)
    }
}
