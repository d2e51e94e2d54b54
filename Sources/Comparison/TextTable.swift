import Model
import Foundation

/// Fixed-width text rows for terminal reports (left-aligned first column, right-aligned rest).
enum TextTable {
    static func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).enumerated().map { i, pair in
            let (cell, width) = pair
            let padding = String(repeating: " ", count: max(0, width - cell.count))
            return i == 0 ? cell + padding : padding + cell
        }.joined(separator: " ")
    }

    static func sci(_ v: Double) -> String {
        v.isFinite ? String(format: "%.3e", v) : (v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf"))
    }

    static func fixed(_ v: Double, _ digits: Int = 4) -> String {
        v.isFinite ? String(format: "%.\(digits)g", v) : (v.isNaN ? "-" : (v > 0 ? "inf" : "-inf"))
    }
}
