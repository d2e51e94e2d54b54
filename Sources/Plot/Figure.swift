import Foundation
import SpecgdSupport

/// A figure: a grid of panels (row-major), an optional overall title, rendered to SVG with
/// no dependencies. Sizes are in CSS pixels; at the default size every text is ≥ 11 px.
public struct Figure: Sendable {
    public var panels: [Axes]
    /// Panels per row; the number of rows follows from `panels.count`.
    public var columns: Int
    public var title: String
    public var panelWidth: Double
    public var panelHeight: Double
    /// One legend for the whole figure, in rows under the title, gathering the labelled
    /// items of every panel (same label, same entry); the panels then draw none.
    public var sharedLegend: Bool = false

    public init(panels: [Axes], columns: Int? = nil, title: String = "",
                panelWidth: Double = 400, panelHeight: Double = 300) {
        self.panels = panels
        self.columns = max(1, min(columns ?? panels.count, max(panels.count, 1)))
        self.title = title
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
    }

    public init(_ axes: Axes, title: String = "", width: Double = 480, height: Double = 340) {
        self.init(panels: [axes], columns: 1, title: title, panelWidth: width, panelHeight: height)
    }

    public var rows: Int { max(1, (panels.count + columns - 1) / columns) }
    var titleHeight: Double { (title.isEmpty ? 0 : 30) + legendHeight }
    var legendHeight: Double {
        guard sharedLegend else { return 0 }
        let rows = SharedLegend.rows(SharedLegend.entries(panels), width: width)
        return rows.isEmpty ? 0 : Double(rows.count) * SharedLegend.rowHeight + 6
    }
    public var width: Double { Double(columns) * panelWidth }
    public var height: Double { Double(rows) * panelHeight + titleHeight }

    /// Where each panel's plot area lies and how its axes map data to pixels.
    public func layout() -> [PanelLayout] {
        panels.enumerated().map { index, axes in
            let column = index % columns, row = index / columns
            let origin = (x: Double(column) * panelWidth, y: titleHeight + Double(row) * panelHeight)
            var axes = axes
            if sharedLegend { axes.legend = .none }
            return PanelLayout(axes: axes, originX: origin.x, originY: origin.y, width: panelWidth, height: panelHeight)
        }
    }

    /// The figure as a standalone SVG document.
    public var svg: String {
        var w = SVGWriter()
        let n = SVGWriter.number
        w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        w.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">")
        w.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        var patterns = [String]()
        for mask in panels.flatMap({ $0.heatmap?.masks ?? [] }) where !patterns.contains(mask.patternDefinition) {
            patterns.append(mask.patternDefinition)
        }
        if !patterns.isEmpty { w.raw("<defs>" + patterns.joined() + "</defs>") }
        if !title.isEmpty {
            w.text(title, x: width / 2, y: 21, size: 15, anchor: "middle", weight: "bold")
        }
        if sharedLegend {
            SharedLegend.draw(SharedLegend.entries(panels), width: width, top: title.isEmpty ? 6 : 32, into: &w)
        }
        for (index, panel) in layout().enumerated() {
            PanelRenderer(layout: panel, id: index).draw(into: &w)
        }
        w.raw("</svg>")
        return w.body
    }

    /// Writes the SVG atomically (a reader never sees a half-written file).
    public func write(to path: String) throws {
        try AtomicFile.write(svg, to: path)
    }
}

/// The resolved geometry of one panel.
public struct PanelLayout: Sendable {
    public let axes: Axes
    /// The plot area (inside the frame), in figure pixels.
    public let plotX: Double
    public let plotY: Double
    public let plotWidth: Double
    public let plotHeight: Double
    public let x: AxisScale
    public let y: AxisScale
    /// Colour scale of the heatmap, when there is one.
    public let color: AxisScale?

    init(axes: Axes, originX: Double, originY: Double, width: Double, height: Double) {
        self.axes = axes
        let left = 68.0, bottom = 50.0
        let top = axes.title.isEmpty ? 14.0 : 32.0
        var right = axes.heatmap == nil ? 18.0 : 92.0
        if axes.legend == .outsideRight { right += LegendEntry.boxWidth(axes) + 10 }
        plotX = originX + left
        plotY = originY + top
        plotWidth = max(width - left - right, 10)
        plotHeight = max(height - top - bottom, 10)
        let data = PanelLayout.dataValues(axes)
        let tight = axes.heatmap != nil
        let xLimits = AxisScale.limits(for: axes.x, data: data.x, tight: tight)
        let yLimits = AxisScale.limits(for: axes.y, data: data.y, tight: tight)
        x = AxisScale(kind: axes.x.scale, limits: xLimits, start: plotX, end: plotX + plotWidth)
        y = AxisScale(kind: axes.y.scale, limits: yLimits, start: plotY + plotHeight, end: plotY)
        if let heatmap = axes.heatmap {
            let range = PanelLayout.valueRange(heatmap)
            color = AxisScale(kind: heatmap.colorScale, limits: range, start: plotY + plotHeight, end: plotY,
                              ticks: Ticks.colorbar(range, scale: heatmap.colorScale))
        } else {
            color = nil
        }
    }

    /// Every value that should fit on each axis.
    static func dataValues(_ axes: Axes) -> (x: [Double], y: [Double]) {
        if let heatmap = axes.heatmap {
            return (CellEdges.edges(heatmap.x, scale: axes.x.scale), CellEdges.edges(heatmap.y, scale: axes.y.scale))
        }
        var xs = [Double](), ys = [Double]()
        for line in axes.lines { xs += line.x; ys += line.y }
        for marker in axes.markers { xs += marker.x; ys += marker.y }
        for band in axes.bands { xs += band.x; ys += band.lower; ys += band.upper }
        for reference in axes.referenceLines {
            if reference.orientation == .vertical { xs.append(reference.value) } else { ys.append(reference.value) }
        }
        return (xs, ys)
    }

    /// The colour range of a heatmap: the given range, else the finite (positive, for log) data range.
    static func valueRange(_ heatmap: Heatmap) -> ClosedRange<Double> {
        if let range = heatmap.valueRange, range.upperBound > range.lowerBound,
           heatmap.colorScale == .linear || range.lowerBound > 0 {
            return range
        }
        let values = heatmap.values.joined().filter { $0.isFinite && (heatmap.colorScale == .linear || $0 > 0) }
        guard let lo = values.min(), let hi = values.max() else { return heatmap.colorScale == .log ? 1...10 : 0...1 }
        if hi > lo { return lo...hi }
        return heatmap.colorScale == .log ? Ticks.niceLogLimits(lo, hi) : Ticks.niceLinearLimits(lo, hi)
    }

    /// The pixel position of a data point, nil when it cannot be placed.
    public func point(_ xValue: Double, _ yValue: Double) -> (x: Double, y: Double)? {
        guard let px = x.pixel(xValue), let py = y.pixel(yValue) else { return nil }
        return (px, py)
    }
}

/// The figure-level legend: entries laid out left to right, wrapped into centred rows.
enum SharedLegend {
    static let rowHeight = 18.0
    static let gap = 18.0

    static func entries(_ panels: [Axes]) -> [LegendEntry] {
        var all = [LegendEntry]()
        for axes in panels {
            for entry in LegendEntry.collect(axes, colors: SeriesColors(axes)) where !all.contains(where: { $0.label == entry.label }) {
                all.append(entry)
            }
        }
        return all
    }

    static func itemWidth(_ entry: LegendEntry) -> Double {
        LegendEntry.sample + 6 + TextMetrics.width(entry.label, size: PanelRenderer.legendFont)
    }

    static func rows(_ entries: [LegendEntry], width: Double) -> [[LegendEntry]] {
        var rows = [[LegendEntry]](), current = [LegendEntry](), used = 0.0
        for entry in entries {
            let w = itemWidth(entry) + (current.isEmpty ? 0 : gap)
            if !current.isEmpty && used + w > width - 40 {
                rows.append(current); current = []; used = 0
            }
            used += current.isEmpty ? itemWidth(entry) : w
            current.append(entry)
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    static func draw(_ entries: [LegendEntry], width: Double, top: Double, into w: inout SVGWriter) {
        for (r, row) in rows(entries, width: width).enumerated() {
            let total = row.map(itemWidth).reduce(0, +) + gap * Double(row.count - 1)
            var x = (width - total) / 2
            let cy = top + rowHeight * (Double(r) + 0.5)
            for entry in row {
                LegendEntry.drawSample(entry, x: x, cy: cy, into: &w)
                w.text(entry.label, x: x + LegendEntry.sample + 6, y: cy + 4, size: PanelRenderer.legendFont)
                x += itemWidth(entry) + gap
            }
        }
    }
}
