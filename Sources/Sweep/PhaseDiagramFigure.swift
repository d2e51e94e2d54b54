import Plot
import SpecgdSupport

/// Draws a `PhaseDiagram` with the Plot module: the metric as a heatmap with a colorbar
/// (log-spaced grid axes on log scales), and GD's boundary λ_c (ρ = 1) as a dashed curve.
public enum PhaseDiagramFigure {
    public static func figure(_ diagram: PhaseDiagram, logColor: Bool = false, title: String? = nil) -> Figure {
        let heatmap = Heatmap(x: diagram.x.values, y: diagram.y.values, values: diagram.values,
                              colorScale: logColor ? .log : .linear, label: diagram.metric)
        var axes = Axes(title: title ?? defaultTitle(diagram),
                        x: Axis(label: label(diagram.x.parameter), scale: diagram.xLog ? .log : .linear),
                        y: Axis(label: label(diagram.y.parameter), scale: diagram.yLog ? .log : .linear),
                        heatmap: heatmap, legend: .topRight)
        if !diagram.boundary.isEmpty {
            axes.add(LineSeries(x: diagram.boundary.map(\.0), y: diagram.boundary.map(\.1),
                                label: "λ_c: ρ = 1 (GD)", color: .vermillion, width: 2, style: .dashed))
        }
        return Figure(axes, width: 560, height: 400)
    }

    public static func svg(_ diagram: PhaseDiagram, logColor: Bool = false) throws -> String {
        figure(diagram, logColor: logColor).svg
    }

    private static func defaultTitle(_ diagram: PhaseDiagram) -> String {
        let slice = diagram.slice.keys.sorted().map { "\($0) = \(Table.format(diagram.slice[$0]!))" }
        return ([diagram.metric] + slice).joined(separator: ", ")
    }

    private static func label(_ parameter: SweepParameter) -> String {
        switch parameter {
        case .lambda: return "spike strength λ"
        case .lr: return "learning rate η"
        case .dim: return "dimension d"
        case .alpha: return "initial scale α"
        case .steps: return "steps K"
        case .escapeThreshold: return "escape threshold"
        case .width: return "width m"
        case .samples: return "samples n"
        case .seed: return "seed"
        }
    }
}
