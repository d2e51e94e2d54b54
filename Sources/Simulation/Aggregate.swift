import Model
import NumericKit
import SpecgdSupport

/// Statistics across repetitions, row by row (all repetitions record the same steps).
package enum Aggregate {
    package static let suffixes = ["std", "q10", "q50", "q90"]

    /// Each table cut to the leading rows they all have at the same steps (a run stopped
    /// early has a shorter last repetition, possibly ending off the --every grid; its
    /// aggregate covers the steps every repetition reached).
    package static func commonPrefix(_ tables: [Table]) -> [Table] {
        guard var count = tables.map(\.rows.count).min(), tables.contains(where: { $0.rows.count != count }) else { return tables }
        if let j = tables[0].index(of: "step") {
            while count > 0, Set(tables.map { $0.rows[count - 1][j] }).count > 1 { count -= 1 }
        }
        return tables.map { Table(columns: $0.columns, rows: Array($0.rows.prefix(count))) }
    }

    /// Means under the base names, then `<col>_std`, `_q10`, `_q50`, `_q90` for every
    /// statistic column (everything except `step`). Quantiles interpolate linearly
    /// between order statistics (NumPy's default); std is the sample std (n − 1), 0 for n = 1.
    package static func table(_ tables: [Table]) throws -> Table {
        guard let first = tables.first else { throw InputError("no repetitions to aggregate") }
        for t in tables where t.columns != first.columns || t.rows.count != first.rows.count {
            throw InputError("repetitions recorded different steps; cannot aggregate")
        }
        let statistics = first.columns.filter { $0 != "step" }
        var columns = first.columns
        for name in statistics { for s in suffixes { columns.append("\(name)_\(s)") } }
        var result = Table(columns: columns)
        let n = Double(tables.count)
        for i in 0..<first.rows.count {
            var row = [Double]()
            row.reserveCapacity(columns.count)
            var extra = [Double]()
            for (j, name) in first.columns.enumerated() {
                let values = tables.map { $0.rows[i][j] }
                let mean = values.reduce(0, +) / n
                row.append(name == "step" ? values[0] : mean)
                guard name != "step" else { continue }
                var variance = 0.0
                for v in values { variance += (v - mean) * (v - mean) }
                let std = tables.count > 1 ? (variance / (n - 1)).squareRoot() : 0
                let sorted = values.sorted()
                extra += [std, quantile(sorted, 0.1), quantile(sorted, 0.5), quantile(sorted, 0.9)]
            }
            result.append(row + extra)
        }
        return result
    }

    /// Linear-interpolation quantile of sorted values (NumPy `method="linear"`; `SampleQuantile.linear`).
    package static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        SampleQuantile.linear(sorted, p)
    }
}
