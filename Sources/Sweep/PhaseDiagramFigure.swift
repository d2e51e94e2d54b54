import Foundation
import Plot
import SpecgdSupport
import Model
import Theory

/// Draws a `PhaseDiagram` with the Plot module: the metric as a heatmap with a colour bar
/// (log-spaced grid axes on log scales), cells without a value hatched by reason ("no
/// escape within K steps", "diverged"), and — on a GD diagram — GD's boundary λ_c (ρ = 1) as
/// a dashed curve. Titles say what is drawn in words: the metric, then the method, mode, d,
/// α and steps the cells share.
public enum PhaseDiagramFigure {
    public static func figure(_ diagram: PhaseDiagram, logColor: Bool = false, title: String? = nil) -> Figure {
        let axes = panel(diagram, logColor: logColor, title: setting(diagram), valueRange: chosenRange(diagram, logColor: logColor))
        var figure = Figure(axes, title: title ?? capitalized(metricName(diagram)), width: 600, height: 420)
        figure.sharedLegend = true
        return figure
    }

    public static func svg(_ diagram: PhaseDiagram, logColor: Bool = false) throws -> String {
        figure(diagram, logColor: logColor).svg
    }

    /// Two diagrams side by side on one colour scale, and their ratio (or difference) as a
    /// third panel on a diverging scale centred on "equal" (1 or 0).
    public static func figure(_ comparison: PhaseComparison, logColor: Bool = false) -> Figure {
        let shared = chosenRange(comparison.first, logColor: logColor)
            ?? sharedRange([comparison.first.values, comparison.second.values], log: logColor)
        var first = panel(comparison.first, logColor: logColor, title: comparison.firstLabel, valueRange: shared)
        var second = panel(comparison.second, logColor: logColor, title: comparison.secondLabel, valueRange: shared)
        // One colour scale, one bar: the second panel's, right of both (the first keeps the
        // bar's space empty, so the two plot areas stay equal and nothing meets the second's y label).
        first.heatmap?.drawsColorbar = false
        second.heatmap?.label = shortName(comparison.metric, ratio: comparison.first.ratio)
        let combinedLog = comparison.kind == .ratio
        let combinedDiagram = PhaseDiagram(metric: comparison.metric, x: comparison.first.x, y: comparison.first.y,
                                           values: comparison.combined, status: comparison.combinedStatus,
                                           slice: comparison.first.slice, boundary: [], mode: comparison.first.mode,
                                           point: comparison.first.point)
        var third = panel(combinedDiagram, logColor: combinedLog, title: comparison.combinedLabel,
                          valueRange: centredRange(comparison.combined, log: combinedLog))
        third.heatmap?.colormap = .diverging
        third.heatmap?.label = comparison.kind == .ratio ? "ratio" : "difference"
        let settingLine = setting(comparison.first, includeMethod: false)
        var figure = Figure(panels: [first, second, third], columns: 3,
                            title: capitalized(metricName(comparison.first)) + " — " + settingLine,
                            panelWidth: 440, panelHeight: 400)
        figure.sharedLegend = true
        return figure
    }

    static func panel(_ diagram: PhaseDiagram, logColor: Bool, title: String,
                      valueRange: ClosedRange<Double>? = nil) -> Axes {
        let heatmap = Heatmap(x: diagram.x.values, y: diagram.y.values, values: diagram.values,
                              colorScale: logColor ? .log : .linear, colormap: diagram.colormap, valueRange: valueRange,
                              label: shortName(diagram.metric, ratio: diagram.ratio), masks: masks(diagram))
        var axes = Axes(title: title,
                        x: Axis(label: label(diagram.x.parameter, diagram), scale: diagram.xLog ? .log : .linear),
                        y: Axis(label: label(diagram.y.parameter, diagram), scale: diagram.yLog ? .log : .linear),
                        heatmap: heatmap, legend: .topRight)
        if !diagram.boundary.isEmpty {
            axes.add(LineSeries(x: diagram.boundary.map(\.0), y: diagram.boundary.map(\.1),
                                label: "GD's critical λ = 2/(1 − q), where ρ = 1", color: .vermillion, width: 2, style: .dashed))
        }
        return axes
    }

    /// The colour range `--vmin`/`--vmax` fix (an end not given is the data's, positive values
    /// only on a log scale); nil when neither is given.
    static func chosenRange(_ diagram: PhaseDiagram, logColor: Bool) -> ClosedRange<Double>? {
        guard diagram.colorMinimum != nil || diagram.colorMaximum != nil else { return nil }
        let finite = diagram.values.joined().filter { $0.isFinite && (!logColor || $0 > 0) }
        let low = diagram.colorMinimum ?? finite.min() ?? 0, high = diagram.colorMaximum ?? finite.max() ?? 1
        return low < high ? low...high : nil
    }

    /// One mask per reason present in the diagram, each with its legend entry.
    static func masks(_ diagram: PhaseDiagram) -> [HeatmapMask] {
        let counts = diagram.statusCounts
        var out = [HeatmapMask]()
        if counts[.noEscape, default: 0] > 0 {
            out.append(HeatmapMask(label: noEscapeLabel(diagram), hatch: .diagonal, background: Color(hex: 0xEEEEEE),
                                   ink: Color(hex: 0x888888), cells: diagram.status.map { $0.map { $0 == .noEscape } }))
        }
        if counts[.diverged, default: 0] > 0 {
            out.append(HeatmapMask(label: "diverged", hatch: .crossed, background: .white, ink: .black,
                                   cells: diagram.status.map { $0.map { $0 == .diverged } }))
        }
        return out
    }

    static func noEscapeLabel(_ diagram: PhaseDiagram) -> String {
        let within = stepsVary(diagram) ? "within the cell's steps" : "within \(diagram.point.steps) steps"
        let who = diagram.metric == Metric.escapeRatio.rawValue ? ratioSides(diagram, separator: " or ") + ": " : ""
        return "\(who)no escape \(within)"
    }

    private static func stepsVary(_ diagram: PhaseDiagram) -> Bool {
        diagram.x.parameter == .steps || diagram.y.parameter == .steps
    }

    /// The metric in words (the raw name for a column that is not a known metric); escape_ratio
    /// names its two sides when they are not the paper's GD / SpecGD.
    static func metricName(_ diagram: PhaseDiagram) -> String {
        if diagram.metric == Metric.escapeRatio.rawValue, diagram.ratio != .paper {
            return "escape-step ratio " + ratioSides(diagram, separator: " / ")
        }
        return Metric(rawValue: diagram.metric)?.displayName ?? diagram.metric
    }

    /// The colour bar's title: the metric's words up to any formula.
    static func shortName(_ metric: String, ratio: EscapeRatio = .paper) -> String {
        switch Metric(rawValue: metric) {
        case .alignmentAtEscape: return "alignment at escape"
        case .finalAlignment: return "final alignment"
        case .escapeStep: return "escape step"
        case .finalLoss: return "final loss"
        case .amplification: return "spike amplification"
        case .peakAmplification: return "peak amplification"
        case .escapeRatio: return ratio == .paper ? "GD / SpecGD escape step" : "escape step ratio \(ratio.description)"
        case .finalSignal: return "final |a|"
        case .finalSpike: return "final |b|"
        case .maxSpike: return "max |b|"
        case .finalBulk: return "final c"
        case .predictedEscapeSpread: return "predicted escape spread"
        case nil: return metric
        }
    }

    /// "GD · exact map · d = 1000 · α = 0.001 · 20000 steps", leaving out the plotted axes,
    /// then any other fixed axis.
    static func setting(_ diagram: PhaseDiagram, includeMethod: Bool = true) -> String {
        let p = diagram.point
        let plotted: Set<SweepParameter> = [diagram.x.parameter, diagram.y.parameter]
        var parts = [String]()
        if includeMethod {
            if diagram.metric != Metric.escapeRatio.rawValue {
                parts.append(optimizerName(p))
            } else if diagram.ratio == .paper {
                parts.append(ratioSides(diagram, separator: " vs "))
            } else if !sharedDetails(p.optimizer).isEmpty {
                // The sides are in the title; what both share is said once here.
                parts.append(sharedDetails(p.optimizer).joined(separator: ", "))
            }
        }
        parts.append(diagram.mode == .theory ? "exact map" : "dense simulation")
        let shown: [(SweepParameter?, String)] = covarianceSetting(p) + [
            (.dim, "d = \(p.dimension)"), (.alpha, "α = \(Table.format(p.alpha))"),
            (.lr, "\(learningRateSymbol(diagram)) = \(Table.format(p.learningRate))"), (.steps, "\(p.steps) steps"),
        ]
        for (parameter, text) in shown where !(parameter.map(plotted.contains) ?? false) { parts.append(text) }
        if diagram.seeds > 1, let statistic = diagram.statistic {
            parts.append("\(statistic == "mean" ? "mean" : statistic) over \(diagram.seeds) seeds")
        }
        let listed = Set(shown.compactMap { $0.0?.rawValue })
        for name in diagram.slice.keys.sorted() where !listed.contains(name) {
            parts.append("\(name) = \(Table.format(diagram.slice[name]!))")
        }
        // A method axis is in the method's name; a polar rule is named when not already shown.
        if let polar = diagram.named["polar"], includeMethod, diagram.metric == Metric.escapeRatio.rawValue {
            parts.append("polar \(polar)")
        }
        return parts.joined(separator: " · ")
    }

    /// The covariance in words, each entry with the axis that replaces it when plotted (nil:
    /// always said): "λ = 8" (the spiked model, as always), "λ₁ = 8", "λ₂ = 2" (several spikes),
    /// "power law", "β = 1", "θ* on e5" (a power law), "spectrum from file", "θ* on e5".
    static func covarianceSetting(_ p: ModelPoint) -> [(SweepParameter?, String)] {
        p.experiment.covarianceWords.map { ($0.axis.flatMap(SweepParameter.init(rawValue:)), $0.text) }
    }

    /// escape_ratio's two optimizers in words, as the diagram's cells run them: by method and
    /// polar rule (`Optimizer.polarName`, "SpecGD (NS5, K = 5) / SpecGD"); the options they share
    /// are `sharedDetails`.
    static func ratioSides(_ diagram: PhaseDiagram, separator: String) -> String {
        [diagram.ratio.numerator, diagram.ratio.denominator].map { $0.point(diagram.point).optimizer.polarName }
            .joined(separator: separator)
    }

    /// The cell's optimizer in words (`Optimizer.displayName`).
    static func optimizerName(_ point: ModelPoint) -> String { point.optimizer.displayName }

    /// Momentum, weight decay and lr scale in words (`Optimizer.sharedDetails`; empty for none).
    static func sharedDetails(_ o: Optimizer) -> [String] { o.sharedDetails }

    /// η̃ is GD's step size, η SpecGD's (docs/model.md §2); escape_ratio runs both at one lr.
    static func learningRateSymbol(_ diagram: PhaseDiagram) -> String {
        if diagram.metric == Metric.escapeRatio.rawValue {
            let methods = [diagram.ratio.numerator, diagram.ratio.denominator].map { $0.point(diagram.point).method }
            if methods.allSatisfy({ $0 == .gd }) { return "η̃" }
            if methods.contains(.gd) { return "η̃ = η" }
            return "η"
        }
        return diagram.point.method == .gd ? "η̃" : "η"
    }

    static func label(_ parameter: SweepParameter, _ diagram: PhaseDiagram) -> String {
        switch parameter {
        case .lambda: return "spike strength λ"
        case .lr: return "learning rate \(learningRateSymbol(diagram))"
        case .dim: return "dimension d"
        case .alpha: return "initial scale α"
        case .steps: return "steps K"
        case .escapeThreshold: return "escape threshold"
        case .width: return "width m"
        case .samples: return "samples n"
        case .seed: return "seed"
        case .momentum: return "momentum β"
        case .weightDecay: return "weight decay ω"
        case .beta1: return "β₁"
        case .beta2: return "β₂"
        case .nsSteps: return "Newton–Schulz steps K"
        case .adamEps: return "Adam's ε"
        case .precondEps: return "preconditioner ε"
        case .beta: return "power-law exponent β"
        case .signalIndex: return "signal index"
        case .spike1, .spike2, .spike3, .spike4: return "spike strength λ\(["₁", "₂", "₃", "₄"][parameter.spikeNumber! - 1])"
        case .batch: return "batch size B"
        case .method: return "method"
        case .polar: return "polar rule"
        case .nesterov: return "Nesterov"
        case .covariance: return "covariance"
        }
    }

    private static func capitalized(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    /// The finite (positive, for log) range over several grids; nil when there is none.
    static func sharedRange(_ grids: [[[Double]]], log: Bool) -> ClosedRange<Double>? {
        let finite = grids.joined().joined().filter { $0.isFinite && (!log || $0 > 0) }
        guard let lo = finite.min(), let hi = finite.max(), hi > lo else { return nil }
        return lo...hi
    }

    /// A range symmetric about 1 in log (ratio) or about 0 (difference), so the diverging
    /// map's white is "equal"; nil when no value is placeable.
    static func centredRange(_ grid: [[Double]], log: Bool) -> ClosedRange<Double>? {
        let finite = grid.joined().filter { $0.isFinite && (!log || $0 > 0) }
        guard !finite.isEmpty else { return nil }
        if log {
            let reach = max(finite.map { abs(Foundation.log10($0)) }.max()!, 0.01)
            return pow(10, -reach)...pow(10, reach)
        }
        let reach = max(finite.map(abs).max()!, 1e-12)
        return -reach...reach
    }
}
