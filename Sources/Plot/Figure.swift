import Foundation
import SpecgdSupport

/// The one width convention of the figures: a figure is as wide as its size, whatever its
/// number of panels, and its panels share that width. `screen` lays out in CSS pixels (the SVG
/// carries no unit); the paper sizes lay out in user units and write the physical width in
/// points with a viewBox, so a PDF made from the SVG has the column's page size. Their user
/// width is chosen so that 1 unit = 0.7 pt: the usual smallest text (11 units) prints at 7.7 pt,
/// a label shrunk to fit (`TextMetrics.minimumSize`, 10 units) at 7 pt.
public enum FigureSize: String, CaseIterable, Codable, Sendable {
    /// 1200 CSS px wide (three 400-px panels a row), for screens and the report.
    case screen
    /// One column of a two-column paper: 3.5 in.
    case single
    /// The full text width of a two-column paper: 7 in.
    case double

    /// Width in SVG user units.
    var layoutWidth: Double {
        switch self {
        case .screen: 1200
        case .single: 360
        case .double: 720
        }
    }

    /// Printed width in points (nil: CSS pixels, no unit in the SVG).
    var points: Double? {
        switch self {
        case .screen: nil
        case .single: 3.5 * 72
        case .double: 7 * 72
        }
    }

    /// At most this many panels a row (more are wrapped, row-major): a panel is ≥ 180 units
    /// wide, a plot area of ≥ 94. So muon-at-scale keeps its four λ columns at double width.
    var maxColumns: Int {
        switch self {
        case .screen: .max
        case .single: 2
        case .double: 4
        }
    }

    /// Panel height for panels `width` units wide: 300 on screen; on paper 0.8 × the width
    /// within 200…270, so a narrow panel keeps a usable plot area and three rows of wide ones
    /// (muon-at-scale) still fit a page.
    func panelHeight(width: Double) -> Double {
        self == .screen ? 300 : min(270, max(200, 0.8 * width))
    }
}

/// A figure: a grid of panels (row-major), an optional overall title, rendered to SVG with
/// no dependencies. Sizes are in CSS pixels (user units with a physical size, see `FigureSize`);
/// at the default size every text is ≥ 11 units.
public struct Figure: Sendable {
    public var panels: [Axes]
    /// Panels per row; the number of rows follows from `panels.count`.
    public var columns: Int
    public var title: String
    var panelWidth: Double
    var panelHeight: Double
    /// One legend for the whole figure, in rows under the title, gathering the labelled
    /// items of every panel (same label, same entry); the panels then draw none.
    public var sharedLegend: Bool = false
    /// The shared legend's items given in groups (nil: gathered from the panels and laid out as
    /// a table). Groups are kept together on a line when they fit, several to a line, each line
    /// centred: a factored key (one group of method colours, one of line styles) takes as many
    /// lines as the width needs, not one per series.
    public var legendGroups: [[LegendItem]]?
    /// Printed width in points, written into the SVG (nil: the user units are CSS pixels).
    var widthInPoints: Double?

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

    /// Lays the figure out at `size`: its width, at most `size.maxColumns` panels a row sharing
    /// it, and the size's panel height.
    public mutating func apply(_ size: FigureSize) {
        columns = max(1, min(columns, size.maxColumns))
        panelWidth = size.layoutWidth / Double(columns)
        panelHeight = size.panelHeight(width: panelWidth)
        widthInPoints = size.points
    }

    public var rows: Int { max(1, (panels.count + columns - 1) / columns) }
    /// 15 units on screen; on paper 12 (8.4 pt), so a single-column figure's title takes two or
    /// three lines, not four, above its panels.
    var titleFont: Double { widthInPoints == nil ? 15 : 12 }
    var titleLineHeight: Double { titleFont * 19 / 15 }
    /// The title in lines no wider than the figure (words are never split).
    var titleLines: [String] {
        TextMetrics.wrap(title, size: titleFont, width: width - 20)
    }
    /// Title and shared legend together.
    var titleHeight: Double { headerHeight + legendHeight }
    /// The title's lines (30 units for one line, as before wrapping existed).
    var headerHeight: Double { title.isEmpty ? 0 : 30 + titleLineHeight * Double(titleLines.count - 1) }
    var legendHeight: Double {
        guard sharedLegend else { return 0 }
        let rows = legendLineCount
        return rows == 0 ? 0 : Double(rows) * SharedLegend.rowHeight + 6
    }
    /// Lines of the shared legend (0 without one).
    var legendLineCount: Int {
        guard sharedLegend else { return 0 }
        if let groups = legendGroups { return SharedLegend.lines(groups.map { $0.map(\.entry) }, width: width).count }
        return SharedLegend.rows(SharedLegend.entries(panels), width: width).count
    }
    public var width: Double { Double(columns) * panelWidth }
    var height: Double { Double(rows) * panelHeight + titleHeight }

    /// Where each panel's plot area lies and how its axes map data to pixels.
    func layout() -> [PanelLayout] {
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
        let size = widthInPoints.map { points in (width: n(points) + "pt", height: n(height * points / width) + "pt") }
            ?? (width: n(width), height: n(height))
        w.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size.width)\" height=\"\(size.height)\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">")
        w.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        var patterns = [String]()
        for mask in panels.flatMap({ $0.heatmap?.masks ?? [] }) where !patterns.contains(mask.patternDefinition) {
            patterns.append(mask.patternDefinition)
        }
        if !patterns.isEmpty { w.raw("<defs>" + patterns.joined() + "</defs>") }
        for (k, line) in titleLines.enumerated() where !title.isEmpty {
            w.text(line, x: width / 2, y: 21 + titleLineHeight * Double(k), size: titleFont, anchor: "middle", weight: "bold")
        }
        if sharedLegend {
            let top = title.isEmpty ? 6 : headerHeight + 2
            if let groups = legendGroups {
                SharedLegend.draw(SharedLegend.placements(groups: groups.map { $0.map(\.entry) }, width: width, top: top), into: &w)
            } else {
                SharedLegend.draw(SharedLegend.entries(panels), width: width, top: top, into: &w)
            }
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
    let plotX: Double
    let plotY: Double
    let plotWidth: Double
    let plotHeight: Double
    public let x: AxisScale
    public let y: AxisScale
    /// Colour scale of the heatmap, when there is one.
    public let color: AxisScale?
    /// Height kept clear at the top of the plot area for the labels of vertical reference lines
    /// (λ_c): the y axis maps the data below it, so a label there meets no marker or curve,
    /// whatever the data (0 when no vertical line is labelled).
    let labelBand: Double

    static let referenceFont = 11.0
    /// A marker's radius (3.2) plus half its stroke, and a line's half width, fit between a label's
    /// box (baseline 15 below the frame, descenders of a subscript 0.35 em lower) and the band's end.
    static let referenceBand = 24.0

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
        let labelled = axes.heatmap == nil && axes.referenceLines.contains { $0.orientation == .vertical && !($0.label ?? "").isEmpty }
        labelBand = labelled ? min(PanelLayout.referenceBand, plotHeight / 3) : 0
        let data = PanelLayout.dataValues(axes)
        let tight = axes.heatmap != nil
        let xStart = plotX, xEnd = plotX + plotWidth, yStart = plotY + plotHeight, yEnd = plotY + labelBand
        // Every marker inside the limits is drawn whole inside the frame (none cut in half by it).
        let margin = (axes.markers.map(\.size).max() ?? 0) + PanelLayout.markerClearance
        let xLimits = PanelLayout.clearing(AxisScale.limits(for: axes.x, data: data.x, tight: tight), scale: axes.x.scale,
                                           markers: tight ? [] : axes.markers.flatMap(\.x), margin: margin, pixels: xEnd - xStart)
        let yLimits = PanelLayout.clearing(AxisScale.limits(for: axes.y, data: data.y, tight: tight), scale: axes.y.scale,
                                           markers: tight ? [] : axes.markers.flatMap(\.y), margin: margin, pixels: yStart - yEnd)
        x = AxisScale(kind: axes.x.scale, limits: xLimits, start: xStart, end: xEnd,
                      ticks: PanelLayout.legibleTicks(axes.x.scale, xLimits, pixels: xEnd - xStart, horizontal: true))
        y = AxisScale(kind: axes.y.scale, limits: yLimits, start: yStart, end: yEnd,
                      ticks: PanelLayout.legibleTicks(axes.y.scale, yLimits, pixels: yStart - yEnd, horizontal: false))
        if let heatmap = axes.heatmap {
            let range = PanelLayout.valueRange(heatmap)
            color = AxisScale(kind: heatmap.colorScale, limits: range, start: plotY + plotHeight, end: plotY,
                              ticks: Ticks.colorbar(range, scale: heatmap.colorScale))
        } else {
            color = nil
        }
    }

    /// A marker's stroke (half of 1.1) and a pixel of air between it and the frame.
    static let markerClearance = 1.6

    /// `limits` widened, on the side where it is needed, so that every marker value inside them
    /// lies at least `margin` pixels from the ends of an axis `pixels` long (in log10 on a log
    /// axis). Widening each end by δ = R·m/(P − 2m) keeps m pixels even after the other end
    /// widens too: δ·P/(R + 2δ) = m.
    static func clearing(_ limits: ClosedRange<Double>, scale: ScaleKind, markers: [Double], margin m: Double,
                         pixels p: Double) -> ClosedRange<Double> {
        let forward: (Double) -> Double = scale == .log ? { log10($0) } : { $0 }
        let back: (Double) -> Double = scale == .log ? { pow(10, $0) } : { $0 }
        let lo = forward(limits.lowerBound), hi = forward(limits.upperBound)
        let inside = markers.filter { $0.isFinite && (scale == .linear || $0 > 0) }.map(forward).filter { $0 >= lo && $0 <= hi }
        guard let low = inside.min(), let high = inside.max(), hi > lo, p > 2 * m, m > 0 else { return limits }
        let delta = (hi - lo) * m / (p - 2 * m)
        let newLo = low - lo < delta ? low - delta : lo, newHi = hi - high < delta ? high + delta : hi
        return newLo == lo && newHi == hi ? limits : back(newLo)...back(newHi)
    }

    /// The least clear space between two tick labels.
    static let tickLabelGap = 6.0

    /// The default ticks of an axis `pixels` long, with fewer labels when their text would
    /// touch: a narrow paper panel gets 4, 3 or 2 linear intervals, or on a log axis labels at
    /// the decades only, then at every second, third … decade.
    static func legibleTicks(_ kind: ScaleKind, _ limits: ClosedRange<Double>, pixels: Double, horizontal: Bool) -> [Tick] {
        func crowded(_ ticks: [Tick]) -> Bool {
            let (lo, hi) = kind == .log ? (log10(limits.lowerBound), log10(limits.upperBound)) : (limits.lowerBound, limits.upperBound)
            let placed = ticks.filter { !$0.label.isEmpty }.map { tick -> (Double, Double) in
                let t = kind == .log ? log10(tick.value) : tick.value
                // Tick labels are mostly digits, 0.64 em wide in DejaVu Sans (TextMetrics' 0.58 is an average).
                let extent = horizontal ? Double(tick.label.count) * 0.64 * PanelRenderer.tickFont : PanelRenderer.tickFont
                return ((t - lo) / (hi - lo) * pixels, extent)
            }.sorted { $0.0 < $1.0 }
            return zip(placed, placed.dropFirst()).contains { a, b in b.0 - a.0 < (a.1 + b.1) / 2 + Self.tickLabelGap }
        }
        let candidates: [[Tick]]
        switch kind {
        case .linear: candidates = [5, 4, 3, 2].map { Ticks.linear(limits, target: $0) }
        case .log: candidates = [Ticks.log(limits)] + [7, 5, 4, 3, 2].map { Ticks.log(limits, maxLabels: $0, labelledMantissas: [1]) }
        }
        // Thinning never leaves fewer than two labels where a candidate with two fits.
        func labels(_ ticks: [Tick]) -> Int { ticks.filter { !$0.label.isEmpty }.count }
        return candidates.first { labels($0) >= 2 && !crowded($0) } ?? candidates.first { !crowded($0) } ?? candidates.last!
    }

    /// Where the label of a vertical reference line is written: horizontally in the label band,
    /// right of the line (left of it when it would leave the frame). The box is the text's
    /// extent with ascenders and a subscript's descent, in figure units.
    func referenceLabelBox(_ reference: ReferenceLine) -> (x: Double, y: Double, width: Double, height: Double, anchorEnd: Bool)? {
        if reference.orientation == .horizontal { return horizontalLabelBox(reference) }
        guard let label = reference.label, !label.isEmpty, labelBand > 0,
              let px = x.pixel(reference.value), px >= plotX, px <= plotX + plotWidth else { return nil }
        let width = TextMetrics.width(label, size: Self.referenceFont), size = Self.referenceFont
        let baseline = plotY + 15
        let anchorEnd = px + 4 + width > plotX + plotWidth - 2
        let left = anchorEnd ? px - 4 - width : px + 4
        return (left, baseline - 0.8 * size, width, 1.15 * size, anchorEnd)
    }

    /// Where the label of a horizontal reference line is written: just above or below the line,
    /// at its right end, its left end or a quarter, half or three quarters along, whichever meets
    /// the fewest markers (then the fewest curve points); ties keep the first, the right end above
    /// the line (where it always was).
    func horizontalLabelBox(_ reference: ReferenceLine) -> (x: Double, y: Double, width: Double, height: Double, anchorEnd: Bool)? {
        guard let label = reference.label, !label.isEmpty, let py = y.pixel(reference.value),
              py >= plotY, py <= plotY + plotHeight else { return nil }
        let size = Self.referenceFont, width = TextMetrics.width(label, size: size), height = 1.15 * size
        // Along the line: its right end, its left end, then a quarter, half and three quarters in.
        let xs = [plotX + plotWidth - 4 - width, plotX + 4] + [0.25, 0.5, 0.75].map { plotX + 4 + $0 * (plotWidth - 8 - width) }
        // Above: baseline 4 above the line; below: the box's top 3 below it.
        let candidates = xs.map { ($0, py - 4 - 0.8 * size) } + xs.map { ($0, py + 3) }
        let markers = axes.markers.flatMap { m in zip(m.x, m.y).compactMap { point($0, $1) }.map { ($0.x, $0.y, m.size + 0.55) } }
        let curves = plottedPoints(markers: false)
        func cost(_ box: (x: Double, y: Double)) -> Int {
            let hits = markers.filter { $0.0 + $0.2 > box.x && $0.0 - $0.2 < box.x + width && $0.1 + $0.2 > box.y && $0.1 - $0.2 < box.y + height }
            let near = curves.filter { $0.0 + 2 > box.x && $0.0 - 2 < box.x + width && $0.1 + 2 > box.y && $0.1 - 2 < box.y + height }
            let outside = box.y < plotY + labelBand || box.y + height > plotY + plotHeight
            return 1000 * hits.count + near.count + (outside ? 100_000 : 0)
        }
        var best = candidates[0], lowest = cost(best)
        for candidate in candidates.dropFirst() where cost(candidate) < lowest { (best, lowest) = (candidate, cost(candidate)) }
        return (best.0, best.1, width, height, false)
    }

    /// The pixel points of every line (and marker, and band edge) of the panel: what a legend
    /// or a label should not cover.
    func plottedPoints(markers withMarkers: Bool = true) -> [(Double, Double)] {
        var points = [(Double, Double)]()
        for line in axes.lines {
            for i in 0..<min(line.x.count, line.y.count) { if let p = point(line.x[i], line.y[i]) { points.append((p.x, p.y)) } }
        }
        if withMarkers {
            for marker in axes.markers {
                for i in 0..<min(marker.x.count, marker.y.count) { if let p = point(marker.x[i], marker.y[i]) { points.append((p.x, p.y)) } }
            }
        }
        for band in axes.bands {
            for i in 0..<min(band.x.count, band.upper.count, band.lower.count) {
                if let p = point(band.x[i], band.upper[i]) { points.append((p.x, p.y)) }
                if let p = point(band.x[i], band.lower[i]) { points.append((p.x, p.y)) }
            }
        }
        return points
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
    func point(_ xValue: Double, _ yValue: Double) -> (x: Double, y: Double)? {
        guard let px = x.pixel(xValue), let py = y.pixel(yValue) else { return nil }
        return (px, py)
    }
}

/// The figure-level legend: a table of entries under the title, filled row by row, as many
/// columns as fit, each column as wide as its widest entry and the table centred. So the
/// entries of every row line up under those of the row above, and rows are `rowHeight` apart.
/// A legend that fits on one row is that row, centred.
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

    /// Column widths of the widest table (most columns) that fits in `width` less a 20-unit
    /// margin each side; one column when even that does not fit.
    static func columnWidths(_ entries: [LegendEntry], width: Double) -> [Double] {
        guard !entries.isEmpty else { return [] }
        for count in stride(from: entries.count, through: 1, by: -1) {
            var widths = [Double](repeating: 0, count: count)
            for (k, entry) in entries.enumerated() { widths[k % count] = max(widths[k % count], itemWidth(entry)) }
            if count == 1 || widths.reduce(0, +) + gap * Double(count - 1) <= width - 40 { return widths }
        }
        return []
    }

    static func rows(_ entries: [LegendEntry], width: Double) -> [[LegendEntry]] {
        let count = columnWidths(entries, width: width).count
        guard count > 0 else { return [] }
        return stride(from: 0, to: entries.count, by: count).map { Array(entries[$0..<min($0 + count, entries.count)]) }
    }

    /// Where each entry's sample starts (x) and the centre line of its row (cy), in entry order.
    static func placements(_ entries: [LegendEntry], width: Double, top: Double) -> [(entry: LegendEntry, x: Double, cy: Double)] {
        let columns = columnWidths(entries, width: width)
        guard !columns.isEmpty else { return [] }
        let total = columns.reduce(0, +) + gap * Double(columns.count - 1)
        var starts = [(width - total) / 2]
        for w in columns.dropLast() { starts.append(starts.last! + w + gap) }
        return entries.enumerated().map { k, entry in
            (entry, starts[k % columns.count], top + rowHeight * (Double(k / columns.count) + 0.5))
        }
    }

    static func draw(_ entries: [LegendEntry], width: Double, top: Double, into w: inout SVGWriter) {
        draw(placements(entries, width: width, top: top), into: &w)
    }

    static func draw(_ placed: [(entry: LegendEntry, x: Double, cy: Double)], into w: inout SVGWriter) {
        for (entry, x, cy) in placed {
            if entry.isHeading {
                w.text(entry.label, x: x, y: cy + 4, size: PanelRenderer.legendFont)
                continue
            }
            LegendEntry.drawSample(entry, x: x, cy: cy, into: &w)
            w.text(entry.label, x: x + LegendEntry.sample + 6, y: cy + 4, size: PanelRenderer.legendFont)
        }
    }

    // MARK: grouped legends (Figure.legendGroups)

    /// Space between the items of a group, and between groups sharing a line.
    static let itemGap = 12.0, groupGap = 26.0

    /// An item's width: a heading is its text, any other item its sample and text.
    static func groupItemWidth(_ entry: LegendEntry) -> Double {
        entry.isHeading ? TextMetrics.width(entry.label, size: PanelRenderer.legendFont) : itemWidth(entry)
    }

    static func lineWidth(_ line: [[LegendEntry]]) -> Double {
        let items = line.map { group in group.map(groupItemWidth).reduce(0, +) + itemGap * Double(max(group.count - 1, 0)) }
        return items.reduce(0, +) + groupGap * Double(max(line.count - 1, 0))
    }

    /// The groups' items flowed into lines no wider than `width` less a 20-unit margin each
    /// side, in order: an item goes on the current line when it fits there, else starts the next
    /// (an item is never split, and a heading stays with the item after it). A group continues
    /// a line after a wider gap than its items', so each line reads as its groups.
    static func lines(_ groups: [[LegendEntry]], width: Double) -> [[[LegendEntry]]] {
        let room = width - 40
        var lines = [[[LegendEntry]]]()
        for group in groups where !group.isEmpty {
            var units = [[LegendEntry]]()
            for item in group {
                if let last = units.last, last.count == 1, last[0].isHeading { units[units.count - 1].append(item) } else { units.append([item]) }
            }
            for (u, unit) in units.enumerated() {
                if var line = lines.last {
                    if u == 0 { line.append(unit) } else { line[line.count - 1] += unit }
                    if lineWidth(line) <= room { lines[lines.count - 1] = line; continue }
                }
                lines.append([unit])
            }
        }
        return lines
    }

    /// Where each item of the grouped legend starts (x) and its row's centre line (cy); every
    /// line centred on the figure, lines `rowHeight` apart.
    static func placements(groups: [[LegendEntry]], width: Double, top: Double) -> [(entry: LegendEntry, x: Double, cy: Double)] {
        var placed = [(entry: LegendEntry, x: Double, cy: Double)]()
        for (row, line) in lines(groups, width: width).enumerated() {
            var x = (width - lineWidth(line)) / 2
            let cy = top + rowHeight * (Double(row) + 0.5)
            for (g, group) in line.enumerated() {
                if g > 0 { x += groupGap }
                for (k, item) in group.enumerated() {
                    if k > 0 { x += itemGap }
                    placed.append((item, x, cy))
                    x += groupItemWidth(item)
                }
            }
        }
        return placed
    }
}

/// One item of a grouped figure legend (`Figure.legendGroups`): a label and its sample — any of
/// a line, a marker and a shaded band, drawn on top of one another as in a panel's legend. An
/// item with no sample is a heading: its text alone, naming what the items after it share.
public struct LegendItem: Sendable, Equatable {
    public var label: String
    public var lineColor: Color?
    public var lineStyle: LineStyle
    public var lineWidth: Double
    public var marker: MarkerShape?
    public var markerColor: Color
    public var markerFilled: Bool
    public var bandColor: Color?

    public init(label: String, lineColor: Color? = nil, lineStyle: LineStyle = .solid, lineWidth: Double = 1.8,
                marker: MarkerShape? = nil, markerColor: Color = .gray, markerFilled: Bool = false, bandColor: Color? = nil) {
        self.label = label
        self.lineColor = lineColor
        self.lineStyle = lineStyle
        self.lineWidth = lineWidth
        self.marker = marker
        self.markerColor = markerColor
        self.markerFilled = markerFilled
        self.bandColor = bandColor
    }

    var entry: LegendEntry {
        LegendEntry(label: label, line: lineColor.map { ($0, lineWidth, lineStyle) },
                    marker: marker.map { ($0, markerColor, 3.2, markerFilled) }, band: bandColor)
    }
}
