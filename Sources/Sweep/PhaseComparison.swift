import Model
import Foundation
import SpecgdSupport

/// One metric of two finished sweeps over the same two axes (typically GD and SpecGD), and
/// their cell-by-cell ratio second/first — or difference second − first for the alignments
/// (`Metric.comparison`). `specgd plot-phase DIR1 DIR2` draws it.
public struct PhaseComparison: Sendable {
    public var metric: String
    public var first: PhaseDiagram
    public var second: PhaseDiagram
    public var kind: Metric.Comparison
    /// combined[j][i]: the ratio or difference; NaN unless both cells have a value.
    public var combined: [[Double]]
    /// diverged when either cell diverged, else no_escape when either did not escape, else ok.
    public var combinedStatus: [[PhaseDiagram.CellStatus]]
    var firstLabel: String
    var secondLabel: String

    public var combinedLabel: String {
        kind == .ratio ? "\(secondLabel) / \(firstLabel)" : "\(secondLabel) − \(firstLabel)"
    }

    /// Pairs two diagrams of one metric; their x and y axes must be the same axes with the
    /// same values (so cells pair one to one).
    public init(_ first: PhaseDiagram, _ second: PhaseDiagram, firstName: String = "first", secondName: String = "second") throws {
        guard first.metric == second.metric else {
            throw InputError("the two sweeps are drawn with different metrics (\(first.metric), \(second.metric))")
        }
        for (a, b) in [(first.x, second.x), (first.y, second.y)] where a.name != b.name || a.values != b.values {
            throw InputError("the two sweeps differ on axis '\(a.name)' (\(a.name): \(a.values.count) values vs \(b.name): \(b.values.count) values); compare sweeps over the same grid")
        }
        metric = first.metric
        self.first = first
        self.second = second
        let kind = Metric(rawValue: first.metric)?.comparison ?? .ratio
        self.kind = kind
        var labels = (PhaseDiagramFigure.optimizerName(first.point), PhaseDiagramFigure.optimizerName(second.point))
        if labels.0 == labels.1 { labels = (firstName, secondName) }
        (firstLabel, secondLabel) = labels
        var combined: [[Double]] = zip(first.values, second.values).map { rowA, rowB in
            zip(rowA, rowB).map { a, b in kind == .ratio ? b / a : b - a }
        }
        let combinedStatus: [[PhaseDiagram.CellStatus]] = zip(first.status, second.status).map { rowA, rowB in
            zip(rowA, rowB).map { a, b in
                if a == .diverged || b == .diverged { return .diverged }
                if a == .noEscape || b == .noEscape { return .noEscape }
                return .ok
            }
        }
        self.combinedStatus = combinedStatus
        for j in combined.indices { for i in combined[j].indices where combinedStatus[j][i] != .ok { combined[j][i] = .nan } }
        self.combined = combined
    }

    /// x, y, both values, the ratio or difference and the combined status; x fastest.
    public var csv: String {
        let a = "\(metric)_1", b = "\(metric)_2"
        var text = [first.x.name, first.y.name, a, b, kind.rawValue, "status"].joined(separator: ",") + "\n"
        for (j, yValue) in first.y.values.enumerated() {
            for (i, xValue) in first.x.values.enumerated() {
                text += [Table.format(xValue), Table.format(yValue), Table.format(first.values[j][i]),
                         Table.format(second.values[j][i]), Table.format(combined[j][i]), combinedStatus[j][i].rawValue]
                    .joined(separator: ",") + "\n"
            }
        }
        return text
    }
}
