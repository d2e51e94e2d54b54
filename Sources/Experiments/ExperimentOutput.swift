import Model
import Foundation
import Machine
import Plot
import PlotRecipes
import SpecgdSupport

/// The files one experiment run produces, held in memory until `write(to:command:)` puts them
/// in a directory: the one place the experiments touch the disk. A run returns its record and
/// its output; the caller (the CLI, a test, a later `replay`) decides where, and whether, to
/// write them.
public struct ExperimentOutput: Sendable {
    /// One output file (or, for a figure, the SVG and its recipe).
    public enum File: Sendable {
        /// A CSV table.
        case table(Table)
        /// A JSON run record (`RunRecord`), encoded when written so it carries the command,
        /// the time of writing, for `specgd replay` the record replayed, and the figures
        /// converted to PNG or PDF.
        case record(@Sendable (_ command: [String], _ replayOf: ReplaySource?, _ convertedFigures: [String]) throws -> Data)
        /// A figure: `NAME.svg` (rendered from `tables`, keyed by CSV name) and `NAME.recipe.json`,
        /// plus `NAME.png` / `NAME.pdf` when the output is written with those formats.
        case figure(FigureRecipe, tables: [String: Table])
    }

    public struct Entry: Sendable {
        /// The file name inside the directory (for a figure: its recipe name).
        public var name: String
        public var file: File
    }

    private(set) var entries = [Entry]()

    public init() {}

    /// Adds `NAME` (a CSV).
    public mutating func add(_ name: String, table: Table) {
        entries.append(Entry(name: name, file: .table(table)))
    }

    /// Adds `NAME` (a JSON run record of `kind`).
    public mutating func add<C: Encodable & Sendable, S: Encodable & Sendable>(
        _ name: String, kind: String, configuration: C, summary: S, outcome: RunOutcome? = nil
    ) {
        entries.append(Entry(name: name, file: .record { command, replayOf, converted in
            try JSONOutput.encode(RunRecord(kind: kind, configuration: configuration, summary: summary,
                                            outcome: outcome, command: command, replayOf: replayOf,
                                            convertedFigures: converted))
        }))
    }

    /// Adds the figure `recipe.name` (SVG + recipe), drawn from `tables`.
    public mutating func add(_ recipe: FigureRecipe, tables: [String: Table]) {
        entries.append(Entry(name: recipe.name, file: .figure(recipe, tables: tables)))
    }

    /// Lays every figure out at `size` (`FigureSize.screen`, the recipes' default, leaves them as
    /// they are, byte for byte).
    package mutating func resize(_ size: FigureSize) {
        guard size != .screen else { return }
        updateFigures { $0.size = size }
    }

    /// Changes every figure's recipe (its tables stay).
    package mutating func updateFigures(_ change: (inout FigureRecipe) -> Void) {
        for i in entries.indices {
            if case .figure(var recipe, let tables) = entries[i].file {
                change(&recipe)
                entries[i].file = .figure(recipe, tables: tables)
            }
        }
    }

    /// Every CSV table, by file name.
    public var tables: [String: Table] {
        var out = [String: Table]()
        for entry in entries { if case .table(let t) = entry.file { out[entry.name] = t } }
        return out
    }

    /// Every figure recipe, in order.
    public var figures: [FigureRecipe] {
        entries.compactMap { if case .figure(let r, _) = $0.file { r } else { nil } }
    }

    /// The file names, in order (a figure contributes `NAME.svg` and `NAME.recipe.json`, then
    /// one file for each extra format).
    public var fileNames: [String] { fileNames(formats: .svgOnly) }

    public func fileNames(formats: FigureFormats) -> [String] {
        entries.flatMap { entry -> [String] in
            if case .figure = entry.file {
                return ["\(entry.name).svg", "\(entry.name).recipe.json"] + formats.extraFiles(forSVG: entry.name)
            }
            return [entry.name]
        }
    }

    /// Creates `directory` if needed and writes every file, atomically, in order; records
    /// carry `command` (as the CLI recorded it: `specgd …`), `replayOf` when given and the
    /// names of the figures converted to `formats`' extra formats.
    /// A cancelled `cancellation` stops the writing after the current figure (`RunInterrupted`):
    /// a conversion under way is stopped and that figure's SVG, recipe and conversions are
    /// removed, so every figure left is complete (its CSVs and records stay).
    /// Any other failure (a full disk, a failed conversion) removes every file this call wrote
    /// — and the directory, when this call created it — so no partial set is left; the error
    /// says so.
    public func write(to directory: String, command: [String], replayOf: ReplaySource? = nil,
                      formats: FigureFormats = .svgOnly, cancellation: CancellationToken? = nil) throws {
        let existed = FileManager.default.fileExists(atPath: directory)
        try AtomicFile.createDirectory(directory)
        // All or nothing: a link, FIFO or device where one of the files goes is refused before any is written.
        let names = fileNames(formats: formats)
        for name in names {
            let path = Self.path(name, in: directory)
            try OutputPath.checkReplaceable(path, label: "cannot write \(path): it")
        }
        do {
            try writeEntries(to: directory, command: command, replayOf: replayOf, formats: formats, cancellation: cancellation)
        } catch let error where !(error is RunInterrupted) {
            for name in names { unlink(Self.path(name, in: directory)) }
            if !existed { rmdir(directory) }
            let message = (error as? InputError)?.message ?? error.localizedDescription
            throw InputError("\(message); the outputs written to \(directory) before the failure were removed")
        }
    }

    /// Tables and figures first, in order, then the records, which list the conversions that
    /// were made: a stop in the middle leaves no record naming a PNG or PDF that is not there.
    /// The records written are those of the entries before the stop (the stopped figure's own
    /// CSVs and records come before it), as the tables are.
    private func writeEntries(to directory: String, command: [String], replayOf: ReplaySource?,
                              formats: FigureFormats, cancellation: CancellationToken?) throws {
        var converted = [String](), stop: RunInterrupted?, reached = entries.count
        entries: for (index, entry) in entries.enumerated() {
            let path = Self.path(entry.name, in: directory)
            switch entry.file {
            case .table(let table): try table.writeCSV(to: path)
            case .record: continue
            case .figure(let recipe, let tables):
                try recipe.write(directory: directory, tables: tables)
                do {
                    try formats.convert(svgAt: Self.path("\(recipe.name).svg", in: directory), cancellation: cancellation)
                } catch let interrupted as RunInterrupted {
                    // Stopped mid-conversion: this figure is not finished; what stays is complete.
                    for name in ["\(recipe.name).svg", "\(recipe.name).recipe.json"] + formats.extraFiles(forSVG: recipe.name) {
                        unlink(Self.path(name, in: directory))
                    }
                    (stop, reached) = (interrupted, index)
                    break entries
                }
                converted += formats.extraFiles(forSVG: recipe.name)
                if let reason = cancellation?.cancellationReason {
                    (stop, reached) = (RunInterrupted(step: 0, reason: reason), index + 1)
                    break entries
                }
            }
        }
        for entry in entries.prefix(reached) {
            if case .record(let encode) = entry.file {
                try AtomicFile.write(try encode(command, replayOf, converted), to: Self.path(entry.name, in: directory))
            }
        }
        if let stop { throw stop }
    }

    package static func path(_ name: String, in directory: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }
}
