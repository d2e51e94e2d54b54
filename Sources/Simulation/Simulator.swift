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
/// bit (with a fixed BLAS thread count) and repetitions are independent.
public struct Simulator: Sendable {
    public let configuration: SimulationConfiguration
    public let problem: Problem

    public init(_ configuration: SimulationConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        self.problem = try Problem(configuration: configuration)
    }

    /// All repetitions, one after the other. Sets the OpenBLAS thread count to
    /// `configuration.threads` (a process-wide setting).
    public func run(progress: SpecgdSupport.Progress? = nil) throws -> SimulationResult {
        if NumericKit.blasThreads != configuration.threads {  // process-wide: touch only when needed
            NumericKit.setBLASThreads(configuration.threads)
        }
        let start = Date()
        var tables: [Table] = []
        var seconds: [Double] = []
        var loopSeconds = 0.0
        for r in 0..<configuration.seeds {
            let t0 = Date()
            let run = try timedRepetition(r, progress: progress)
            tables.append(run.table)
            loopSeconds += run.loopSeconds
            seconds.append(Date().timeIntervalSince(t0))
        }
        let total = Date().timeIntervalSince(start)
        let steps = max(configuration.steps, 1) * configuration.seeds
        return SimulationResult(
            configuration: configuration, perSeed: tables, aggregate: try Aggregate.table(tables),
            timings: SimulationTimings(total: total, perSeed: seconds, perStep: loopSeconds / Double(steps)))
    }

    /// One repetition's trajectory (rows at step 0, every E steps, and the last step).
    public func runRepetition(_ repetition: Int, progress: SpecgdSupport.Progress? = nil) throws -> Table {
        try timedRepetition(repetition, progress: progress).table
    }

    /// The trajectory and the wall time of its step loop (after the set-up).
    private func timedRepetition(_ repetition: Int, progress: SpecgdSupport.Progress?) throws -> (table: Table, loopSeconds: Double) {
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
        return (table, Date().timeIntervalSince(loopStart))
    }
}

/// Runs `configuration` (all repetitions) and returns per-seed and aggregate tables.
public func runSimulation(_ configuration: SimulationConfiguration, progress: SpecgdSupport.Progress? = nil) throws -> SimulationResult {
    try Simulator(configuration).run(progress: progress)
}
