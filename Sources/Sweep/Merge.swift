import Model
import Foundation
import SpecgdSupport

/// Combines the directories of a sharded sweep into one whole sweep directory.
///
/// Refuses (with a message saying what is wrong) unless every input holds the same sweep
/// apart from its shard field, all use the same shard count, and together they hold every
/// cell exactly once. The merged directory is indistinguishable from an unsharded run: its
/// sweep.json has no shard and its cells.csv is sorted by cell.
public enum SweepMerge {
    public struct Result: Sendable, Equatable {
        public var directory: String
        public var cells: Int
    }

    /// The default output: `merged` next to the first input.
    public static func defaultOutput(for inputs: [String]) -> String {
        let first = URL(fileURLWithPath: inputs[0]).standardizedFileURL
        return first.deletingLastPathComponent().appendingPathComponent("merged").path
    }

    public static func merge(_ inputs: [String], into output: String,
                             command: [String]) throws -> Result {
        guard !inputs.isEmpty else { throw InputError("merge needs at least one sweep directory") }
        let outputURL = URL(fileURLWithPath: output).standardizedFileURL
        let inputURLs = inputs.map { URL(fileURLWithPath: $0).standardizedFileURL }
        if inputURLs.contains(outputURL) { throw InputError("merge: \(InputError.field("outputDirectory")) \(output) is one of the inputs") }
        if Set(inputURLs).count != inputURLs.count { throw InputError("merge: a directory is listed twice") }

        let configurations = try inputs.map { try SweepRecord.read(from: $0) }
        let reference = configurations[0]
        for (input, configuration) in zip(inputs, configurations).dropFirst() {
            let differences = reference.differences(from: configuration, ignoringShard: true)
            guard differences.isEmpty else {
                throw InputError("merge: \(input) is a different sweep from \(inputs[0]) (\(differences.joined(separator: "; ")))")
            }
        }
        let counts = Set(configurations.map { $0.shard?.count ?? 1 })
        guard counts.count == 1 else {
            throw InputError("merge: the inputs mix shard counts \(counts.sorted().map(String.init).joined(separator: ", ")); merge shards of one \(InputError.field("shard")) I/N split")
        }
        var whole = reference
        whole.shard = nil
        let shardCount = counts.first!

        var byShard = [Int: String]()
        var cells = [Int: String]()
        for (input, configuration) in zip(inputs, configurations) {
            let shardIndex = configuration.shard?.index ?? 1
            if let other = byShard[shardIndex] {
                throw InputError("merge: \(input) and \(other) are both shard \(shardIndex)/\(shardCount)")
            }
            byShard[shardIndex] = input
            for (cell, line) in try CellsFile.load(input, configuration: configuration, repair: false) {
                guard cells[cell] == nil else { throw InputError("merge: cell \(cell) appears in more than one input") }
                cells[cell] = line
            }
        }
        let missingShards = (1...shardCount).filter { byShard[$0] == nil }
        let missingCells = (0..<whole.grid.count).filter { cells[$0] == nil }
        guard missingShards.isEmpty && missingCells.isEmpty else {
            var parts = [String]()
            if !missingShards.isEmpty {
                parts.append("missing shard\(missingShards.count > 1 ? "s" : "") \(missingShards.map { "\($0)/\(shardCount)" }.joined(separator: ", "))")
            }
            parts.append("\(missingCells.count) of \(whole.grid.count) cells missing: \(ranges(missingCells))")
            throw InputError("merge: incomplete sweep — \(parts.joined(separator: "; ")) (rerun unfinished shards with \(InputError.field("resume")))")
        }
        try checkOutput(output, holds: whole)
        try AtomicFile.createDirectory(output)
        try SweepRecord.write(whole, to: output, command: command)
        try AtomicFile.write(CellsFile.sorted(cells, configuration: whole), to: SweepRecord.cellsPath(output))
        return Result(directory: output, cells: cells.count)
    }

    /// The output must be new, empty, or an earlier merge of this same sweep (so a rerun of
    /// a merge job is harmless but another sweep's results are never overwritten).
    private static func checkOutput(_ output: String, holds whole: SweepConfiguration) throws {
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        guard !contents.isEmpty else { return }
        guard let existing = try? SweepRecord.read(from: output), existing.differences(from: whole).isEmpty,
              Set(contents).isSubset(of: [SweepRecord.fileName, SweepRecord.cellsFileName]) else {
            throw InputError("merge: \(InputError.field("outputDirectory")) \(output) is not empty and is not an earlier merge of this sweep; choose a new directory")
        }
    }

    /// "3, 7-9, 12, … (and 40 more)": a short listing of cell indices.
    static func ranges(_ cells: [Int], limit: Int = 12) -> String {
        var runs = [(Int, Int)]()
        for cell in cells {
            if let last = runs.last, last.1 + 1 == cell { runs[runs.count - 1].1 = cell } else { runs.append((cell, cell)) }
        }
        let shown = runs.prefix(limit).map { $0.0 == $0.1 ? "cell \($0.0)" : "cells \($0.0)-\($0.1)" }
        let rest = runs.count > limit ? ", … (\(runs.count - limit) more runs)" : ""
        return shown.joined(separator: ", ") + rest
    }
}
