import Model
import ArgumentParser
import SpecgdSupport
import Sweep

/// `specgd merge`: shard directories of one sweep → one complete sweep directory.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the shard directories of a sharded sweep into one complete sweep directory.",
        discussion: """
        Every input must hold the same sweep (identical sweep.json apart from the shard), \
        with one shard count, and together every cell exactly once; otherwise nothing is \
        written and the message lists the missing shards and cells. The output holds \
        sweep.json (no shard) and cells.csv sorted by cell — identical to an unsharded run.

        Example: specgd merge runs/phase-1 runs/phase-2 runs/phase-3 --output-dir runs/phase
        """)

    @Argument(help: ArgumentHelp("Shard directories written by `specgd sweep --shard I/N`.", valueName: "dir"))
    var directories: [String] = []

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Where to write the merged sweep (default: 'merged' next to the first input).", valueName: "dir"))
    var outputDirectory: String?

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give the shard directories to merge") }
        if let outputDirectory { try OutputPath.checkDirectory(outputDirectory) }
    }

    func run() throws {
        let output = outputDirectory ?? SweepMerge.defaultOutput(for: directories)
        let result = try SweepMerge.merge(directories, into: output, command: CommandWords.arguments)
        print("merge: \(directories.count) director\(directories.count == 1 ? "y" : "ies"), \(result.cells) cells → \(SweepRecord.cellsPath(result.directory))")
    }
}
