/// One axis of a panel: its label, scale and (optional) fixed limits.
public struct Axis: Sendable {
    public var label: String
    public var scale: ScaleKind
    /// nil: from the data, widened to nice tick values (tight for heatmaps).
    public var limits: ClosedRange<Double>?

    public init(label: String = "", scale: ScaleKind = .linear, limits: ClosedRange<Double>? = nil) {
        self.label = label
        self.scale = scale
        self.limits = limits
    }
}

public enum LegendPosition: String, Sendable, CaseIterable {
    /// The corner covering the fewest data points.
    case best
    case topLeft, topRight, bottomLeft, bottomRight
    /// To the right of the plot area, outside the frame (the plot area narrows to make room).
    case outsideRight
    case none
}

/// One panel: everything drawn inside one pair of axes.
public struct Axes: Sendable {
    public var title: String
    public var x: Axis
    public var y: Axis
    public var lines: [LineSeries]
    public var markers: [MarkerSeries]
    public var bands: [Band]
    public var referenceLines: [ReferenceLine]
    public var annotations: [Annotation]
    public var heatmap: Heatmap?
    public var legend: LegendPosition
    /// Faint lines at the major ticks.
    public var grid: Bool

    public init(title: String = "", x: Axis = Axis(), y: Axis = Axis(),
                lines: [LineSeries] = [], markers: [MarkerSeries] = [], bands: [Band] = [],
                referenceLines: [ReferenceLine] = [], annotations: [Annotation] = [],
                heatmap: Heatmap? = nil, legend: LegendPosition = .best, grid: Bool = false) {
        self.title = title
        self.x = x
        self.y = y
        self.lines = lines
        self.markers = markers
        self.bands = bands
        self.referenceLines = referenceLines
        self.annotations = annotations
        self.heatmap = heatmap
        self.legend = legend
        self.grid = grid
    }

    public mutating func add(_ line: LineSeries) { lines.append(line) }
    public mutating func add(_ marker: MarkerSeries) { markers.append(marker) }
    public mutating func add(_ band: Band) { bands.append(band) }
    public mutating func add(_ reference: ReferenceLine) { referenceLines.append(reference) }
    public mutating func add(_ annotation: Annotation) { annotations.append(annotation) }
}
