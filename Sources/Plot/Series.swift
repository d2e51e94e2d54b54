/// Dash patterns for lines (distinguish series without relying on colour).
public enum LineStyle: String, Sendable, Codable, CaseIterable {
    case solid, dashed, dotted, dashDot

    var dashArray: String? {
        switch self {
        case .solid: return nil
        case .dashed: return "6,4"
        case .dotted: return "1.5,3"
        case .dashDot: return "7,3,1.5,3"
        }
    }
}

public enum MarkerShape: String, Sendable, Codable, CaseIterable {
    case circle, square, triangle, diamond, cross
}

/// A polyline through (x, y). Non-finite points (and non-positive ones on a log axis) are
/// skipped and break the line, so a gap in the data is a gap in the figure.
public struct LineSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    public var label: String?
    /// nil: the next colour of the palette.
    public var color: Color?
    public var width: Double
    public var style: LineStyle

    public init(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                width: Double = 1.8, style: LineStyle = .solid) {
        self.x = x
        self.y = y
        self.label = label
        self.color = color
        self.width = width
        self.style = style
    }
}

/// Scatter points; unplaceable points are skipped.
public struct MarkerSeries: Sendable {
    public var x: [Double]
    public var y: [Double]
    public var label: String?
    public var color: Color?
    public var shape: MarkerShape
    /// Marker radius in pixels.
    public var size: Double
    /// Hollow markers let a theory line show through.
    public var filled: Bool

    public init(x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
                shape: MarkerShape = .circle, size: Double = 3.2, filled: Bool = true) {
        self.x = x
        self.y = y
        self.label = label
        self.color = color
        self.shape = shape
        self.size = size
        self.filled = filled
    }
}

/// A shaded region between `lower` and `upper` over x (e.g. a seed quantile band). A point
/// where either bound cannot be placed splits the band.
public struct Band: Sendable {
    public var x: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var label: String?
    public var color: Color?
    public var opacity: Double

    public init(x: [Double], lower: [Double], upper: [Double], label: String? = nil,
                color: Color? = nil, opacity: Double = 0.22) {
        self.x = x
        self.lower = lower
        self.upper = upper
        self.label = label
        self.color = color
        self.opacity = opacity
    }
}

/// A vertical (x = value) or horizontal (y = value) line across the panel, e.g. λ_c.
public struct ReferenceLine: Sendable {
    public enum Orientation: String, Sendable { case vertical, horizontal }
    public var orientation: Orientation
    public var value: Double
    /// Written next to the line (not in the legend unless `inLegend`).
    public var label: String?
    public var color: Color
    public var style: LineStyle
    public var width: Double
    public var inLegend: Bool

    public init(_ orientation: Orientation, at value: Double, label: String? = nil, color: Color = .gray,
                style: LineStyle = .dashed, width: Double = 1.2, inLegend: Bool = false) {
        self.orientation = orientation
        self.value = value
        self.label = label
        self.color = color
        self.style = style
        self.width = width
        self.inLegend = inLegend
    }

    public static func vertical(_ x: Double, label: String? = nil, color: Color = .gray, style: LineStyle = .dashed) -> ReferenceLine {
        ReferenceLine(.vertical, at: x, label: label, color: color, style: style)
    }

    public static func horizontal(_ y: Double, label: String? = nil, color: Color = .gray, style: LineStyle = .dashed) -> ReferenceLine {
        ReferenceLine(.horizontal, at: y, label: label, color: color, style: style)
    }
}

/// Text placed in data coordinates or as a fraction (0…1) of the plot area.
public struct Annotation: Sendable {
    public enum Position: Sendable {
        case data(x: Double, y: Double)
        /// (0, 0) bottom-left, (1, 1) top-right of the plot area.
        case fraction(x: Double, y: Double)
    }
    public enum Anchor: String, Sendable { case start, middle, end }

    public var text: String
    public var position: Position
    public var anchor: Anchor
    public var color: Color
    public var fontSize: Double

    public init(_ text: String, at position: Position, anchor: Anchor = .start,
                color: Color = .black, fontSize: Double = 11) {
        self.text = text
        self.position = position
        self.anchor = anchor
        self.color = color
        self.fontSize = fontSize
    }
}

/// A value grid over two axes, drawn as cells with a colorbar. `values[i][j]` belongs to
/// (x[j], y[i]); cell edges are the midpoints between centres (geometric midpoints on a log
/// axis). Non-finite values (and non-positive ones on a log colour scale) are drawn grey.
public struct Heatmap: Sendable {
    public var x: [Double]
    public var y: [Double]
    public var values: [[Double]]
    public var colorScale: ScaleKind
    public var colormap: Colormap
    /// nil: the finite data range.
    public var valueRange: ClosedRange<Double>?
    /// The colorbar's title.
    public var label: String
    /// Cells drawn in a pattern of their own rather than a colour, each kind with a legend
    /// entry (a sweep's "no escape within K steps", "diverged"). A cell in no mask with a
    /// non-finite value is light grey.
    public var masks: [HeatmapMask]
    /// false: no colorbar of its own — the panel shares the bar of another one on the same
    /// scale (the space stays, so panels side by side keep equal plot areas).
    public var drawsColorbar = true

    public init(x: [Double], y: [Double], values: [[Double]], colorScale: ScaleKind = .linear,
                colormap: Colormap = .viridis, valueRange: ClosedRange<Double>? = nil, label: String = "",
                masks: [HeatmapMask] = []) {
        self.x = x
        self.y = y
        self.values = values
        self.colorScale = colorScale
        self.colormap = colormap
        self.valueRange = valueRange
        self.label = label
        self.masks = masks
    }

    /// The first mask covering cell (row j, column i), if any.
    func mask(row j: Int, column i: Int) -> HeatmapMask? {
        masks.first { j < $0.cells.count && i < $0.cells[j].count && $0.cells[j][i] }
    }
}

/// A set of heatmap cells shown as hatching (ink lines on a background) with a legend entry:
/// cells that hold no value for a stated reason, so they are never read as data.
public struct HeatmapMask: Sendable {
    public enum Hatch: String, Sendable, CaseIterable {
        /// Lines rising to the right.
        case diagonal
        /// Both diagonals.
        case crossed
    }

    public var label: String
    public var hatch: Hatch
    public var background: Color
    public var ink: Color
    /// cells[j][i]: whether the cell at (x[i], y[j]) is masked (the shape of `values`).
    public var cells: [[Bool]]

    public init(label: String, hatch: Hatch, background: Color, ink: Color, cells: [[Bool]]) {
        self.label = label
        self.hatch = hatch
        self.background = background
        self.ink = ink
        self.cells = cells
    }

    /// The SVG pattern's id: named by its look, so equal masks in several panels share one.
    var patternID: String {
        "hatch-\(hatch.rawValue)-\(background.hex.dropFirst())-\(ink.hex.dropFirst())"
    }

    /// The `<pattern>` definition (6-pixel tiles, 1-pixel lines).
    var patternDefinition: String {
        var lines = "M0,6L6,0M-1,1L1,-1M5,7L7,5"
        if hatch == .crossed { lines += "M0,0L6,6M-1,5L1,7M5,-1L7,1" }
        return "<pattern id=\"\(patternID)\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\">"
            + "<rect width=\"6\" height=\"6\" fill=\"\(background.hex)\"/>"
            + "<path d=\"\(lines)\" stroke=\"\(ink.hex)\" stroke-width=\"1\"/></pattern>"
    }
}
