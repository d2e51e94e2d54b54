import Model
import Foundation
import SpecgdSupport

/// The format of DIR/cells.csv: one header line, then one complete line per finished cell
///   cell,cell_id,<axis…>,<derived…>,<metric…>,seed,status,diverged_step
/// Numbers use `Table.format` (shortest round-trip; nan/inf as pandas reads them); `status`
/// is the word `ok` or `diverged`, `cell_id` `0x` + 16 hex digits. Lines are appended in completion
/// order while a sweep runs and rewritten sorted by cell when it completes.
package enum CellsFile {
    package static func header(_ configuration: SweepConfiguration) -> String {
        configuration.columns.joined(separator: ",") + "\n"
    }

    /// The cells a sweep would evaluate, before any is (`sweep --dry-run`): the columns of
    /// cells.csv up to the metrics — cell, cell_id, the axes, the derived options — for every
    /// cell of the grid, and with a shard (I/N) the shard 1…N each cell belongs to.
    package static func plan(_ configuration: SweepConfiguration) -> String {
        let shardCount = configuration.shard?.count
        var text = (["cell", "cell_id"] + configuration.grid.names + configuration.derivedParameters.map(\.name)
                    + (shardCount == nil ? [] : ["shard"])).joined(separator: ",") + "\n"
        for cell in 0..<configuration.grid.count {
            let point = configuration.point(at: cell)
            var fields = [String(cell), configuration.grid.cellID(at: cell)] + configuration.grid.texts(at: cell)
            fields += configuration.derivedParameters.map { Table.format(point.value($0.parameter)) }
            if let shardCount { fields.append(String(cell % shardCount + 1)) }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// One finished cell as a complete line (with its newline).
    package static func line(cell: Int, configuration: SweepConfiguration, point: ModelPoint,
                            outcome: CellOutcome) -> String {
        var fields = [String(cell), configuration.grid.cellID(at: cell)]
        fields += configuration.grid.texts(at: cell)
        fields += configuration.derivedParameters.map { Table.format(point.value($0.parameter)) }
        fields += outcome.values.map(Table.format)
        if configuration.hasSeedColumn { fields.append(String(point.seed)) }
        fields.append(outcome.status.rawValue)
        fields.append(outcome.divergedStep.map(String.init) ?? "nan")
        return fields.joined(separator: ",") + "\n"
    }

    /// Reads the finished cells of `directory`, keyed by cell index (each value is the line
    /// with its newline). Every line is checked against `configuration` (header, field count,
    /// cell in range and in the shard, cell_id matching the grid), so a file from another
    /// sweep is refused rather than mixed in.
    ///
    /// A final line without its newline is a write torn by a crash: with `repair` it is cut
    /// off the file (the cell simply runs again); without, it is an error.
    package static func load(_ directory: String, configuration: SweepConfiguration,
                            repair: Bool) throws -> [Int: String] {
        let path = SweepRecord.cellsPath(directory)
        guard var data = FileManager.default.contents(atPath: path) else {
            throw InputError("\(path) not found")
        }
        if let last = data.last, last != 0x0A {
            let keep = (data.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
            guard repair else { throw InputError("\(path) ends with an incomplete line; run the sweep again with \(InputError.field("resume"))") }
            guard truncate(path, off_t(keep)) == 0 else {
                throw InputError("cannot truncate the torn last line of \(path): \(String(cString: strerror(errno)))")
            }
            data = data.prefix(keep)
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if lines.isEmpty {
            // A crash between creating the file and writing its header.
            guard repair else { throw InputError("\(path) is empty") }
            return [:]
        }
        let expected = configuration.columns
        let header = lines.removeFirst()
        guard header.split(separator: ",", omittingEmptySubsequences: false).map(String.init) == expected else {
            throw InputError("\(path) has columns '\(header)', this sweep writes '\(expected.joined(separator: ","))'")
        }
        let cellSet = Set(configuration.cells)
        var cells = [Int: String]()
        for (number, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let where_ = "\(path) line \(number + 2)"
            guard fields.count == expected.count else {
                throw InputError("\(where_): \(fields.count) fields, the header has \(expected.count)")
            }
            guard let cell = Int(fields[0]), cellSet.contains(cell) else {
                throw InputError("\(where_): cell '\(fields[0])' is not a cell of this sweep\(configuration.shard.map { " shard \($0)" } ?? "")")
            }
            guard fields[1] == configuration.grid.cellID(at: cell) else {
                throw InputError("\(where_): cell \(cell) has id \(fields[1]), the grid says \(configuration.grid.cellID(at: cell))")
            }
            let full = String(line) + "\n"
            if let previous = cells[cell], previous != full {
                throw InputError("\(where_): cell \(cell) appears twice with different values")
            }
            cells[cell] = full
        }
        return cells
    }

    /// The file's contents sorted by cell: what a completed sweep and `merge` leave behind.
    package static func sorted(_ cells: [Int: String], configuration: SweepConfiguration) -> String {
        var text = header(configuration)
        for cell in cells.keys.sorted() { text += cells[cell]! }
        return text
    }
}

/// cells.csv parsed for reading (plot-phase, tests): text columns by name.
package struct CellsTable: Sendable {
    package let columns: [String]
    package let rows: [[String]]
    let path: String

    /// Refuses, naming the file and line, a row whose field count is not the header's: a
    /// corrupted cells.csv is never drawn as if its rows were cells.
    package init(_ path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError("cannot read \(path)")
        }
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard !lines.isEmpty else { throw InputError("\(path) is empty") }
        let header = lines.removeFirst()
        for (i, line) in lines.enumerated() where line.count != header.count {
            throw InputError("\(path) line \(i + 2): \(line.count) fields, the header has \(header.count)")
        }
        self.path = path
        columns = header
        rows = lines
    }

    /// A numeric column: numbers, `nan`, `inf`; anything else (a word, an empty field) is refused
    /// naming the file, line and column.
    package func numbers(_ name: String) throws -> [Double] {
        guard let j = columns.firstIndex(of: name) else {
            throw InputError("cells.csv has no column '\(name)'; columns: \(columns.joined(separator: ", "))")
        }
        return try rows.enumerated().map { i, row in
            switch row[j].lowercased() {
            case "inf", "+inf": return .infinity
            case "-inf": return -.infinity
            case "nan": return .nan
            default:
                guard let value = Double(row[j]) else {
                    throw InputError("\(path) line \(i + 2): column \(name) holds '\(row[j].prefix(40))', not a number")
                }
                return value
            }
        }
    }

    package func text(_ name: String) throws -> [String] {
        guard let j = columns.firstIndex(of: name) else { throw InputError("cells.csv has no column '\(name)'") }
        return rows.map { $0[j] }
    }
}
