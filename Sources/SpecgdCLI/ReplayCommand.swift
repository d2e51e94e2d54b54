import ArgumentParser
import Experiments
import Foundation
import Model
import NumericKit
import Simulation
import SpecgdSupport
import Sweep
import Theory

/// `specgd replay`: reruns the configuration in a run record through the command that wrote it
/// (the same write paths), so the outputs are byte-identical to the original run's.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rerun the configuration in a run record and write the same outputs again.",
        discussion: """
        RECORD is the JSON record of a run: PATH.json next to a theory or simulate PATH.csv, \
        DIR/sweep.json of a sweep, DIR/escape-check.json of check-escape or DIR/report.json of compare. The recorded configuration (seeds included) runs again and the \
        outputs are byte-identical to the original's, except for the record's own command, createdAt, \
        machine and a replayOf field (the original record's path and createdAt).

        Outputs: theory and simulate write DIR/<name>.csv, DIR/<name>.json (and DIR/<name>.seeds.csv \
        with several seeds), <name> being RECORD's file name without .json; DIR defaults to \
        replay-<name> next to RECORD. A sweep is rerun into DIR as its sweep directory (cells.csv, \
        sweep.json); DIR defaults to replay-<sweep directory name> next to the sweep directory; check-escape and compare likewise (a new or \
        empty DIR gets its whole output set). \
        Existing outputs are never overwritten: an existing file, or a non-empty sweep DIR, is refused.

        Wall time cannot be reproduced: a simulate run recorded with wall time is replayed without it \
        (one stderr line says so). A simulate run is replayed with the BLAS thread count in its \
        record's machine block. Other record kinds (figures, plot-phase) are \
        refused with a one-line error.

        Example: specgd replay out/gd.json   (→ out/replay-gd/gd.csv, out/replay-gd/gd.json)
        """)

    @Argument(help: ArgumentHelp("The run record to replay.", valueName: "record.json"))
    var record: String

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Where the outputs go (default: replay-<name> next to the record; see above).", valueName: "dir"))
    var outputDirectory: String?

    @Option(parsing: .unconditional, help: "Worker threads for simulate seeds and sweep cells (default: the number of cores). Outputs do not depend on it.")
    var jobs: Int?

    @OptionGroup var resources: ResourceOptions

    static let replayable = ["theory", "simulate", "sweep", "check-escape", "compare"]

    func validate() throws { try OptionNames.translating(checkOptions) }

    private func checkOptions() throws {
        if let jobs { try Validate.atLeast(jobs, 1, "jobs") }
        if let outputDirectory { try OutputPath.checkDirectory(outputDirectory) }
    }

    func run() throws {
        // Sized before it is read (a record is JSON: ≈ 30 bytes of memory a byte, as --config).
        try resources.limit.checkInput(record, option: "the record")
        guard let data = FileManager.default.contents(atPath: record) else {
            throw InputError("\(record) not found or not readable")
        }
        let header = try RecordHeader.read(data, file: record)
        let source = ReplaySource(path: record, createdAt: header.createdAt)
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        switch header.kind {
        case "theory": try replayTheory(data, source: source)
        case "simulate": try replaySimulate(data, source: source, workers: workers)
        case "sweep":
            let config = try SweepRecord.read(data, file: record)
            let directory = outputDirectory ?? Self.defaultSiblingDirectory(for: record)
            try OutputPath.checkDirectory(directory)
            try SweepCommand.perform(config, directory: directory, jobs: workers, memoryLimit: resources.limit,
                                     resume: false, replayOf: source)
        case "check-escape": try replayCheckEscape(data, source: source, workers: workers)
        case "compare": try replayCompare(data, source: source, workers: workers)
        default:
            throw InputError("cannot replay a '\(header.kind)' record (\(record)): replay reruns \(Self.replayable.joined(separator: ", ")) records")
        }
    }

    /// A theory record: its configuration, checked as `theory` checks it, into the record's outputs.
    func replayTheory(_ data: Data, source: ReplaySource) throws {
        let stored = try RunRecord<TheoryConfiguration, Unread>.read(data, file: record)
        let config = stored.configuration
        try Self.rejectIgnoredKeys(config, in: data, file: record)
        try config.validate()
        try resources.check(config.memoryEstimate, for: "theory")
        let outputs = try prepareOutputs(extensions: [".csv", ".json"])
        try TheoryCommand.perform(config, output: outputs.csv, replayOf: source)
    }

    /// A simulate record: wall time off (it cannot be reproduced), the recorded BLAS threads.
    func replaySimulate(_ data: Data, source: ReplaySource, workers: Int) throws {
        let stored = try RunRecord<SimulationConfiguration, SimulationSummary>.read(data, file: record)
        var config = stored.configuration
        try Self.rejectIgnoredKeys(config, in: data, file: record)
        let blasThreads = max(stored.machine.blas.threads, 1)
        let recordedWallTime = config.recordWallTime
        config.recordWallTime = false
        try config.validate()
        let simulateJobs = blasThreads > 1 ? 1 : workers
        try resources.check(config.memoryEstimate(jobs: simulateJobs), for: "simulate")
        let outputs = try prepareOutputs(extensions: [".csv", ".json"] + (config.seeds > 1 ? [".seeds.csv"] : []))
        // Said once every check has passed: a replay that fails says `Error: …` first and only.
        if recordedWallTime {
            FileHandle.standardError.write(Data("specgd replay: \(record) recorded wall time, which cannot be reproduced; replaying with --no-wall-time\n".utf8))
        }
        NumericKit.setBLASThreads(blasThreads)
        try SimulateCommand.perform(config, output: outputs.csv,
                                    jobs: simulateJobs, replayOf: source)
    }

    /// A check-escape record: the request its configuration describes, into a new folder.
    func replayCheckEscape(_ data: Data, source: ReplaySource, workers: Int) throws {
        let stored = try RunRecord<CheckEscapeConfiguration, Unread>.read(data, file: record)
        try Self.rejectIgnoredKeys(stored.configuration, in: data, file: record)
        let request = try CheckEscapeRequest(stored.configuration)
        let directory = outputDirectory ?? Self.defaultSiblingDirectory(for: record)
        try Self.checkNewOrEmpty(directory)
        try CheckEscapeCommand.perform(request, directory: directory, jobs: workers, replayOf: source)
    }

    /// A compare record: the request of its configuration and first method's sides, into a new folder.
    func replayCompare(_ data: Data, source: ReplaySource, workers: Int) throws {
        let stored = try RunRecord<CompareConfiguration, CompareSummary>.read(data, file: record)
        try Self.rejectIgnoredKeys(stored.configuration, in: data, file: record)
        guard let first = stored.summary.methods.first else {
            throw InputError("\(record): summary.methods is empty; no configuration to replay")
        }
        let methods = try stored.configuration.methods.map { name in
            guard let method = Method(rawValue: name) else { throw InputError("\(record): unknown method '\(name)' in configuration.methods") }
            return method
        }
        // The recorded theory side has theoryLambda in place of λ; the request holds the common λ.
        var theory = first.theory
        if stored.configuration.theoryLambda != nil { theory.lambda = first.simulation.lambda }
        let request = CompareRequest(methods: methods, theory: theory, simulation: first.simulation,
                                     theoryLambda: stored.configuration.theoryLambda,
                                     tolerance: stored.configuration.tolerance,
                                     toleranceFloor: stored.configuration.toleranceFloor,
                                     seedSpread: stored.configuration.seedSpread)
        let directory = outputDirectory ?? Self.defaultSiblingDirectory(for: record)
        try Self.checkNewOrEmpty(directory)
        try CompareCommand.perform(request, directory: directory, jobs: workers, replayOf: source)
    }

    /// The record's file name without `.json`.
    static func baseName(of path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.hasSuffix(".json") ? String(name.dropLast(5)) : name
    }

    /// replay-<name> next to a theory or simulate record.
    static func defaultDirectory(for record: String) -> String {
        ((record as NSString).deletingLastPathComponent as NSString).appendingPathComponent("replay-" + baseName(of: record))
    }

    /// replay-<directory name> next to the (sweep, check-escape or compare) directory holding the record.
    static func defaultSiblingDirectory(for record: String) -> String {
        let directory = (record as NSString).deletingLastPathComponent
        let absolute = directory.isEmpty ? FileManager.default.currentDirectoryPath : directory
        let name = (absolute as NSString).standardizingPath
        return ((name as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("replay-" + (name as NSString).lastPathComponent)
    }

    /// DIR (created if new; its parent must exist) and DIR/<name>.csv, none of whose outputs
    /// may exist yet.
    private func prepareOutputs(extensions: [String]) throws -> (directory: String, csv: String) {
        let directory = outputDirectory ?? Self.defaultDirectory(for: record)
        try OutputPath.checkDirectory(directory)
        let stem = (directory as NSString).appendingPathComponent(Self.baseName(of: record))
        for ext in extensions where FileManager.default.fileExists(atPath: stem + ext) {
            throw InputError("\(stem + ext) exists; replay never overwrites outputs: remove it or choose another --output-dir")
        }
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        }
        return (directory, stem + ".csv")
    }

    /// A directory replay writes a whole output set into: new, or existing and empty.
    static func checkNewOrEmpty(_ directory: String) throws {
        try OutputPath.checkDirectory(directory)
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if !contents.isEmpty {
            throw InputError("--output-dir \(directory) is not empty; replay never overwrites outputs: choose a new directory")
        }
    }

    /// A configuration key the type does not know (a hand edit) is refused, not ignored.
    /// A key the configuration does not know is refused, and so is one it needs that the record
    /// lacks: a record must say what ran, not leave a field to today's default (a theory record
    /// without `lambda` would replay with λ = 8).
    private static func rejectIgnoredKeys<C: Encodable>(_ configuration: C, in data: Data, file: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let stored = object["configuration"],
              let storedData = try? JSONSerialization.data(withJSONObject: stored) else { return }
        let reencoded = try JSONOutput.encode(configuration)
        if let key = JSONPath.firstIgnoredKey(in: storedData, reencoded: reencoded) {
            throw InputError("\(file): unknown key 'configuration.\(key)'")
        }
        if let key = JSONPath.firstIgnoredKey(in: reencoded, reencoded: storedData) {
            throw InputError("\(file): the record lacks 'configuration.\(key)'; a record must carry every field of what ran")
        }
    }
}
