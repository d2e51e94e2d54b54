import Foundation

/// A numeric table with named columns: the common currency of every trajectory, sweep and
/// report the toolkit writes. CSV output uses Swift's shortest round-trip formatting, so a
/// value read back (by pandas or by `Table.readCSV`) is bit-identical to the one written.
public struct Table: Sendable, Equatable {
    public private(set) var columns: [String]
    public private(set) var rows: [[Double]]

    public init(columns: [String], rows: [[Double]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Reserves room for `count` rows (a caller that knows the final size avoids regrowth).
    public mutating func reserveCapacity(_ count: Int) {
        rows.reserveCapacity(count)
    }

    public mutating func append(_ row: [Double]) {
        precondition(row.count == columns.count, "row has \(row.count) values for \(columns.count) columns")
        rows.append(row)
    }

    public func index(of column: String) -> Int? { columns.firstIndex(of: column) }

    /// The values of one column, or nil when the table has no such column.
    public func column(_ name: String) -> [Double]? {
        guard let j = index(of: name) else { return nil }
        return rows.map { $0[j] }
    }

    public var csv: String {
        var text = columns.map(Table.csvField).joined(separator: ",") + "\n"
        text.reserveCapacity(rows.count * columns.count * 12)
        for row in rows {
            text += row.map(Table.format).joined(separator: ",")
            text += "\n"
        }
        return text
    }

    /// A header field as RFC 4180 writes it: as is, or quoted (quotes doubled) when it holds a
    /// comma, a quote or a line break — a column named after a custom group (`s_<name>`) can.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The first record of `text` (RFC 4180: quoted fields may hold commas, quotes and line
    /// breaks) and what follows its line break.
    static func firstRecord(_ text: Substring) -> (fields: [String], rest: Substring) {
        var fields = [String](), field = "", quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            index = text.index(after: index)
            if quoted {
                if c == "\"" {
                    if index < text.endIndex, text[index] == "\"" { field.append("\""); index = text.index(after: index) }
                    else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else if c.isNewline {
                break
            } else {
                field.append(c)
            }
        }
        fields.append(field)
        return (fields, text[index...])
    }

    /// Integers print without a decimal point (steps stay `120`, not `120.0`); NaN and
    /// infinities print as `nan`, `inf`, `-inf`, which pandas parses natively.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    public func writeCSV(to path: String) throws {
        try AtomicFile.write(csv, to: path)
    }

    public static func readCSV(_ path: String) throws -> Table {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError("cannot read CSV file \(path)")
        }
        return try parseCSV(text, source: path)
    }

    public static func parseCSV(_ text: String, source: String = "CSV") throws -> Table {
        let start = text.drop(while: \.isNewline)
        guard !start.isEmpty else { throw InputError("\(source) is empty") }
        let (header, body) = firstRecord(start)
        let lines = body.split(whereSeparator: \.isNewline).map(String.init)
        var table = Table(columns: header)
        for (number, line) in lines.enumerated() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw InputError("\(source) line \(number + 2): \(fields.count) fields, header has \(header.count)")
            }
            var row = [Double]()
            row.reserveCapacity(fields.count)
            for field in fields {
                guard let value = Double(field.trimmingCharacters(in: .whitespaces)) ?? Table.special(field) else {
                    throw InputError("\(source) line \(number + 2): '\(field)' is not a number")
                }
                row.append(value)
            }
            table.rows.append(row)
        }
        return table
    }

    private static func special(_ field: Substring) -> Double? {
        switch field.lowercased() {
        case "nan", "": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }
}
