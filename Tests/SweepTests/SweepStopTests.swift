import Foundation
import Testing
@testable import Sweep
import SpecgdSupport
import Model
import Theory

/// A sweep stops inside a cell: every loop a cell runs (the exact maps one cell and a row at a
/// time, the trajectory pass, the dense runs) polls the sweep's token, so a signal during a cell
/// of 10⁹ steps is seen within `DiscreteMap.pollInterval` steps, not at the cell's end; the
/// finished cells stay, sweep.json says interrupted, and resume completes the sweep.
@Suite struct SweepStopTests {
    /// A progress that cancels `token` at its `stopAt`-th line: with quiet and interval 0 and a
    /// frozen clock every poll's advance writes one line (and no estimate: the 2⁴⁰ units are
    /// projected to take no time), so the token is cancelled at exactly the stopAt-th poll of
    /// the run — no timing involved.
    static func stopper(_ token: CancellationToken, atPoll stopAt: Int) -> SpecgdSupport.Progress {
        let count = Counter()
        return SpecgdSupport.Progress(label: "test", total: 1 << 40, mode: .lines, schedule: .init(quiet: 0, interval: 0),
                                      clock: { 0 }, write: { _ in if count.next() == stopAt { token.cancel(reason: "test") } })
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }

    static let interval = DiscreteMap.pollInterval

    static func point(_ method: Method = .gd, steps: Int = 10 * interval, lambda: Double = 8, lr: Double = 1e-6) -> ModelPoint {
        ModelPoint(method: method, lambda: lambda, dimension: 200, alpha: 1e-3, learningRate: lr, steps: steps,
                   escapeThreshold: 0.5, seed: 3)
    }

    /// Each path throws `RunInterrupted` at the poll the token was cancelled at: without a poll
    /// the run would go on to its last step and return.
    @Test func everyCellLoopStopsAtThePollAfterTheCancellation() throws {
        let model = try Self.point().groupedModel()
        let start = model.identityStart(alpha: 1e-3)
        let steps = 10 * Self.interval
        func stopsAt(_ poll: Int, _ run: (CancellationToken, SpecgdSupport.Progress) throws -> Void) -> Int? {
            let token = CancellationToken()
            do { try run(token, Self.stopper(token, atPoll: poll)) } catch let stop as RunInterrupted { return stop.step } catch { return -1 }
            return nil
        }
        // One cell of the discrete map and of the optimizer map.
        #expect(stopsAt(2) { token, p in
            _ = try DiscreteMap(model: model, method: .gd, learningRate: 1e-6)
                .escapeMetrics(from: start, steps: steps, cancellation: token, progress: p)
        } == 2 * Self.interval)
        let muon = Optimizer(method: .specgd, polar: .ns5, momentum: 0.9, nesterov: true)
        #expect(stopsAt(1) { token, p in
            _ = try OptimizerMap(model: model, optimizer: muon, learningRate: 1e-6)
                .escapeMetrics(from: start, steps: steps, cancellation: token, progress: p)
        } == Self.interval)
        // A row of cells stepped together (the batched maps).
        #expect(stopsAt(3) { token, p in
            _ = try DiscreteMap.escapeResults(model: model, method: .specgd, learningRates: [1e-6, 2e-6], from: start, steps: steps,
                                              cancellation: token, progress: p)
        } == 3 * Self.interval)
        #expect(stopsAt(1) { token, p in
            _ = try OptimizerMap.escapeResults(model: model, optimizer: muon, learningRates: [1e-6, 2e-6], from: start, steps: steps,
                                               cancellation: token, progress: p)
        } == Self.interval)
        // The trajectory pass after the escape pass (its 10 polls): stopped at its own first.
        #expect(stopsAt(11) { token, p in
            _ = try TheoryEvaluator().evaluate(Self.point(), metrics: [.escapeStep, .finalSignal], ratio: .paper,
                                              control: CellControl(cancellation: token, progress: p))
        } == Self.interval)
        // A dense cell polls every step.
        var dense = Self.point(steps: 100_000_000)
        dense.dimension = 8
        #expect(stopsAt(1) { token, p in
            _ = try SimulationEvaluator().evaluate(dense, metrics: [.escapeStep], ratio: .paper,
                                                   control: CellControl(cancellation: token, progress: p))
        } != nil)
    }

    /// Polling reads the state and changes nothing: the batched rows and single cells give the
    /// same metrics, bit for bit, with an active (never cancelled) poll as without.
    @Test func pollingChangesNoNumber() throws {
        let model = try Self.point(lambda: 16).groupedModel()
        let start = model.identityStart(alpha: 1e-3)
        let steps = 3 * Self.interval + 5
        let rates = [1e-4, 3e-4, 2e-3]
        let token = CancellationToken()
        func progress() -> SpecgdSupport.Progress { SpecgdSupport.Progress(label: "t", total: 1, mode: .off) }
        for method in [Method.gd, .specgd] {
            let plain = try DiscreteMap.escapeMetrics(model: model, method: method, learningRates: rates, from: start, steps: steps)
            let polled = try DiscreteMap.escapeMetrics(model: model, method: method, learningRates: rates, from: start, steps: steps,
                                                       cancellation: token, progress: progress())
            #expect(plain == polled)
            #expect(plain.contains { $0.escapeStep != nil }, "the row includes escaping cells")
        }
        let muon = Optimizer(method: .specgd, polar: .ns5, momentum: 0.9)
        let plain = try OptimizerMap.escapeMetrics(model: model, optimizer: muon, learningRates: rates, from: start, steps: steps)
        let polled = try OptimizerMap.escapeMetrics(model: model, optimizer: muon, learningRates: rates, from: start, steps: steps,
                                                    cancellation: token, progress: progress())
        #expect(plain == polled)
        let metrics: [Metric] = [.escapeStep, .finalSignal, .maxSpike, .escapeRatio]
        let point = Self.point(.specgd, steps: steps, lambda: 16, lr: 1e-3)
        // Bit patterns: a metric without a value is NaN, which == never equals.
        #expect(try TheoryEvaluator().evaluate(point, metrics: metrics, ratio: .paper).map(\.bitPattern)
                == TheoryEvaluator().evaluate(point, metrics: metrics, ratio: .paper,
                                              control: CellControl(cancellation: token, progress: progress())).map(\.bitPattern))
    }

    /// Cancels the token when a cell of λ = `stopLambda` starts, then evaluates it (its run
    /// throws at its first poll): the cells before it are finished and written.
    struct CancelsAtCell: CellEvaluator {
        let inner = TheoryEvaluator()
        let stopLambda: Double
        let token: CancellationToken
        func evaluate(_ point: ModelPoint, metrics: [Metric], ratio: EscapeRatio, control: CellControl) throws -> [Double] {
            if point.lambda == stopLambda { token.cancel(reason: "SIGTERM") }
            return try inner.evaluate(point, metrics: metrics, ratio: ratio, control: control)
        }
    }

    @Test func anInterruptedSweepKeepsItsCellsSaysInterruptedAndResumes() throws {
        let configuration = try Fixture.configuration(grid: ["lambda=2,4,8"], metrics: [.escapeStep, .finalAlignment], steps: 3 * Self.interval)
        let directory = try Fixture.directory(), reference = try Fixture.directory()
        defer { for d in [directory, reference] { try? FileManager.default.removeItem(atPath: d) } }
        let token = CancellationToken()
        var runner = SweepRunner(configuration: configuration, directory: directory, jobs: 1, progress: .off, command: ["test"])
        runner.cancellation = token
        #expect(throws: RunInterrupted(step: 1, reason: "SIGTERM")) {
            try runner.run(evaluator: CancelsAtCell(stopLambda: 4, token: token))
        }
        let kept = try Fixture.cells(directory).split(separator: "\n")
        #expect(kept.count == 2, "the header and λ = 2's cell: \(kept)")
        let interrupted = try RunRecord<SweepConfiguration, SweepRecord.Summary>.read(file: SweepRecord.path(directory))
        #expect(interrupted.status == .interrupted && interrupted.lastStep == 1 && interrupted.stopDetail == "SIGTERM")

        let report = try Fixture.run(configuration, in: directory, jobs: 1, resume: true)
        #expect(report.alreadyDone == 1 && report.evaluated == 2 && report.complete)
        let completed = try RunRecord<SweepConfiguration, SweepRecord.Summary>.read(file: SweepRecord.path(directory))
        #expect(completed.status == .completed && completed.lastStep == 3 && completed.stopDetail == nil)
        #expect(completed.createdAt == interrupted.createdAt, "the record is updated, not replaced")
        _ = try Fixture.run(configuration, in: reference, jobs: 2)
        #expect(try Fixture.cells(directory) == Fixture.cells(reference), "interrupted and resumed = run at once, byte for byte")
    }
}
