import Model
import Foundation
import SpecgdSupport

/// What a run of `SweepRunner` did.
public struct SweepReport: Sendable, Equatable {
    /// Cells this run (or shard) is responsible for.
    public var cells: Int
    /// Cells already in cells.csv when it started (non-zero only with resume).
    public var alreadyDone: Int
    /// Cells evaluated by this run.
    public var evaluated: Int
    /// Diverged cells among all finished ones.
    public var diverged: Int
    var complete: Bool { alreadyDone + evaluated == cells }
}

/// Runs a sweep into a directory: parallel over `jobs` threads, appending each finished cell
/// to cells.csv as it completes, resumable after any interruption.
///
/// Determinism: a cell's values depend only on the configuration and its index (the seed is
/// derived from both), never on the job count, the shard or the order cells finish in; and
/// when the last cell is in, cells.csv is rewritten sorted by cell, so the same sweep gives
/// the same bytes however it was run.
public struct SweepRunner: Sendable {
    public var configuration: SweepConfiguration
    public var directory: String
    var jobs: Int
    var resume: Bool
    /// How progress is shown (the caller decides: a bar on a terminal, plain lines in a log —
    /// the library reads no process state), when its lines come, and what the one-time
    /// estimate of a long sweep suggests to shorten it (the CLI's option names).
    var progress: SpecgdSupport.Progress.Mode
    public var progressSchedule = SpecgdSupport.Progress.Schedule()
    public var estimateHint: String?
    public var command: [String]
    /// Test hook of the kill-and-resume test: the cell writer syncs its N-th line and then
    /// stops for good (the process keeps running until killed), so the test kills a sweep at a
    /// known point whatever the machine's speed. nil (always, outside that test): no effect.
    package var stallAfterCells: Int?
    /// The record a `specgd replay` reruns, written into sweep.json's `replayOf`.
    public var replayOf: ReplaySource?
    /// Polled before each work item and inside every cell's runs (`CellControl`, every
    /// `DiscreteMap.pollInterval` map steps or every dense step): once cancelled, no further
    /// cells start, the cells being evaluated stop where they are and are dropped (a cell is
    /// all its steps or nothing), every finished cell is in cells.csv, sweep.json says
    /// `interrupted`, and `run` throws `RunInterrupted` (step: the cells in cells.csv), the
    /// sweep resumable with `resume`.
    public var cancellation: CancellationToken?

    public init(configuration: SweepConfiguration, directory: String, jobs: Int,
                resume: Bool = false, progress: SpecgdSupport.Progress.Mode,
                command: [String]) {
        self.configuration = configuration
        self.directory = directory
        self.jobs = jobs
        self.resume = resume
        self.progress = progress
        self.command = command
    }

    public func run(evaluator: any CellEvaluator) throws -> SweepReport {
        try Validate.atLeast(jobs, 1, "jobs")
        try validateCells(evaluator)
        try checkNotAFile()
        try AtomicFile.createDirectory(directory)
        let lock = try DirectoryLock(directory)
        defer { lock.release() }
        try prepareDirectory()

        let cellsPath = SweepRecord.cellsPath(directory)
        var done = [Int: String]()
        if FileManager.default.fileExists(atPath: cellsPath) {
            done = try CellsFile.load(directory, configuration: configuration, repair: true)
        }
        let pending = configuration.cells.filter { done[$0] == nil }
        let writer = try CellWriter(path: cellsPath, header: CellsFile.header(configuration), stallAfter: stallAfterCells)
        // ETA by the evaluator's work model: cells of a grid over steps or d differ in cost.
        let totalWork = pending.reduce(0.0) { $0 + evaluator.work(self.configuration.point(at: $1)) }
        let progress = SpecgdSupport.Progress(label: "sweep", total: pending.count, unit: "cells", mode: pending.isEmpty ? .off : self.progress,
                                schedule: progressSchedule, totalWork: totalWork)
        progress.estimateHint = estimateHint
        let configuration = self.configuration, cancellation = self.cancellation
        let work = Result {
            try WorkerThreads.forEach(Self.batches(pending, configuration: configuration, evaluator: evaluator, jobs: jobs),
                                      workers: jobs, name: "specgd-sweep") { item in
                try cancellation?.check(step: 0)
                // The item's steps (one unit per step of one trajectory; escape_ratio's other
                // side and a trajectory pass run beyond them and are not counted) credit its
                // work as they run, so a long cell moves the bar, the lines and the estimate.
                // (Summed in Double: 64 cells of an absurd --steps must not overflow an Int.)
                let steps = item.reduce(0.0) { $0 + Double($1.point.steps) * Double($1.point.seeds ?? 1) }
                let part = progress.part(units: Int(min(steps, 1e18)), work: item.reduce(0.0) { $0 + evaluator.work($1.point) })
                let outcomes = try evaluator.outcomes(item.map(\.point), metrics: configuration.metrics, ratio: configuration.escapeRatio,
                                                      control: CellControl(cancellation: cancellation, progress: part))
                for ((cell, point), outcome) in zip(item, outcomes) {
                    writer.append(CellsFile.line(cell: cell, configuration: configuration, point: point, outcome: outcome))
                }
                progress.advance(by: item.count, work: part.remainingWork)
            }
        }
        progress.finish()
        // Every finished cell's line is written and synced before anything else happens, on an
        // interruption too (the writer appends asynchronously).
        try writer.finish()
        do {
            _ = try work.get()  // throws unless every item finished
        } catch let stop as RunInterrupted {
            let kept = try CellsFile.load(directory, configuration: configuration, repair: false).count
            try SweepRecord.recordOutcome(RunOutcome(status: .interrupted, lastStep: kept, detail: stop.reason), in: directory)
            throw RunInterrupted(step: kept, reason: stop.reason)
        }
        let evaluated = pending.count

        let all = try CellsFile.load(directory, configuration: configuration, repair: false)
        let report = SweepReport(cells: configuration.cells.count, alreadyDone: done.count,
                                 evaluated: evaluated,
                                 diverged: all.values.filter { $0.contains(",diverged,") }.count)
        if all.count == configuration.cells.count {
            try AtomicFile.write(CellsFile.sorted(all, configuration: configuration), to: cellsPath)
        }
        try SweepRecord.recordOutcome(.completed(all.count), in: directory)
        return report
    }

    /// The pending cells as work items: one cell each, or, where the evaluator evaluates rows
    /// (`CellEvaluator.rowKey`), runs of cells sharing a row, in chunks of at most
    /// `maximumBatch` and small enough that every worker gets about two items. Which cells
    /// share an item never changes a value (`outcomes` equals `outcome` cell by cell).
    static func batches(_ pending: [Int], configuration: SweepConfiguration, evaluator: any CellEvaluator,
                        jobs: Int) -> [[(cell: Int, point: ModelPoint)]] {
        var rows: [ModelPoint: Int] = [:]  // row key → index in `grouped`
        var grouped: [[(cell: Int, point: ModelPoint)]] = [], single: [[(cell: Int, point: ModelPoint)]] = []
        for cell in pending {
            let point = configuration.point(at: cell)
            guard let key = evaluator.rowKey(point) else { single.append([(cell, point)]); continue }
            if let i = rows[key] { grouped[i].append((cell, point)) } else { rows[key] = grouped.count; grouped.append([(cell, point)]) }
        }
        let size = max(1, min(maximumBatch, (pending.count + 2 * jobs - 1) / (2 * jobs)))
        return grouped.flatMap { row in
            stride(from: 0, to: row.count, by: size).map { Array(row[$0..<min($0 + size, row.count)]) }
        } + single
    }

    /// What `run` would do, found by the checks it makes before computing anything, without
    /// creating or writing a file: every cell of the grid (all shards, so one dry run checks a
    /// whole sharded sweep), the directory (not a file; empty unless resuming; resuming, the
    /// same sweep) and, resuming, the cells already in cells.csv. `evaluated` is the cells this
    /// run (or shard) would still evaluate.
    public func dryRun(evaluator: any CellEvaluator) throws -> SweepReport {
        try Validate.atLeast(jobs, 1, "jobs")
        var whole = self
        whole.configuration.shard = nil
        try whole.validateCells(evaluator)
        try checkNotAFile()
        var done = 0
        if FileManager.default.fileExists(atPath: directory) {
            _ = try checkDirectoryContents()
            if FileManager.default.fileExists(atPath: SweepRecord.cellsPath(directory)) {
                let cells = Set(configuration.cells)
                done = try CellsFile.load(directory, configuration: configuration, repair: false).keys.filter(cells.contains).count
            }
        }
        let count = configuration.cells.count
        return SweepReport(cells: count, alreadyDone: done, evaluated: count - done, diverged: 0)
    }

    private func checkNotAFile() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw InputError("\(InputError.field("outputDirectory")) \(directory) is a file, not a directory")
        }
    }

    /// Enough cells to fill the vector units, few enough that an interruption loses little.
    static let maximumBatch = 64

    /// Every cell is checked before the directory is touched, so a bad combination (say an
    /// identity start with width ≠ dim) fails at once, naming the first such cell, and
    /// leaves nothing to clean up.
    private func validateCells(_ evaluator: any CellEvaluator) throws {
        try configuration.checkOptimizer()
        try configuration.checkLawDraws()
        let ratio = configuration.metrics.contains(.escapeRatio) ? configuration.escapeRatio : nil
        for cell in configuration.cells {
            do {
                try configuration.checkDerived(at: cell)
                try evaluator.validate(configuration.point(at: cell), ratio: ratio)
            } catch let error as InputError {
                let values = zip(configuration.grid.names, configuration.grid.texts(at: cell))
                    .map { "\($0)=\($1)" }.joined(separator: " ")
                throw error.prefixed("cell \(cell) (\(values)): ")
            }
        }
    }

    /// A fresh directory gets sweep.json; an existing one must be empty, or (with resume)
    /// hold this very sweep.
    private func prepareDirectory() throws {
        if try checkDirectoryContents() {
            try SweepRecord.write(configuration, to: directory, command: command, replayOf: replayOf)
        }
    }

    /// The refusals of `prepareDirectory`; true when the directory is empty (it gets sweep.json).
    private func checkDirectoryContents() throws -> Bool {
        let manager = FileManager.default
        let contents = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        let recordExists = manager.fileExists(atPath: SweepRecord.path(directory))
        if resume && recordExists {
            let stored = try SweepRecord.read(from: directory)
            let differences = configuration.differences(from: stored)
            guard differences.isEmpty else {
                throw InputError("\(InputError.field("resume")): \(directory) holds a different sweep (\(differences.joined(separator: "; "))); rerun with its options or use a new \(InputError.field("outputDirectory"))")
            }
            return false
        }
        guard contents.isEmpty else {
            if resume {
                throw InputError("\(InputError.field("resume")): \(directory) is not empty but has no \(SweepRecord.fileName); it is not a sweep directory")
            }
            throw InputError("\(InputError.field("outputDirectory")) \(directory) is not empty; pass \(InputError.field("resume")) to continue the sweep in it, or choose a new directory")
        }
        return true
    }
}

/// An exclusive flock on the sweep directory itself (no lock file left behind), so two
/// processes never append to one cells.csv. Released when the process dies, even by kill -9.
struct DirectoryLock {
    private let fd: Int32

    init(_ directory: String) throws {
        fd = open(directory, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw InputError("cannot open \(directory): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw InputError("another specgd sweep is running in \(directory)")
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
