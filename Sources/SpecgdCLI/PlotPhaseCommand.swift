import ArgumentParser
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

        Outputs (next to the sweep unless --output-dir): phase-<metric>.svg, \
        phase-<metric>.csv (columns x-axis, y-axis, metric; x fastest) and its .json sidecar.
        Diverged cells are nan and drawn blank.

        Example: specgd plot-phase runs/phase --metric alignment_at_escape --x lambda --y lr
        """)

    @Argument(help: ArgumentHelp("A complete (or merged) sweep directory.", valueName: "dir"))
    var directory: String

    @Option(help: "Metric to draw, one the sweep recorded (default: the sweep's first metric).")
    var metric: Metric?

    @Option(help: "Axis across, one of the sweep's grid axes (default: lambda when it is an axis).")
    var x: SweepParameter?

    @Option(help: "Axis up, one of the sweep's grid axes (default: lr when it is an axis).")
    var y: SweepParameter?

    @Option(name: .customLong("at"), help: ArgumentHelp("Fix another axis with several values: name=value (repeatable).", valueName: "name=value"))
    var fixed: [String] = []

    @Flag(name: .customLong("log-color"), help: "Colour by log10 of the metric (for metrics spanning decades, e.g. amplification, peak_amplification, escape_step).")
    var logColor = false

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Where to write the figure (default: the sweep directory).", valueName: "dir"))
    var outputDirectory: String?

    func validate() throws {
        if let outputDirectory { try OutputPath.checkDirectory(outputDirectory) }
    }

    func run() throws {
        var at = [String: Double]()
        for item in fixed {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]) else {
                throw InputError("--at expects name=value with a number (got '\(item)')")
            }
            at[parts[0]] = value
        }
        let diagram = try PhaseDiagram.load(directory, metric: metric?.rawValue, x: x?.rawValue, y: y?.rawValue, at: at)
        let output = outputDirectory ?? directory
        try AtomicFile.createDirectory(output)
        let stem = output + "/phase-" + diagram.metric
        let svg = try PhaseDiagramFigure.svg(diagram, logColor: logColor)
        try AtomicFile.write(svg, to: stem + ".svg")
        try diagram.table.writeCSV(to: stem + ".csv")
        try RunRecord(kind: "plot-phase", configuration: PhaseRecord(diagram: diagram, sweep: directory),
                      summary: PhaseSummary(diagram: diagram)).write(to: stem + ".json")
        print("plot-phase: \(diagram.metric) over \(diagram.x.name) × \(diagram.y.name) → \(stem).svg, \(stem).csv")
    }
}

private struct PhaseRecord: Encodable, Sendable {
    var sweep: String
    var metric: String
    var x: String
    var y: String
    var slice: [String: Double]
    init(diagram: PhaseDiagram, sweep: String) {
        self.sweep = sweep
        metric = diagram.metric
        x = diagram.x.name
        y = diagram.y.name
        slice = diagram.slice
    }
}

private struct PhaseSummary: Encodable, Sendable {
    var boundaryPoints: Int
    var minimum: Double
    var maximum: Double
    init(diagram: PhaseDiagram) {
        boundaryPoints = diagram.boundary.count
        let finite = diagram.values.joined().filter(\.isFinite)
        minimum = finite.min() ?? .nan
        maximum = finite.max() ?? .nan
    }
}
