import Foundation
import NumericKit
import SpecgdSupport

/// Wall-clock figures of a run (seconds).
public struct SimulationTimings: Sendable, Codable, Equatable {
    public var total: Double
    /// Wall time of each repetition, set-up (W₀ draw, buffers) included.
    public var perSeed: [Double]
    /// Mean time of one optimiser step over all repetitions: the step loop (gradients,
    /// updates, recording) divided by the step count, set-up excluded — what a reference
    /// implementation's timed loop measures.
    public var perStep: Double
}

/// What a run returns: one trajectory per repetition, their aggregate and the timings.
public struct SimulationResult: Sendable {
    public var configuration: SimulationConfiguration
    /// One table per repetition, columns `TrajectoryColumns.names`.
    public var perSeed: [Table]
    /// Across repetitions: the base columns hold the means, plus `<col>_std` (sample
    /// standard deviation, 0 for one seed), `<col>_q10`, `<col>_q50`, `<col>_q90`.
    public var aggregate: Table
    public var timings: SimulationTimings
}

/// Runs dense simulations. All repetitions share the problem (Σ, θ*); repetition r uses
/// stream r + 1 of the master seed for W₀ and the data, so results are reproducible bit for
/// bit (with a fixed BLAS kernel and thread count) and repetitions are independent.
public struct Simulator: Sendable {
    public let configuration: SimulationConfiguration
    public let problem: Problem

    public init(_ configuration: SimulationConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        self.problem = try Problem(configuration: configuration)
    }

    /// All repetitions, on `jobs` worker threads (repetitions are independent and each has its
    /// own random stream, so the result is byte-identical for every `jobs`). Uses the BLAS
    /// thread count the process has (set once at start: `NumericKit.setBLASThreads`); with
    /// `jobs` > 1 that must be 1, or the workers would oversubscribe the cores.
    public func run(jobs: Int = 1, progress: SpecgdSupport.Progress? = nil) throws -> SimulationResult {
        try Validate.atLeast(jobs, 1, "jobs")
        if jobs > 1, NumericKit.blasThreads != 1 {
            throw InputError("jobs = \(jobs) runs repetitions in parallel with one BLAS thread each; the process runs \(NumericKit.blasThreads) BLAS threads")
        }
        let start = Date()
        let slots = RepetitionSlots(count: configuration.seeds)
        try WorkerThreads.forEach(Array(0..<configuration.seeds), workers: jobs, name: "specgd-seed") { r in
            let t0 = Date()
            let run = try timedRepetition(r, progress: progress)
            slots.store(r, run, seconds: Date().timeIntervalSince(t0))
        }
        let runs = slots.runs
        let tables = runs.map(\.table)
        let total = Date().timeIntervalSince(start)
        let steps = max(configuration.steps, 1) * configuration.seeds
        let loopSeconds = runs.reduce(0) { $0 + $1.loopSeconds }
        return SimulationResult(
            configuration: configuration, perSeed: tables, aggregate: try Aggregate.table(tables),
            timings: SimulationTimings(total: total, perSeed: runs.map(\.seconds), perStep: loopSeconds / Double(steps)))
    }

    /// One repetition's trajectory (rows at step 0, every E steps, and the last step).
    public func runRepetition(_ repetition: Int, progress: SpecgdSupport.Progress? = nil) throws -> Table {
        try timedRepetition(repetition, progress: progress).table
    }

    /// The trajectory and the wall time of its step loop (after the set-up).
    private func timedRepetition(_ repetition: Int, progress: SpecgdSupport.Progress?) throws -> Repetition {
        let c = configuration
        let start = Date()
        var trainer = try Trainer(configuration: c, repetition: repetition, problem: problem)
        var statistics = SummaryStatistics(problem: problem, width: c.resolvedWidth)
        var table = Table(columns: TrajectoryColumns.names)
        let loopStart = Date()
        var lastReported = 0
        for k in 0...c.steps {
            if k % c.every == 0 || k == c.steps {
                trainer.evaluate()
                let train = trainer.trainLoss
                let loss = c.training == .population ? train : trainer.populationLoss()
                let s = statistics.measure(trainer.weights)
                table.append([Double(k), s.a, s.b, s.c, s.q, loss, train, s.alignment, s.spikeAlignment,
                              c.recordWallTime ? Date().timeIntervalSince(start) : 0])
                if let progress, k > lastReported {
                    progress.advance(by: k - lastReported)
                    lastReported = k
                }
            }
            if k == c.steps { break }
            try trainer.step()
        }
        return Repetition(table: table, loopSeconds: Date().timeIntervalSince(loopStart))
    }
}

/// One repetition's trajectory with the wall time of its step loop and of the whole repetition.
private struct Repetition: Sendable {
    var table: Table
    var loopSeconds: Double
    var seconds = 0.0
}

/// Where worker threads put finished repetitions, by index, so the result is in seed order.
private final class RepetitionSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Repetition?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ repetition: Repetition, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        var r = repetition
        r.seconds = seconds
        slots[index] = r
    }

    /// All repetitions (every slot is filled once `WorkerThreads.forEach` returned without error).
    var runs: [Repetition] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }
    }
}

/// Runs `configuration` (all repetitions) and returns per-seed and aggregate tables.
public func runSimulation(_ configuration: SimulationConfiguration, jobs: Int = 1,
                          progress: SpecgdSupport.Progress? = nil) throws -> SimulationResult {
    try Simulator(configuration).run(jobs: jobs, progress: progress)
}
