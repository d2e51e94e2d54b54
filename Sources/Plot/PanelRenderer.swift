import Foundation

/// Draws one panel into an SVG writer. Layers, bottom to top: heatmap, grid, bands,
/// reference lines, lines, markers, annotations, frame and ticks, legend.
struct PanelRenderer {
    let layout: PanelLayout
    let id: Int

    static let tickFont = 11.0
    static let labelFont = 12.5
    static let titleFont = 13.0
    static let legendFont = 11.0

    var axes: Axes { layout.axes }
    var clipID: String { "plot-area-\(id)" }

    func draw(into w: inout SVGWriter) {
        let n = SVGWriter.number
        w.raw("<g>")
        w.raw("<defs><clipPath id=\"\(clipID)\"><rect x=\"\(n(layout.plotX))\" y=\"\(n(layout.plotY))\" width=\"\(n(layout.plotWidth))\" height=\"\(n(layout.plotHeight))\"/></clipPath></defs>")
        let colors = SeriesColors(axes)
        w.raw("<g clip-path=\"url(#\(clipID))\">")
        if let heatmap = axes.heatmap { drawHeatmap(heatmap, into: &w) }
        if axes.grid { drawGrid(into: &w) }
        for (i, band) in axes.bands.enumerated() { drawBand(band, color: colors.bands[i], into: &w) }
        for reference in axes.referenceLines { drawReference(reference, into: &w) }
        for (i, line) in axes.lines.enumerated() { drawLine(line, color: colors.lines[i], into: &w) }
        w.raw("</g>")
        // Markers after the frame, so one on the frame (an alignment of 1.0) is drawn whole, not
        // half-covered by the axis line.
        drawFrameAndTicks(into: &w)
        for (i, marker) in axes.markers.enumerated() { drawMarkers(marker, color: colors.markers[i], into: &w) }
        for reference in axes.referenceLines { drawReferenceLabel(reference, into: &w) }
        for annotation in axes.annotations { drawAnnotation(annotation, into: &w) }
        if let heatmap = axes.heatmap, heatmap.drawsColorbar, let scale = layout.color { drawColorbar(heatmap, scale: scale, into: &w) }
        drawLegend(colors: colors, into: &w)
        w.raw("</g>")
    }

    // MARK: data layers

    private func drawHeatmap(_ heatmap: Heatmap, into w: inout SVGWriter) {
        let xe = CellEdges.edges(heatmap.x, scale: axes.x.scale)
        let ye = CellEdges.edges(heatmap.y, scale: axes.y.scale)
        guard let colorScale = layout.color else { return }
        w.raw("<g shape-rendering=\"crispEdges\">")
        for (i, row) in heatmap.values.enumerated() where i + 1 < ye.count {
            for (j, value) in row.enumerated() where j + 1 < xe.count {
                guard let x0 = layout.x.pixel(xe[j]), let x1 = layout.x.pixel(xe[j + 1]),
                      let y0 = layout.y.pixel(ye[i]), let y1 = layout.y.pixel(ye[i + 1]) else { continue }
                let fill = heatmap.mask(row: i, column: j).map { "url(#\($0.patternID))" }
                    ?? heatmap.colormap.color(at: normalised(value, colorScale)).hex
                // A quarter-pixel overlap hides anti-aliasing seams between cells.
                w.rect(x: min(x0, x1) - 0.25, y: min(y0, y1) - 0.25, width: abs(x1 - x0) + 0.5,
                       height: abs(y1 - y0) + 0.5, fill: fill)
            }
        }
        w.raw("</g>")
    }

    /// Position of a value in the colour range, 0…1 (NaN when it cannot be placed).
    private func normalised(_ value: Double, _ scale: AxisScale) -> Double {
        guard scale.canPlace(value), let p = scale.pixel(value) else { return .nan }
        return (scale.start - p) / (scale.start - scale.end)
    }

    private func drawGrid(into w: inout SVGWriter) {
        for tick in layout.x.ticks where tick.isMajor {
            if let px = layout.x.pixel(tick.value) {
                w.line(px, layout.plotY, px, layout.plotY + layout.plotHeight, stroke: "#e6e6e6", width: 0.8)
            }
        }
        for tick in layout.y.ticks where tick.isMajor {
            if let py = layout.y.pixel(tick.value) {
                w.line(layout.plotX, py, layout.plotX + layout.plotWidth, py, stroke: "#e6e6e6", width: 0.8)
            }
        }
    }

    private func drawBand(_ band: Band, color: Color, into w: inout SVGWriter) {
        let count = min(band.x.count, band.lower.count, band.upper.count)
        var upper = [(Double, Double)](), lower = [(Double, Double)]()
        func flush(_ w: inout SVGWriter) {
            if upper.count >= 2 { w.polygon(upper + lower.reversed(), fill: color.hex, opacity: band.opacity) }
            upper.removeAll(); lower.removeAll()
        }
        // A lower bound of exactly 0 on a log axis (a band "0 ≤ c ≤ c_max") reaches down to the
        // frame: the band is shaded to the panel's floor instead of being split there.
        func bottomPoint(_ i: Int) -> (x: Double, y: Double)? {
            if band.lower[i] == 0, layout.y.kind == .log, band.upper[i] > 0, let px = layout.x.pixel(band.x[i]) {
                return (px, layout.plotY + layout.plotHeight)
            }
            return layout.point(band.x[i], band.lower[i])
        }
        for i in 0..<count {
            if let top = layout.point(band.x[i], band.upper[i]), let bottom = bottomPoint(i) {
                upper.append((top.x, top.y)); lower.append((bottom.x, bottom.y))
            } else {
                flush(&w)
            }
        }
        flush(&w)
    }

    private func drawReference(_ reference: ReferenceLine, into w: inout SVGWriter) {
        switch reference.orientation {
        case .vertical:
            guard let px = layout.x.pixel(reference.value) else { return }
            w.line(px, layout.plotY, px, layout.plotY + layout.plotHeight, stroke: reference.color.hex,
                   width: reference.width, dash: reference.style.dashArray)
        case .horizontal:
            guard let py = layout.y.pixel(reference.value) else { return }
            w.line(layout.plotX, py, layout.plotX + layout.plotWidth, py, stroke: reference.color.hex,
                   width: reference.width, dash: reference.style.dashArray)
        }
    }

    private func drawReferenceLabel(_ reference: ReferenceLine, into w: inout SVGWriter) {
        guard let label = reference.label, !label.isEmpty else { return }
        switch reference.orientation {
        case .vertical:
            // In the band above the data (PanelLayout.labelBand), beside the line.
            guard let box = layout.referenceLabelBox(reference) else { return }
            w.text(label, x: box.anchorEnd ? box.x + box.width : box.x, y: box.y + 0.8 * PanelLayout.referenceFont,
                   size: PanelLayout.referenceFont, anchor: box.anchorEnd ? "end" : "start", fill: reference.color.hex)
        case .horizontal:
            // Beside the line where it meets no marker (PanelLayout.horizontalLabelBox).
            guard let box = layout.horizontalLabelBox(reference) else { return }
            w.text(label, x: box.x + box.width, y: box.y + 0.8 * PanelLayout.referenceFont, size: PanelLayout.referenceFont,
                   anchor: "end", fill: reference.color.hex)
        }
    }

    private func drawLine(_ line: LineSeries, color: Color, into w: inout SVGWriter) {
        for segment in segments(x: line.x, y: line.y) {
            w.polyline(segment, stroke: color.hex, width: line.width, dash: line.style.dashArray)
        }
    }

    /// Runs of placeable points, with points closer than a quarter pixel to the last kept one
    /// dropped (long trajectories stay small files without visible change).
    func segments(x: [Double], y: [Double]) -> [[(Double, Double)]] {
        var result = [[(Double, Double)]](), current = [(Double, Double)]()
        for i in 0..<min(x.count, y.count) {
            guard let p = layout.point(x[i], y[i]) else {
                if !current.isEmpty { result.append(current); current.removeAll() }
                continue
            }
            if let last = current.last, abs(last.0 - p.x) < 0.25, abs(last.1 - p.y) < 0.25, i + 1 < min(x.count, y.count) {
                continue
            }
            current.append((p.x, p.y))
        }
        if !current.isEmpty { result.append(current) }
        return result.filter { $0.count >= 2 }
    }

    private func drawMarkers(_ series: MarkerSeries, color: Color, into w: inout SVGWriter) {
        for i in 0..<min(series.x.count, series.y.count) {
            guard let p = layout.point(series.x[i], series.y[i]), inside(p, margin: 0.5) else { continue }
            w.marker(series.shape, x: p.x, y: p.y, size: series.size, color: color.hex, filled: series.filled)
        }
    }

    /// Inside the data area: the plot area below the label band.
    private func inside(_ p: (x: Double, y: Double), margin: Double) -> Bool {
        p.x >= layout.plotX - margin && p.x <= layout.plotX + layout.plotWidth + margin
            && p.y >= layout.plotY + layout.labelBand - margin && p.y <= layout.plotY + layout.plotHeight + margin
    }

    private func drawAnnotation(_ annotation: Annotation, into w: inout SVGWriter) {
        let p: (x: Double, y: Double)?
        switch annotation.position {
        case let .data(x, y): p = layout.point(x, y)
        case let .fraction(fx, fy):
            p = (layout.plotX + fx * layout.plotWidth, layout.plotY + (1 - fy) * layout.plotHeight)
        }
        guard let p else { return }
        w.text(annotation.text, x: p.x, y: p.y, size: annotation.fontSize, anchor: annotation.anchor.rawValue,
               fill: annotation.color.hex)
    }

    // MARK: frame, ticks, labels

    private func drawFrameAndTicks(into w: inout SVGWriter) {
        let left = layout.plotX, top = layout.plotY
        let right = left + layout.plotWidth, bottom = top + layout.plotHeight
        w.rect(x: left, y: top, width: layout.plotWidth, height: layout.plotHeight, fill: "none",
               stroke: "#000000", extra: "stroke-width=\"1\"")
        for tick in layout.x.ticks {
            guard let px = layout.x.pixel(tick.value), px >= left - 0.5, px <= right + 0.5 else { continue }
            w.line(px, bottom, px, bottom + (tick.isMajor ? 5 : 3), stroke: "#000000", width: tick.isMajor ? 1 : 0.7)
            if !tick.label.isEmpty {
                w.text(tick.label, x: px, y: bottom + 18, size: Self.tickFont, anchor: "middle")
            }
        }
        for tick in layout.y.ticks {
            guard let py = layout.y.pixel(tick.value), py >= top - 0.5, py <= bottom + 0.5 else { continue }
            w.line(left - (tick.isMajor ? 5 : 3), py, left, py, stroke: "#000000", width: tick.isMajor ? 1 : 0.7)
            if !tick.label.isEmpty {
                w.text(tick.label, x: left - 8, y: py + 4, size: Self.tickFont, anchor: "end")
            }
        }
        if !axes.x.label.isEmpty {
            w.text(axes.x.label, x: left + layout.plotWidth / 2, y: bottom + 38, size: Self.labelFont, anchor: "middle")
        }
        if !axes.y.label.isEmpty {
            let x = left - 52, y = top + layout.plotHeight / 2
            w.text(axes.y.label, x: x, y: y, size: TextMetrics.fitting(axes.y.label, size: Self.labelFont, width: layout.plotHeight + 20),
                   anchor: "middle", rotate: -90)
        }
        if !axes.title.isEmpty {
            w.text(axes.title, x: left + layout.plotWidth / 2, y: top - 10,
                   size: TextMetrics.fitting(axes.title, size: Self.titleFont, width: layout.plotWidth + 36), anchor: "middle", weight: "bold")
        }
    }

    private func drawColorbar(_ heatmap: Heatmap, scale: AxisScale, into w: inout SVGWriter) {
        let x = layout.plotX + layout.plotWidth + 14, width = 14.0
        let top = layout.plotY, height = layout.plotHeight
        let slices = 64
        w.raw("<g shape-rendering=\"crispEdges\">")
        for k in 0..<slices {
            let t0 = Double(k) / Double(slices)
            let color = heatmap.colormap.color(at: (Double(k) + 0.5) / Double(slices))
            w.rect(x: x, y: top + height * (1 - t0 - 1 / Double(slices)) - 0.25, width: width,
                   height: height / Double(slices) + 0.5, fill: color.hex)
        }
        w.raw("</g>")
        w.rect(x: x, y: top, width: width, height: height, fill: "none", stroke: "#000000", extra: "stroke-width=\"0.8\"")
        for tick in scale.ticks {
            guard let py = scale.pixel(tick.value), py >= top - 0.5, py <= top + height + 0.5 else { continue }
            w.line(x + width, py, x + width + (tick.isMajor ? 4 : 2.5), py, stroke: "#000000", width: tick.isMajor ? 1 : 0.7)
            if !tick.label.isEmpty { w.text(tick.label, x: x + width + 6, y: py + 4, size: Self.tickFont) }
        }
        if !heatmap.label.isEmpty {
            let lx = x + width + 54, ly = top + height / 2
            w.text(heatmap.label, x: lx, y: ly, size: Self.labelFont, anchor: "middle", rotate: -90)
        }
    }

    // MARK: legend

    private func drawLegend(colors: SeriesColors, into w: inout SVGWriter) {
        let entries = LegendEntry.collect(axes, colors: colors)
        guard !entries.isEmpty, axes.legend != .none else { return }
        let rowHeight = 17.0, sample = LegendEntry.sample, pad = LegendEntry.pad
        let boxWidth = LegendEntry.boxWidth(entries)
        let boxHeight = pad + Double(entries.count) * rowHeight + pad - 4
        let corner = axes.legend == .best ? bestCorner(width: boxWidth, height: boxHeight) : axes.legend
        let inset = 8.0
        let bx: Double, by: Double
        switch corner {
        case .topLeft: (bx, by) = (layout.plotX + inset, layout.plotY + inset)
        case .bottomLeft: (bx, by) = (layout.plotX + inset, layout.plotY + layout.plotHeight - inset - boxHeight)
        case .bottomRight: (bx, by) = (layout.plotX + layout.plotWidth - inset - boxWidth, layout.plotY + layout.plotHeight - inset - boxHeight)
        case .outsideRight: (bx, by) = (layout.plotX + layout.plotWidth + 10 + (axes.heatmap == nil ? 0 : 74), layout.plotY)
        default: (bx, by) = (layout.plotX + layout.plotWidth - inset - boxWidth, layout.plotY + inset)
        }
        w.rect(x: bx, y: by, width: boxWidth, height: boxHeight, fill: "#ffffff", stroke: "#bbbbbb",
               extra: "fill-opacity=\"0.88\" stroke-width=\"0.8\" rx=\"2\"")
        for (k, entry) in entries.enumerated() {
            let cy = by + pad + rowHeight * (Double(k) + 0.5) - 2
            let sx = bx + pad
            LegendEntry.drawSample(entry, x: sx, cy: cy, into: &w)
            w.text(entry.label, x: sx + sample + 6, y: cy + 4, size: Self.legendFont)
        }
    }

    /// The corner whose legend box would cover the fewest plotted points.
    private func bestCorner(width: Double, height: Double) -> LegendPosition {
        var points = layout.plottedPoints()
        // Reference-line labels sit at the top of the panel: keep the legend off them too.
        for reference in axes.referenceLines {
            guard let box = layout.referenceLabelBox(reference) else { continue }
            for k in 0...8 { points.append((box.x + box.width * Double(k) / 8, box.y + box.height / 2)) }
        }
        let candidates: [LegendPosition] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
        let inset = 8.0
        var best = LegendPosition.topRight, fewest = Int.max
        for corner in candidates {
            let x0 = corner == .topLeft || corner == .bottomLeft ? layout.plotX + inset : layout.plotX + layout.plotWidth - inset - width
            let y0 = corner == .topLeft || corner == .topRight ? layout.plotY + inset : layout.plotY + layout.plotHeight - inset - height
            // Weighted by a margin so lines just outside the box also count a little.
            let count = points.filter { $0.0 >= x0 - 4 && $0.0 <= x0 + width + 4 && $0.1 >= y0 - 4 && $0.1 <= y0 + height + 4 }.count
            if count < fewest { fewest = count; best = corner }
        }
        return best
    }
}

/// Approximate text widths for layout (DejaVu Sans proportions).
enum TextMetrics {
    static func width(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.58
    }

    /// The smallest text there is: 10 units, 7 pt on paper (1 unit = 0.7 pt, `FigureSize`).
    static let minimumSize = 10.0

    /// `size`, or smaller down to `minimumSize`, so that `text` fits in `width`.
    static func fitting(_ text: String, size: Double, width: Double) -> Double {
        let natural = self.width(text, size: size)
        guard natural > width else { return size }
        return max(minimumSize, size * width / natural)
    }

    /// Words of `text` gathered into lines no wider than `width` (a longer word is a line of its
    /// own). Lines break at word and expression boundaries only: never next to a relation or
    /// operator (`η = 0.3/√d`, `σ_i ∝ i^(−1)`, `a ≥ 0.5` stay whole) nor inside brackets.
    static func wrap(_ text: String, size: Double, width: Double) -> [String] {
        var lines = [String](), current = ""
        for word in unbreakable(text) {
            let candidate = current.isEmpty ? word : current + " " + word
            if !current.isEmpty && self.width(candidate, size: size) > width {
                lines.append(current)
                current = word
            } else {
                current = candidate
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// Relations and operators a line never breaks beside.
    static let operators: Set<String> = ["=", "≈", "∝", "≤", "≥", "<", ">", "≠", "~", "∼", "·", "×", "+", "−", "-", "/", "→", "±"]

    /// The space-separated words of `text` joined into the pieces a line may break between: a
    /// word is joined to the one before when either is an operator, or when a bracket opened
    /// inside an earlier word is still open.
    static func unbreakable(_ text: String) -> [String] {
        var pieces = [String](), depth = 0, previousIsOperator = false
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let isOperator = operators.contains(word)
            if let last = pieces.last, depth > 0 || isOperator || previousIsOperator {
                pieces[pieces.count - 1] = last + " " + word
            } else {
                pieces.append(word)
            }
            // A bracket opened inside a word (`i^(−1)`, `ρ(λ, η̃, q)`) holds an expression; one
            // opening a word (`(exact map, …)`) is prose and may wrap.
            for (k, character) in word.enumerated() {
                if "([{".contains(character) { if k > 0 || depth > 0 { depth += 1 } }
                else if ")]}".contains(character) { depth = max(0, depth - 1) }
            }
            previousIsOperator = isOperator
        }
        // A two-word parenthesis, "(exact map)", is not split either: it would leave "map)" alone.
        var joined = [String]()
        for piece in pieces {
            if let last = joined.last, last.hasPrefix("("), !last.contains(")"), piece.contains(")") {
                joined[joined.count - 1] = last + " " + piece
            } else {
                joined.append(piece)
            }
        }
        return joined
    }
}

/// Colours of every series: explicit ones kept, the others take the palette in order.
struct SeriesColors {
    var lines: [Color] = []
    var markers: [Color] = []
    var bands: [Color] = []

    init(_ axes: Axes) {
        var next = 0
        func take(_ explicit: Color?) -> Color {
            if let explicit { return explicit }
            defer { next += 1 }
            return Palette.color(next)
        }
        lines = axes.lines.map { take($0.color) }
        markers = axes.markers.map { take($0.color) }
        bands = axes.bands.map { take($0.color) }
    }
}

/// One legend row; items sharing a label are drawn as one combined sample.
struct LegendEntry {
    var label: String
    var line: (color: Color, width: Double, style: LineStyle)?
    var marker: (shape: MarkerShape, color: Color, size: Double, filled: Bool)?
    var band: Color?
    /// A heatmap mask's hatching (its pattern is defined once per figure).
    var mask: HeatmapMask?

    static let sample = 26.0, pad = 7.0

    /// No sample: a heading in a grouped legend.
    var isHeading: Bool { line == nil && marker == nil && band == nil && mask == nil }

    static func boxWidth(_ entries: [LegendEntry]) -> Double {
        let longest = entries.map { TextMetrics.width($0.label, size: PanelRenderer.legendFont) }.max() ?? 0
        return pad + sample + 6 + longest + pad
    }

    /// The legend box width of a panel (0 without labelled items).
    static func boxWidth(_ axes: Axes) -> Double {
        let entries = collect(axes, colors: SeriesColors(axes))
        return entries.isEmpty ? 0 : boxWidth(entries)
    }

    /// The sample (band swatch, line, marker) of one entry, `sample` pixels wide from x.
    static func drawSample(_ entry: LegendEntry, x sx: Double, cy: Double, into w: inout SVGWriter) {
        if let mask = entry.mask {
            w.rect(x: sx, y: cy - 6, width: sample, height: 12, fill: "url(#\(mask.patternID))", stroke: "#555555",
                   extra: "stroke-width=\"0.6\"")
        }
        if let band = entry.band {
            w.rect(x: sx, y: cy - 6, width: sample, height: 12, fill: band.hex, extra: "fill-opacity=\"0.3\"")
        }
        if let line = entry.line {
            // A light line (e.g. white over a heatmap) gets a dark casing so it shows on the box.
            let c = line.color
            if 0.2126 * Double(c.red) + 0.7152 * Double(c.green) + 0.0722 * Double(c.blue) > 200 {
                w.line(sx, cy, sx + sample, cy, stroke: "#333333", width: line.width + 2)
            }
            w.line(sx, cy, sx + sample, cy, stroke: line.color.hex, width: line.width, dash: line.style.dashArray)
        }
        if let marker = entry.marker {
            w.marker(marker.shape, x: sx + sample / 2, y: cy, size: marker.size, color: marker.color.hex, filled: marker.filled)
        }
    }

    static func collect(_ axes: Axes, colors: SeriesColors) -> [LegendEntry] {
        var entries = [LegendEntry]()
        func entry(_ label: String?) -> Int? {
            guard let label, !label.isEmpty else { return nil }
            if let i = entries.firstIndex(where: { $0.label == label }) { return i }
            entries.append(LegendEntry(label: label))
            return entries.count - 1
        }
        for (i, line) in axes.lines.enumerated() {
            if let k = entry(line.label) { entries[k].line = (colors.lines[i], line.width, line.style) }
        }
        for (i, marker) in axes.markers.enumerated() {
            if let k = entry(marker.label) { entries[k].marker = (marker.shape, colors.markers[i], marker.size, marker.filled) }
        }
        for (i, band) in axes.bands.enumerated() {
            if let k = entry(band.label) { entries[k].band = colors.bands[i] }
        }
        for reference in axes.referenceLines where reference.inLegend {
            if let k = entry(reference.label) { entries[k].line = (reference.color, reference.width, reference.style) }
        }
        for mask in axes.heatmap?.masks ?? [] {
            if let k = entry(mask.label) { entries[k].mask = mask }
        }
        return entries
    }
}
