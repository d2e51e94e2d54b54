import Model
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
public struct SimulationResult: Sendable, StoppableRunResult {
    public var configuration: SimulationConfiguration
    /// One table per repetition, columns `TrajectoryColumns.simulation`. A run stopped early has
    /// the repetitions started so far, the last one partial.
    public var perSeed: [Table]
    /// Per repetition in `perSeed`, its escape (`EscapeMetrics`, threshold
    /// `experiment.escapeThreshold`) observed at every step up to the escape, not only at the
    /// recorded ones: the escape step, a and b at escape and the peak |b/a| do not depend on
    /// `every`. The final values are the last recorded row's.
    public var escapes: [EscapeMetrics]
    /// Across repetitions: the base columns hold the means, plus `<col>_std` (sample
    /// standard deviation, 0 for one seed), `<col>_q10`, `<col>_q50`, `<col>_q90`. For a run
    /// stopped early, over the steps every started repetition recorded.
    public var aggregate: Table
    public var timings: SimulationTimings
    /// completed, or where and why it stopped (`lastStep` is the stopped repetition's step).
    public var outcome: RunOutcome
    public var divergence: DivergenceError?
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

    /// All repetitions, on `jobs` worker threads. Throws `DivergenceError` when a repetition diverges.
    public func run(jobs: Int = 1, progress: SpecgdSupport.Progress? = nil) throws -> SimulationResult {
        try runKeepingRows(jobs: jobs, progress: progress).requireCompleted()
    }

    /// All repetitions on `jobs` worker threads (repetitions are independent and each has its
    /// own random stream, so the result is byte-identical for every `jobs`). Uses the BLAS
    /// thread count the process has (set once at start: `NumericKit.setBLASThreads`); with
    /// `jobs` > 1 that must be 1, or the workers would oversubscribe the cores.
    /// A repetition that diverges or sees `cancellation` (polled before every step) ends the
    /// run with the rows so far: the stopped repetition's table ends at its last recorded step
    /// (interrupted: at the state reached), and `outcome` says where and why (the first stopped
    /// repetition in seed order). After a divergence no later repetition is kept (as if they had
    /// run one after another); after an interruption every started repetition is.
    public func runKeepingRows(jobs: Int = 1, progress: SpecgdSupport.Progress? = nil,
                               cancellation: CancellationToken? = nil) throws -> SimulationResult {
        try Validate.atLeast(jobs, 1, "jobs")
        if jobs > 1, NumericKit.blasThreads != 1 {
            throw InputError("jobs = \(jobs) runs repetitions in parallel with one BLAS thread each; the process runs \(NumericKit.blasThreads) BLAS threads")
        }
        let start = Date()
        let slots = RepetitionSlots(count: configuration.seeds)
        do {
            try WorkerThreads.forEach(Array(0..<configuration.seeds), workers: jobs, name: "specgd-seed") { r in
                let t0 = Date()
                var run = try timedRepetition(r, progress: progress, cancellation: cancellation)
                run.seconds = Date().timeIntervalSince(t0)
                slots.store(r, run)
                if run.stop != nil { throw RepetitionStopped() }  // hand out no further repetitions
            }
        } catch is RepetitionStopped {}
        // In seed order, up to the first stopped repetition; interrupted, every started one
        // (the parallel workers' rows are kept too, each up to the state it reached).
        var runs: [Repetition] = []
        var outcome = RunOutcome.completed(configuration.steps), divergence: DivergenceError?
        var taken = 0
        for slot in slots.runs {
            guard let run = slot else { break }
            if outcome.status == .interrupted {
                if run.stop is RunInterrupted || run.stop == nil { runs.append(run); taken += run.steps }
                continue
            }
            runs.append(run)
            taken += run.steps
            if let stop = run.stop {
                outcome = try RunOutcome(stoppedBy: stop)
                divergence = stop as? DivergenceError
                if divergence != nil { break }
            }
        }
        let tables = runs.map(\.table)
        let total = Date().timeIntervalSince(start)
        let loopSeconds = runs.reduce(0) { $0 + $1.loopSeconds }
        return SimulationResult(
            configuration: configuration, perSeed: tables, escapes: runs.map(\.escape), aggregate: try Aggregate.table(Aggregate.commonPrefix(tables)),
            timings: SimulationTimings(total: total, perSeed: runs.map(\.seconds), perStep: loopSeconds / Double(max(taken, 1))),
            outcome: outcome, divergence: divergence)
    }

    /// One repetition's trajectory (rows at step 0, every E steps, and the last step).
    public func runRepetition(_ repetition: Int, progress: SpecgdSupport.Progress? = nil) throws -> Table {
        let run = try timedRepetition(repetition, progress: progress, cancellation: nil)
        if let stop = run.stop { throw stop }
        return run.table
    }

    /// The trajectory, the wall time of its step loop (after the set-up) and, when the loop
    /// ended early, the `DivergenceError` / `RunInterrupted` that ended it (the table then
    /// holds the rows up to there).
    private func timedRepetition(_ repetition: Int, progress: SpecgdSupport.Progress?,
                                 cancellation: CancellationToken?) throws -> Repetition {
        let c = configuration
        let start = Date()
        var trainer = try Trainer(configuration: c, repetition: repetition, problem: problem)
        var statistics = SummaryStatistics(problem: problem, width: c.resolvedWidth)
        var table = Table(columns: TrajectoryColumns.simulation + (c.updateSpectrum ? TrajectoryColumns.updateSpectrum : []))
        let loopStart = Date()
        var lastReported = 0
        // Escape is watched at every step until it happens (a few O(d·m) products, against the
        // step's O(d·m²)); recorded rows feed it too, with their loss, so the final values are the
        // last row's.
        var escape: EscapeTracker?
        func observe(_ k: Int, _ s: SummaryStatistics.Values, loss: Double) {
            let o = Observables(a: s.a, b: s.b, c: s.c, q: s.q, trace: s.trace, loss: loss,
                                alignment: s.alignment, spikeAlignment: s.spikeAlignment)
            if escape == nil { escape = EscapeTracker(start: o, threshold: c.experiment.escapeThreshold) }
            escape!.observe(step: k, o)
        }
        func result(_ stop: (any Error)?) -> Repetition {
            // Step 0 is recorded before anything can stop the loop, so the tracker exists.
            Repetition(table: table, escape: escape!.metrics(steps: Int(table.column("step")?.last ?? 0)),
                       loopSeconds: Date().timeIntervalSince(loopStart), stop: stop)
        }
        func record(_ k: Int) {
            trainer.evaluate()
            let train = trainer.trainLoss
            let loss = c.training == .population ? train : trainer.populationLoss()
            let s = statistics.measure(trainer.weights)
            observe(k, s, loss: loss)
            var row = [Double(k), s.a, s.b, s.c, s.q, loss, s.alignment, s.spikeAlignment, train,
                       c.recordWallTime ? Date().timeIntervalSince(start) : 0]
            if c.updateSpectrum {
                // NaN for a row whose update was not factored (a run interrupted between recorded steps).
                let current = trainer.updateSpectrumStep == k
                row += [current ? trainer.updateSpectrum.min : .nan, current ? trainer.updateSpectrum.max : .nan]
            }
            table.append(row)
        }
        for k in 0...c.steps {
            let recorded = k % c.every == 0 || k == c.steps
            if recorded { record(k) } else if escape?.hasEscaped == false { observe(k, statistics.measure(trainer.weights), loss: .nan) }
            // Every step, not only recorded ones: a dense step costs ≥ µs, so progress (a lock
            // and a clock read) and the cancellation poll are invisible, and a long run with a
            // large --every still reports and stops promptly.
            if let progress, k > lastReported {
                progress.advance(by: k - lastReported)
                lastReported = k
            }
            if k == c.steps { break }
            if let reason = cancellation?.cancellationReason {
                if !recorded { record(k) }  // keep the state reached
                return result(RunInterrupted(step: k, reason: reason))
            }
            do {
                try trainer.step()
            } catch let error as DivergenceError {
                return result(error)
            }
        }
        return result(nil)
    }
}

/// One repetition's trajectory, the wall time of its step loop and of the whole repetition,
/// and what stopped it early (nil: it ran to the end).
private struct Repetition: @unchecked Sendable {
    var table: Table
    var escape: EscapeMetrics
    var loopSeconds: Double
    var stop: (any Error)?
    var seconds = 0.0

    /// Steps taken: a stopped run's per-step time is over the steps it made.
    var steps: Int {
        switch stop {
        case let interrupted as RunInterrupted: interrupted.step
        case let divergence as DivergenceError: divergence.step
        default: Int(table.column("step")?.last ?? 0)
        }
    }
}

/// Thrown by a worker whose repetition stopped, so no further repetition is handed out.
private struct RepetitionStopped: Error {}

/// Where worker threads put finished repetitions, by index, so the result is in seed order.
private final class RepetitionSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Repetition?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ repetition: Repetition) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = repetition
    }

    /// Every slot in seed order; nil for repetitions not run (after a stop).
    var runs: [Repetition?] {
        lock.lock(); defer { lock.unlock() }
        return slots
    }
}

/// Runs `configuration` (all repetitions) and returns per-seed and aggregate tables.
public func runSimulation(_ configuration: SimulationConfiguration, jobs: Int = 1,
                          progress: SpecgdSupport.Progress? = nil) throws -> SimulationResult {
    try Simulator(configuration).run(jobs: jobs, progress: progress)
}
