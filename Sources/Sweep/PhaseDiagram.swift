import Foundation
import Plot
import SpecgdSupport
import Model
import Theory

/// A metric over two axes of a finished sweep, ready to draw: the heatmap grid plus the
/// theoretical GD boundary λ_c where the linear-window ratio ρ equals 1 (docs/model.md §5).
public struct PhaseDiagram: Sendable {
    /// Why a cell has a value or not. `noEscape`: the metric is defined through the escape
    /// (docs/model.md §7) and the run did not escape within its steps (for escape_ratio: one
    /// of the two methods did not); `diverged`: the run blew up (cells.csv status).
    public enum CellStatus: String, Sendable, CaseIterable {
        case ok
        case noEscape = "no_escape"
        case diverged
    }

    public var metric: String
    public var x: GridAxis
    public var y: GridAxis
    /// values[j][i] is the metric at (x.values[i], y.values[j]); NaN unless status is ok.
    public var values: [[Double]]
    /// status[j][i]: why values[j][i] is (not) a number.
    public var status: [[CellStatus]]
    /// The fixed values of the other numeric axes (for the title and the record).
    public var slice: [String: Double]
    /// The fixed words of the name axes (`method`, `polar`).
    public var named: [String: String] = [:]
    /// What escape_ratio compares (the sweep's `--ratio`).
    var ratio: EscapeRatio = .paper
    /// With several repetitions per cell: which statistic is drawn (mean, q10, q50, q90).
    public var statistic: String?
    /// Repetitions per cell (1 unless the sweep ran `--seeds`).
    public var seeds: Int = 1
    /// Points (x, y) of the boundary ρ = 1, empty when neither axis is lambda, no point of
    /// the plotted range has q < 1, or the diagram is not about GD (the boundary is GD's).
    public var boundary: [(Double, Double)]
    /// How the cells were evaluated, and the options every plotted cell shares (the sweep's
    /// base point with the slice written over it; x and y vary across the diagram).
    public var mode: SweepMode
    var point: ModelPoint

    init(metric: String, x: GridAxis, y: GridAxis, values: [[Double]], status: [[CellStatus]]? = nil,
                slice: [String: Double], boundary: [(Double, Double)], mode: SweepMode = .theory, point: ModelPoint) {
        self.metric = metric
        self.x = x
        self.y = y
        self.values = values
        self.status = status ?? values.map { $0.map { _ in .ok } }
        self.slice = slice
        self.boundary = boundary
        self.mode = mode
        self.point = point
    }

    /// Whether λ_c belongs on this diagram: it is plain GD's boundary, so on a plain GD
    /// diagram or on an escape_ratio whose numerator is plain GD's escape step.
    var showsBoundary: Bool {
        let runs = metric == Metric.escapeRatio.rawValue ? ratio.numerator.point(point) : point
        return runs.method == .gd && runs.optimizer.isPlain
    }

    /// The cells.csv column drawn: the metric, or `<metric>_<statistic>` with repetitions.
    public var column: String { statistic.map { "\(metric)_\($0)" } ?? metric }

    /// Log axes: a `:log` grid, or an explicit list of positive values spread geometrically
    /// (`GridAxis.isGeometric`), unless `xScaleIsLog`/`yScaleIsLog` say otherwise (`--x-scale`).
    var xLog: Bool { xScaleIsLog ?? x.isGeometric }
    var yLog: Bool { yScaleIsLog ?? y.isGeometric }
    public var xScaleIsLog: Bool?
    public var yScaleIsLog: Bool?
    /// The colour scale's range (`--vmin`/`--vmax`; nil ends: the data's) and colour map (`--cmap`).
    public var colorMinimum: Double?
    public var colorMaximum: Double?
    public var colormap: Colormap = .viridis

    /// The λ_c line the diagram draws (`EscapeAnalytics.lambdaCritical`, where ρ = 1). For
    /// q < 1 it is 2/(1 − q): the learning rate cancels, so on a (λ, η̃) diagram the boundary
    /// is a vertical line whose place depends on q = (d−2)α² only. nil for q ≥ 1, where there
    /// is no spike-amplification regime to mark.
    static func criticalLambda(q: Double) -> Double? {
        q < 1 ? EscapeAnalytics.lambdaCritical(lr: 1, q: q) : nil
    }

    /// Reads `directory` and builds the diagram. `at` fixes every axis other than x and y
    /// that has more than one value (a one-value axis is fixed automatically).
    public static func load(_ directory: String, metric: String?, x: String?, y: String?,
                            at: [String: Double] = [:]) throws -> PhaseDiagram {
        try load(directory, metric: metric, x: x, y: y, fixing: at.mapValues(Table.format))
    }

    /// `load` with the fixed axes as written (`--at name=value`: a number, or a name axis's
    /// word) and, for a sweep with several repetitions per cell, the statistic to draw
    /// (`Metric.statistics`; default mean).
    public static func load(_ directory: String, metric: String?, x: String?, y: String?,
                            fixing: [String: String], statistic: String? = nil) throws -> PhaseDiagram {
        let configuration = try SweepRecord.read(from: directory)
        let grid = configuration.grid
        let metricName = try checkedMetric(metric, configuration)
        let (xAxis, yAxis) = try heatmapAxes(grid, x: x, y: y)
        let fixed = try fixedValues(grid, x: xAxis, y: yAxis, fixing: fixing)
        let seeds = configuration.base.seeds ?? 1
        let statisticName = try checkedStatistic(statistic, seeds: seeds)
        let column = statisticName.map { "\(metricName)_\($0)" } ?? metricName
        let (values, status) = try cells(directory, grid: grid, column: column, metric: metricName, x: xAxis, y: yAxis, fixed: fixed)
        var point = configuration.base
        var slice = [String: Double](), named = [String: String]()
        for axis in grid.axes {
            guard let value = fixed[axis.name] else { continue }
            point.set(axis, value)
            if axis.isName { named[axis.name] = axis.text(value) } else { slice[axis.name] = value }
        }
        var diagram = PhaseDiagram(metric: metricName, x: xAxis, y: yAxis, values: values, status: status, slice: slice,
                                   boundary: [], mode: configuration.mode, point: point)
        diagram.named = named
        diagram.ratio = configuration.escapeRatio
        diagram.statistic = statisticName
        diagram.seeds = seeds
        if diagram.showsBoundary { diagram.boundary = diagram.boundaryCurve(base: point) }
        return diagram
    }

    /// The metric to draw (default: the sweep's first), refused when the sweep did not record
    /// it or has fewer than two axes.
    static func checkedMetric(_ metric: String?, _ configuration: SweepConfiguration) throws -> String {
        let metricName = metric ?? configuration.metrics[0].rawValue
        guard configuration.metrics.map(\.rawValue).contains(metricName) else {
            throw InputError("metric '\(metricName)' is not in this sweep; it has \(configuration.metrics.map(\.rawValue).joined(separator: ", "))")
        }
        guard configuration.grid.axes.count >= 2 else {
            throw InputError("a phase diagram needs two grid axes; this sweep has only '\(configuration.grid.names[0])'")
        }
        return metricName
    }

    /// The heatmap's x and y: the named axes, else lambda and lr when swept, else the first
    /// numeric axes; a name axis is never x or y.
    static func heatmapAxes(_ grid: Grid, x: String?, y: String?) throws -> (GridAxis, GridAxis) {
        func pick(_ name: String?, preferred: SweepParameter, excluding: String?, in grid: Grid) throws -> GridAxis {
            if let name {
                guard let axis = grid.axes.first(where: { $0.name == name }) else {
                    throw InputError("'\(name)' is not a grid axis of this sweep; axes: \(grid.names.joined(separator: ", "))")
                }
                return axis
            }
            if let axis = grid.axis(preferred), axis.name != excluding { return axis }
            return grid.axes.first { $0.name != excluding && $0.name != preferred.rawValue }
                ?? grid.axes.first { $0.name != excluding }!
        }
        for name in [x, y].compactMap({ $0 }) {
            if let axis = grid.axes.first(where: { $0.name == name }), axis.isName {
                throw InputError("'\(name)' is a name axis and cannot be x or y of a heatmap; fix it with \(InputError.field("at")) \(name)=\(axis.labels![0]) or draw its values side by side with \(InputError.field("split")) \(name)")
            }
        }
        let numericAxes = grid.axes.filter { !$0.isName }
        guard numericAxes.count >= 2 else {
            throw InputError("a phase diagram needs two numeric grid axes; this sweep has \(numericAxes.isEmpty ? "none" : "only '\(numericAxes[0].name)'") besides its name axes (\(grid.axes.filter(\.isName).map(\.name).joined(separator: ", ")))")
        }
        let numeric = try Grid(axes: numericAxes)
        let xAxis = try pick(x, preferred: .lambda, excluding: y, in: numeric)
        let yAxis = try pick(y, preferred: .lr, excluding: xAxis.name, in: numeric)
        guard xAxis.name != yAxis.name else { throw InputError("\(InputError.field("x")) and \(InputError.field("y")) must be different axes") }
        return (xAxis, yAxis)
    }

    /// The fixed value of every other axis, as its position among the axis's values: `--at`'s
    /// (a name axis by its word only: its positions are no values to a user), or the axis's
    /// only value.
    static func fixedValues(_ grid: Grid, x xAxis: GridAxis, y yAxis: GridAxis, fixing: [String: String]) throws -> [String: Double] {
        var fixed = [String: Double]()
        for axis in grid.axes where axis.name != xAxis.name && axis.name != yAxis.name {
            if let text = fixing[axis.name] {
                guard let value = axis.value(ofText: text), axis.values.contains(value) else {
                    throw InputError("\(InputError.field("at")) \(axis.name)=\(text): not a value of that axis (\(axis.values.map(axis.text).joined(separator: ", ")))")
                }
                fixed[axis.name] = value
            } else if axis.values.count == 1 {
                fixed[axis.name] = axis.values[0]
            } else {
                throw InputError("axis '\(axis.name)' has \(axis.values.count) values; choose one with \(InputError.field("at")) \(axis.name)=VALUE")
            }
        }
        for name in fixing.keys where !grid.names.contains(name) || name == xAxis.name || name == yAxis.name {
            throw InputError("\(InputError.field("at")) \(name): not a grid axis other than x and y")
        }
        return fixed
    }

    /// The statistic drawn for a sweep with several repetitions per cell (default: mean); nil
    /// for one run per cell, where asking for one is refused.
    static func checkedStatistic(_ statistic: String?, seeds: Int) throws -> String? {
        if seeds > 1 {
            let chosen = statistic ?? Metric.statistics[0]
            guard Metric.statistics.contains(chosen) else {
                throw InputError("\(InputError.field("stat")) \(chosen): not a statistic; use \(Metric.statistics.joined(separator: ", "))")
            }
            return chosen
        } else if let statistic {
            throw InputError("\(InputError.field("stat")) \(statistic): this sweep has one run per cell (no \(InputError.field("seeds")) > 1), so there is no statistic to choose")
        }
        return nil
    }

    /// The diagram's cells from cells.csv: `column`'s value where the cell is ok, its status
    /// (diverged; no escape for a metric that needs one) otherwise. Every cell of the slice must
    /// be there.
    static func cells(_ directory: String, grid: Grid, column: String, metric: String, x xAxis: GridAxis, y yAxis: GridAxis,
                      fixed: [String: Double]) throws -> (values: [[Double]], status: [[CellStatus]]) {
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        let columns = try Dictionary(uniqueKeysWithValues: grid.axes.map { axis in
            (axis.name, try table.text(axis.name).map { axis.value(ofText: $0) ?? .nan })
        })
        let metricValues = try table.numbers(column)
        let statuses = try table.text("status")
        let needsEscape = Metric(rawValue: metric)?.needsEscape ?? false
        var values = [[Double]](repeating: [Double](repeating: .nan, count: xAxis.values.count), count: yAxis.values.count)
        var status = [[CellStatus]](repeating: [CellStatus](repeating: .ok, count: xAxis.values.count), count: yAxis.values.count)
        var filled = 0
        rows: for r in 0..<table.rows.count {
            for (name, value) in fixed where columns[name]![r] != value { continue rows }
            guard let i = xAxis.values.firstIndex(of: columns[xAxis.name]![r]),
                  let j = yAxis.values.firstIndex(of: columns[yAxis.name]![r]) else { continue }
            guard CellOutcome.Status(rawValue: statuses[r]) != nil else {
                throw InputError("\(SweepRecord.cellsPath(directory)) line \(r + 2): status '\(statuses[r].prefix(40))' is neither ok nor diverged")
            }
            if statuses[r] == CellOutcome.Status.diverged.rawValue {
                status[j][i] = .diverged
            } else if metricValues[r].isNaN && needsEscape {
                status[j][i] = .noEscape
            } else {
                values[j][i] = metricValues[r]
            }
            filled += 1
        }
        guard filled == xAxis.values.count * yAxis.values.count else {
            throw InputError("\(directory) holds \(filled) of the \(xAxis.values.count * yAxis.values.count) cells of this diagram; finish the sweep (\(InputError.field("resume"))) or merge its shards first")
        }
        return (values, status)
    }

    /// Samples λ_c along the non-λ axis (q may depend on it through dim or alpha).
    func boundaryCurve(base: ModelPoint) -> [(Double, Double)] {
        let lambdaOnX: Bool
        if x.parameter == .lambda { lambdaOnX = true } else if y.parameter == .lambda { lambdaOnX = false } else { return [] }
        let other = lambdaOnX ? y : x
        let lambdaAxis = lambdaOnX ? x : y
        var point = base
        for (name, value) in slice { if let p = SweepParameter(rawValue: name) { point.set(p, value) } }
        let lo = other.values.min()!, hi = other.values.max()!
        let log = (lambdaOnX ? yLog : xLog) && lo > 0
        let n = 200
        var curve = [(Double, Double)]()
        let lambdaRange = lambdaAxis.values.min()!...lambdaAxis.values.max()!
        for k in 0...n {
            let t = Double(k) / Double(n)
            let v = log ? exp(Foundation.log(lo) + (Foundation.log(hi) - Foundation.log(lo)) * t) : lo + (hi - lo) * t
            var p = point
            p.set(other.parameter, other.parameter.isInteger ? v.rounded() : v)
            guard let critical = Self.criticalLambda(q: p.bulkMass), lambdaRange.contains(critical) else { continue }
            curve.append(lambdaOnX ? (critical, v) : (v, critical))
        }
        return curve
    }

    /// The grid as CSV text (x, y, value, status), x fastest — the data behind the heatmap;
    /// a cell without a value holds `nan` and says why in `status` (ok, no_escape, diverged).
    public var csv: String {
        var text = [x.name, y.name, column, "status"].joined(separator: ",") + "\n"
        for (j, yValue) in y.values.enumerated() {
            for (i, xValue) in x.values.enumerated() {
                text += [Table.format(xValue), Table.format(yValue), Table.format(values[j][i]), status[j][i].rawValue]
                    .joined(separator: ",") + "\n"
            }
        }
        return text
    }

    /// The grid as a table (x, y, value), x fastest (values only; `csv` adds the status).
    public var table: Table {
        var out = Table(columns: [x.name, y.name, column])
        for (j, yValue) in y.values.enumerated() {
            for (i, xValue) in x.values.enumerated() { out.append([xValue, yValue, values[j][i]]) }
        }
        return out
    }

    /// How many cells have each status.
    public var statusCounts: [CellStatus: Int] {
        var counts = [CellStatus: Int]()
        for row in status { for s in row { counts[s, default: 0] += 1 } }
        return counts
    }
}
