import SpecgdSupport

/// Renders a `PhaseDiagram` as SVG (heatmap, colorbar, boundary curve).
public enum PhaseDiagramFigure {
    public static func svg(_ diagram: PhaseDiagram) throws -> String {
        throw InputError("plot-phase: SVG rendering is not available in this build yet (the CSV is written by a later version)")
    }
}
