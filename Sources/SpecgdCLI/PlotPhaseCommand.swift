import Model
import ArgumentParser
import Foundation
import Machine
import Plot
import PlotRecipes
import SpecgdSupport
import Sweep

/// `specgd plot-phase`: one metric of a finished sweep as a heatmap over two axes, with the
/// theoretical GD boundary λ_c (ρ = 1) drawn over it.
struct PlotPhaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot-phase",
        abstract: "Draw a phase diagram (heatmap SVG + CSV) of one metric of a finished sweep.",
        discussion: """
        The curve is the linear-window boundary of GD: ρ(λ, η̃, q) = (1 + η̃(1+λ)(1−q)) / \
        (1 + η̃(3−q)) = 1, i.e. λ_c = 2/(1 − q) with q = (d−2)α² from the sweep's options \
        (η̃ cancels, so on a (λ, lr) diagram it is a vertical line). Above λ_c GD grows the \
        spike faster than the signal. It is drawn when lambda is one of the two axes.

        It is drawn on GD diagrams (and escape_ratio), labelled; the y axis reads η̃ for GD and η \
        for SpecGD. Cells without a value are hatched, each reason with a legend entry: \
        "no escape within K steps" (a metric defined through the escape, docs/model.md §7) \
        and "diverged".

        Outputs (next to the sweep unless --output-dir): phase-<metric>.svg, \
        phase-<metric>.csv (columns x-axis, y-axis, metric, status ok|no_escape|diverged; x \
        fastest; nan where status is not ok) and its .json sidecar.

        Two sweep directories (same x and y axes, typically one per method): both on one \
        colour scale side by side, and their ratio DIR2/DIR1 (difference DIR2 − DIR1 for the \
        alignments) as a third panel → phase-<metric>-compare.svg, .csv (x, y, <metric>_1, \
        <metric>_2, ratio|difference, status), .json; written next to DIR1 unless --output-dir.

        Name axes (method, polar) are never x or y; fix one with --at method=specgd, or draw \
        two of its values side by side with --split method (an axis of two values) or --split \
        polar=ns5,svd: the same three panels as two directories, second / first → \
        phase-<metric>-by-<axis>.svg, .csv, .json. With --seeds S > 1 sweeps, --stat chooses \
        the statistic drawn (mean, q10, q50, q90; default mean).

        Example: specgd plot-phase runs/phase --metric alignment_at_escape --x lambda --y lr
        """)

    @Argument(help: ArgumentHelp("A complete (or merged) sweep directory; a second one to compare the two.", valueName: "dir"))
    var directories: [String]

    @Option(help: "Metric to draw, one the sweep recorded (default: the sweep's first metric).")
    var metric: Metric?

    @Option(help: "Axis across, one of the sweep's grid axes (default: lambda when it is an axis).")
    var x: SweepParameter?

    @Option(help: "Axis up, one of the sweep's grid axes (default: lr when it is an axis).")
    var y: SweepParameter?

    @Option(name: .customLong("at"), help: ArgumentHelp("Fix another axis with several values: name=value (repeatable; a name axis takes a word, e.g. method=specgd).", valueName: "name=value"))
    var fixed: [String] = []

    @Option(help: ArgumentHelp("Draw two values of a name axis side by side with their ratio or difference: AXIS (two values) or AXIS=A,B.", valueName: "axis[=A,B]"))
    var split: String?

    @Option(help: "With --seeds sweeps: the statistic over the seeds to draw (mean, q10, q50, q90; default mean).")
    var stat: String?

    @Flag(name: .customLong("log-color"), help: "Colour by log10 of the metric (for metrics spanning decades, e.g. amplification, peak_amplification, escape_step).")
    var logColor = false

    @Option(name: .customLong("x-scale"), help: "Scale of the x axis (default: log for a :log grid or a geometric list of values such as lr=1e-3,3e-3,1e-2, else linear).")
    var xScale: AxisScaleChoice?

    @Option(name: .customLong("y-scale"), help: "Scale of the y axis (default as --x-scale).")
    var yScale: AxisScaleChoice?

    @Option(parsing: .unconditional, help: "Low end of the colour scale (default: the data's minimum; shared by both panels of a comparison).")
    var vmin: Double?

    @Option(parsing: .unconditional, help: "High end of the colour scale (default: the data's maximum).")
    var vmax: Double?

    @Option(help: "Colour map of the metric (the ratio panel of a comparison stays diverging).")
    var cmap: Colormap = .viridis

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Where to write the figure (default: the sweep directory).", valueName: "dir"))
    var outputDirectory: String?

    @OptionGroup(title: "Figure formats") var figureFormats: FigureFormatOptions

    func validate() throws {
        guard (1...2).contains(directories.count) else {
            throw ValidationError("give one sweep directory, or two to compare (got \(directories.count))")
        }
        if let outputDirectory { try OutputPath.checkDirectory(outputDirectory) }
        if split != nil, directories.count == 2 {
            throw ValidationError("--split compares two values within one sweep; give one directory (or two directories without --split)")
        }
        _ = try figureFormats.formats()
        if let vmin, let vmax, !(vmin < vmax) { throw InputError("--vmin must be below --vmax (got \(vmin) and \(vmax))") }
        for (name, value) in [("--vmin", vmin), ("--vmax", vmax)] {
            if let value, !value.isFinite { throw InputError("\(name) must be a finite number (got \(value))") }
        }
    }

    var directory: String { directories[0] }

    /// `figure` at `--size` (screen, the default, leaves the layout as drawn).
    func sized(_ figure: Figure) -> Figure {
        guard let size = figureFormats.size, size != .screen else { return figure }
        var figure = figure
        figure.apply(size)
        return figure
    }

    func run() throws {
        var at = [String: String]()
        for item in fixed {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw InputError("--at expects name=value, a number or a name axis's word (got '\(item)')")
            }
            at[parts[0]] = parts[1]
        }
        let formats = try figureFormats.formats()
        let output = outputDirectory ?? directory
        // Two diagrams to compare: two directories, or two values of one sweep's name axis.
        let pair: (PhaseDiagram, PhaseDiagram, names: (String, String), stem: String, compared: String?)?
        let diagram: PhaseDiagram
        if let split {
            let (axis, values) = try Self.splitValues(split, directory: directory)
            if at[axis] != nil { throw InputError("--split \(axis) and --at \(axis) name the same axis; give one") }
            let first = styled(try PhaseDiagram.load(directory, metric: metric?.rawValue, x: x?.rawValue, y: y?.rawValue,
                                                     fixing: at.merging([axis: values.0]) { $1 }, statistic: stat))
            let second = styled(try PhaseDiagram.load(directory, metric: first.metric, x: first.x.name, y: first.y.name,
                                                      fixing: at.merging([axis: values.1]) { $1 }, statistic: stat))
            diagram = first
            pair = (first, second, (values.0, values.1), output + "/phase-" + first.metric + "-by-" + axis, nil)
        } else {
            diagram = styled(try PhaseDiagram.load(directory, metric: metric?.rawValue, x: x?.rawValue, y: y?.rawValue, fixing: at, statistic: stat))
            if directories.count == 2 {
                let other = styled(try PhaseDiagram.load(directories[1], metric: diagram.metric, x: diagram.x.name, y: diagram.y.name,
                                                         fixing: at, statistic: stat))
                pair = (diagram, other, (Self.name(directories[0]), Self.name(directories[1])),
                        output + "/phase-" + diagram.metric + "-compare", directories[1])
            } else {
                pair = nil
            }
        }
        if let (diagram, other, names, stem, compared) = pair {
            let comparison = try PhaseComparison(diagram, other, firstName: names.0, secondName: names.1)
            let figure = sized(PhaseDiagramFigure.figure(comparison, logColor: logColor))
            try write(stem: stem, in: output, figure: figure, csv: comparison.csv, formats: formats,
                      configuration: PhaseRecord(diagram: diagram, sweep: directory, compared: compared, split: split, logColor: logColor,
                                                 figure: PhaseFigureRecord(figure, columns: ["\(diagram.metric)_1", "\(diagram.metric)_2", comparison.kind.rawValue],
                                                                           statuses: [comparison.first.status, comparison.second.status, comparison.combinedStatus])),
                      summary: PhaseSummary(comparison: comparison),
                      what: "\(diagram.metric), \(comparison.combinedLabel), over \(diagram.x.name) × \(diagram.y.name)")
            return
        }
        let figure = sized(PhaseDiagramFigure.figure(diagram, logColor: logColor))
        try write(stem: output + "/phase-" + diagram.column, in: output, figure: figure, csv: diagram.csv, formats: formats,
                  configuration: PhaseRecord(diagram: diagram, sweep: directory, logColor: logColor,
                                             figure: PhaseFigureRecord(figure, columns: [diagram.column], statuses: [diagram.status])),
                  summary: PhaseSummary(diagram: diagram), what: "\(diagram.metric) over \(diagram.x.name) × \(diagram.y.name)")
    }

    /// `diagram` with the axis scales, colour range and colour map asked for.
    func styled(_ diagram: PhaseDiagram) -> PhaseDiagram {
        var d = diagram
        d.xScaleIsLog = xScale.map { $0 == .log }
        d.yScaleIsLog = yScale.map { $0 == .log }
        d.colorMinimum = vmin
        d.colorMaximum = vmax
        d.colormap = cmap
        return d
    }

    /// One output set: STEM.svg (and the converted formats), STEM.csv and the STEM.json record,
    /// then the one line that lists them.
    private func write(stem: String, in output: String, figure: Figure, csv: String, formats: FigureFormats,
               configuration: PhaseRecord, summary: PhaseSummary, what: String) throws {
        try AtomicFile.createDirectory(output)
        try AtomicFile.write(figure.svg, to: stem + ".svg")
        let converted = try formats.convert(svgAt: stem + ".svg")
        try AtomicFile.write(csv, to: stem + ".csv")
        try RunRecord(kind: "plot-phase", configuration: configuration, summary: summary,
                      convertedFigures: converted.map { ($0 as NSString).lastPathComponent }).write(to: stem + ".json")
        print("plot-phase: \(what) → \(([stem + ".svg"] + converted + [stem + ".csv"]).joined(separator: ", "))")
    }

    /// `AXIS` (a name axis of two values) or `AXIS=A,B` (two of its values): the axis and the
    /// two words, first and second.
    static func splitValues(_ spec: String, directory: String) throws -> (String, (String, String)) {
        let configuration = try SweepRecord.read(from: directory)
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        let name = parts[0]
        guard let axis = configuration.grid.axes.first(where: { $0.name == name }) else {
            throw InputError("--split \(name): not a grid axis of this sweep; axes: \(configuration.grid.names.joined(separator: ", "))")
        }
        guard axis.isName else {
            throw InputError("--split \(name): a numeric axis; --split draws two values of a name axis (method, polar); fix numeric axes with --at")
        }
        let words = parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : axis.labels!
        guard words.count == 2 else {
            throw InputError("--split \(spec): choose two of the axis's values, e.g. --split \(name)=\(axis.labels!.prefix(2).joined(separator: ","))")
        }
        for word in words where !axis.labels!.contains(word) {
            throw InputError("--split \(spec): '\(word)' is not a value of the axis (\(axis.labels!.joined(separator: ", ")))")
        }
        guard words[0] != words[1] else { throw InputError("--split \(spec): the two values are the same") }
        return (name, (words[0], words[1]))
    }

    /// A directory's last path component, to tell two sweeps of one method apart.
    static func name(_ directory: String) -> String {
        URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
    }
}
extension PhaseRecord {
    init(diagram: PhaseDiagram, sweep: String, compared: String? = nil, split: String? = nil, logColor: Bool, figure: PhaseFigureRecord) {
        self.init(sweep: sweep, metric: diagram.metric, x: diagram.x.name, y: diagram.y.name, slice: diagram.slice,
                  named: diagram.named.isEmpty ? nil : diagram.named, comparedWith: compared, split: split,
                  statistic: diagram.statistic, logColor: logColor, figure: figure)
    }
}

extension PhaseSummary {
    init(diagram: PhaseDiagram) {
        let finite = diagram.values.joined().filter(\.isFinite)
        self.init(boundaryPoints: diagram.boundary.count, minimum: finite.min() ?? .nan, maximum: finite.max() ?? .nan,
                  noEscapeCells: diagram.statusCounts[.noEscape, default: 0], divergedCells: diagram.statusCounts[.diverged, default: 0])
    }

    /// A comparison: the range and masked cells of the ratio or difference.
    init(comparison: PhaseComparison) {
        let finite = comparison.combined.joined().filter(\.isFinite)
        let statuses = comparison.combinedStatus.joined()
        self.init(boundaryPoints: comparison.first.boundary.count, minimum: finite.min() ?? .nan, maximum: finite.max() ?? .nan,
                  noEscapeCells: statuses.filter { $0 == .noEscape }.count, divergedCells: statuses.filter { $0 == .diverged }.count)
    }
}

extension PhaseFigureRecord {
    /// What `figure` draws: each panel's words, scales, colour range and boundary, the CSV column
    /// it colours (`columns`, one per panel) and the label of each masked status.
    init(_ figure: Figure, columns: [String], statuses: [[[PhaseDiagram.CellStatus]]]) {
        var masks = [String: String]()
        let panels = zip(figure.panels, zip(columns, statuses)).map { axes, item in
            let (column, status) = item
            let heatmap = axes.heatmap
            for mask in heatmap?.masks ?? [] {
                // The mask's status is that of any cell it covers.
                outer: for (j, row) in mask.cells.enumerated() {
                    for (i, covered) in row.enumerated() where covered && j < status.count && i < status[j].count {
                        masks[status[j][i].rawValue] = mask.label
                        break outer
                    }
                }
            }
            let line = axes.lines.first
            return Panel(title: axes.title, xLabel: axes.x.label, yLabel: axes.y.label,
                         xLog: axes.x.scale == .log, yLog: axes.y.scale == .log, column: column,
                         colorLabel: heatmap?.label ?? column, logColor: heatmap?.colorScale == .log,
                         colormap: heatmap?.colormap.rawValue ?? Colormap.viridis.rawValue,
                         valueRange: heatmap?.valueRange.map { [$0.lowerBound, $0.upperBound] },
                         boundary: line.map { zip($0.x, $0.y).map { [$0, $1] } }, boundaryLabel: line?.label)
        }
        self.init(title: figure.title, panels: panels, masks: masks)
    }
}
