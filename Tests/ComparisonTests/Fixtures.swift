import Foundation
import SpecgdSupport

/// Independent closed-form trajectories (written out here, not taken from Theory) so the
/// comparison and escape checks are tested against numbers computed another way.
enum Fixtures {
    /// The spiked (a, b, c) map of docs/model.md §3 from W₀ = αI, as a theory-style table.
    static func spikedTrajectory(lambda: Double, dim: Int, alpha: Double = 1e-3, lr: Double = 1e-3,
                                 specgd: Bool = false, steps: Int, every: Int = 1) -> Table {
        let p = Double(dim - 2), s = 1 + lambda
        var (a, b, c) = (alpha, alpha, alpha)
        var table = Table(columns: ["step", "a", "b", "c", "q", "loss", "alignment", "spike_alignment"])
        func sign(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }
        for k in 0...steps {
            let q = p * c * c
            let t = (a * a - 1) + s * b * b + q
            if k % every == 0 || k == steps {
                let loss = 0.25 * (2 * ((a * a - 1) * (a * a - 1) + s * s * b * b * b * b + p * c * c * c * c) + t * t)
                table.append([Double(k), a, b, c, q, loss, a * a / (a * a + b * b + q), a * a / (a * a + b * b)])
            }
            let ga = a * (2 * (a * a - 1) + t), gb = s * b * (2 * s * b * b + t), gc = c * (2 * c * c + t)
            if specgd { a -= lr * sign(ga); b -= lr * sign(gb); c -= lr * sign(gc) }
            else { a -= lr * ga; b -= lr * gb; c -= lr * gc }
        }
        return table
    }

    /// A copy of `table` with `column` multiplied by `factor` at rows where `where` holds.
    static func scaled(_ table: Table, column: String, by factor: Double, where predicate: (Double) -> Bool = { _ in true }) -> Table {
        let j = table.index(of: column)!, s = table.index(of: "step")!
        return Table(columns: table.columns, rows: table.rows.map { row in
            var r = row
            if predicate(row[s]) { r[j] *= factor }
            return r
        })
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "specgd-comparison-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
