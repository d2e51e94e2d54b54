import Foundation
import Testing
@testable import Plot

/// Geometry of the drawn figure, computed from the renderer's own layout (PanelLayout,
/// SharedLegend.placements): what a reader would see as overlap is an intersection of boxes.
struct Box {
    var x0, y0, x1, y1: Double

    func intersects(_ other: Box) -> Bool { x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1 }

    /// Whether the segment p–q, thickened by `halfWidth`, meets the box (Liang–Barsky clipping
    /// against the box grown by the half width).
    func meets(_ p: (Double, Double), _ q: (Double, Double), halfWidth: Double) -> Bool {
        let (dx, dy) = (q.0 - p.0, q.1 - p.1)
        var t0 = 0.0, t1 = 1.0
        for (d, low, high, start) in [(dx, x0 - halfWidth, x1 + halfWidth, p.0), (dy, y0 - halfWidth, y1 + halfWidth, p.1)] {
            if d == 0 {
                if start < low || start > high { return false }
                continue
            }
            let a = (low - start) / d, b = (high - start) / d
            t0 = max(t0, min(a, b)); t1 = min(t1, max(a, b))
            if t0 > t1 { return false }
        }
        return true
    }
}

enum LabelCollisions {
    /// Every (panel, label) whose box meets a marker (radius plus half its 1.1 stroke), a curve
    /// (half its width), the reference line itself or leaves the plot area.
    static func collisions(_ figure: Figure) -> [String] {
        var found = [String]()
        for (index, panel) in figure.layout().enumerated() {
            for reference in panel.axes.referenceLines {
                guard let b = panel.referenceLabelBox(reference) else { continue }
                let box = Box(x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height)
                let name = "panel \(index) label \(reference.label ?? "")"
                if box.x0 < panel.plotX || box.x1 > panel.plotX + panel.plotWidth || box.y0 < panel.plotY { found.append(name + " leaves the plot area") }
                if reference.orientation == .vertical, let px = panel.x.pixel(reference.value), box.x0 <= px + reference.width / 2, box.x1 >= px - reference.width / 2 {
                    found.append(name + " crosses its line")
                }
                if reference.orientation == .horizontal, let py = panel.y.pixel(reference.value), box.y0 <= py + reference.width / 2, box.y1 >= py - reference.width / 2 {
                    found.append(name + " crosses its line")
                }
                for marker in panel.axes.markers {
                    for (x, y) in zip(marker.x, marker.y) {
                        guard let p = panel.point(x, y) else { continue }
                        let r = marker.size + 0.55
                        if box.intersects(Box(x0: p.x - r, y0: p.y - r, x1: p.x + r, y1: p.y + r)) { found.append(name + " meets a marker at \(x), \(y)") }
                    }
                }
                for line in panel.axes.lines {
                    let points = zip(line.x, line.y).compactMap { panel.point($0, $1) }
                    for (p, q) in zip(points, points.dropFirst()) where box.meets((p.x, p.y), (q.x, q.y), halfWidth: line.width / 2) {
                        found.append(name + " meets a curve near \(p)")
                    }
                }
            }
        }
        return found
    }
}

@Suite struct FigureLayoutTests {
    /// The escape figures' geometry: λ_c = 2 among log-spaced λ, one method's markers all at the
    /// top of the data (SpecGD's alignment ≈ 1), the other's curve rising to the top right of
    /// the line (GD's escape step): the two collisions the rotated label had.
    static func escapeLike(columns: Int) -> Figure {
        let lambdas = (0...24).map { 0.25 * pow(2, Double($0) / 3) }
        var panels = [Axes]()
        for k in 0..<4 {
            var axes = Axes(title: "panel \(k)", x: Axis(label: "spike strength λ", scale: .log), y: Axis(label: "value", scale: k == 2 ? .log : .linear))
            let flat = lambdas.map { _ in k == 2 ? 500.0 : 1.0 }
            let rising = lambdas.map { k == 2 ? 2000 + 40 * log2($0 / 0.25) : 0.75 + 0.25 * log2($0 / 0.25) / 8 }
            for (y, shape) in [(flat, MarkerShape.square), (rising, MarkerShape.circle)] {
                axes.add(LineSeries(x: lambdas, y: y, label: shape == .square ? "SpecGD" : "GD"))
                axes.add(MarkerSeries(x: lambdas, y: y, label: shape == .square ? "SpecGD" : "GD", shape: shape, size: 3.2, filled: true))
            }
            var line = ReferenceLine.vertical(2, label: "λ_c = 2", color: .black, style: .dotted)
            line.inLegend = false
            axes.add(line)
            panels.append(axes)
        }
        var figure = Figure(panels: panels, columns: columns, title: "At escape")
        figure.sharedLegend = true
        return figure
    }

    @Test(arguments: FigureSize.allCases, [2, 3])
    func referenceLabelsMeetNoDataAtAnySize(_ size: FigureSize, columns: Int) {
        var figure = Self.escapeLike(columns: columns)
        figure.apply(size)
        #expect(figure.layout().allSatisfy { $0.labelBand > 0 })
        #expect(LabelCollisions.collisions(figure) == [])
    }

    /// Rows of the shared legend are `rowHeight` apart and its columns line up: every entry of a
    /// column starts at the same x, each row inside the figure less its margins.
    @Test(arguments: [360.0, 720, 1200])
    func sharedLegendIsATableWithEvenRows(_ width: Double) {
        let labels = ["GD", "SpecGD (exact polar)", "NS5, K = 5", "NS5, K = 8", "NS5, K = 10", "Polar Express, K = 5",
                      "a much longer entry with words", "x", "GD, λ = 1", "GD, λ = 8", "GD, λ = 32",
                      "SpecGD, λ = 1, 8, 32 (coincide within 0.64 %)", "GD sim. (mean, q10–q90)", "SpecGD sim. (mean, q10–q90)"]
        let entries = labels.map { LegendEntry(label: $0, line: (Color.blue, 1.8, .solid)) }
        let placed = SharedLegend.placements(entries, width: width, top: 32)
        let columns = SharedLegend.columnWidths(entries, width: width).count
        #expect(placed.count == entries.count && columns >= 1 && columns < entries.count, "several rows at width \(width)")
        let rows = Dictionary(grouping: placed.indices, by: { $0 / columns })
        for (r, members) in rows {
            #expect(members.allSatisfy { placed[$0].cy == 32 + SharedLegend.rowHeight * (Double(r) + 0.5) })
            let last = members.max()!
            #expect(placed[members.min()!].x >= 20 && placed[last].x + SharedLegend.itemWidth(placed[last].entry) <= width - 20 + 1e-9)
        }
        for k in placed.indices where k >= columns { #expect(placed[k].x == placed[k % columns].x) }
    }

    /// A grouped legend flows its items into lines within the margins, in order: a line holds
    /// what fits, a heading stays with the item after it, and lines are `rowHeight` apart.
    @Test(arguments: [360.0, 720, 1200])
    func groupedLegendFlowsIntoLinesWithinTheWidth(_ width: Double) {
        let groups: [[LegendItem]] = [
            [LegendItem(label: "GD", lineColor: .blue, marker: .circle), LegendItem(label: "SpecGD", lineColor: .vermillion, marker: .square)],
            [LegendItem(label: "theory from αI", lineColor: .gray), LegendItem(label: "sim. (mean, q10–q90)", marker: .circle, bandColor: .gray)],
            [LegendItem(label: "theory from each seed's W₀:"), LegendItem(label: "GD", lineColor: .bluishGreen, lineStyle: .dashed),
             LegendItem(label: "SpecGD", lineColor: .reddishPurple, lineStyle: .dashed)],
            [LegendItem(label: "a much longer entry with words and more words", bandColor: .gray)],
        ]
        let entries = groups.map { $0.map(\.entry) }
        let lines = SharedLegend.lines(entries, width: width)
        #expect(Array(lines.joined().joined()).map(\.label) == Array(entries.joined()).map(\.label), "order kept")
        #expect(lines.allSatisfy { SharedLegend.lineWidth($0) <= width - 40 })
        // No line could have taken the next line's first item.
        for (line, next) in zip(lines, lines.dropFirst()) {
            let unit = next[0][0].isHeading ? Array(next[0].prefix(2)) : [next[0][0]]
            #expect(SharedLegend.lineWidth(line + [unit]) > width - 40, "\(unit[0].label) would have fitted")
        }
        for line in lines { #expect(!(line.last?.last?.isHeading ?? false), "a heading ends a line") }
        let placed = SharedLegend.placements(groups: entries, width: width, top: 10)
        #expect(Set(placed.map(\.cy)).count == lines.count)
        #expect(placed.allSatisfy { $0.x >= 20 && $0.x + SharedLegend.groupItemWidth($0.entry) <= width - 20 + 1e-9 })
        // Fewer lines than one per item at every width: the point of grouping.
        #expect(lines.count < entries.joined().count)
        var figure = Figure(panels: [Axes(title: "p")], columns: 1, title: "", panelWidth: width, panelHeight: 200)
        figure.sharedLegend = true
        figure.legendGroups = groups
        #expect(figure.legendLineCount == lines.count && figure.height == 200 + Double(lines.count) * SharedLegend.rowHeight + 6)
    }

    /// One width for every figure of a size, whatever its panel count; paper sizes write it in
    /// points with the layout as viewBox, 0.7 pt per unit.
    @Test(arguments: FigureSize.allCases)
    func everyFigureOfASizeHasItsWidth(_ size: FigureSize) {
        for columns in 1...4 {
            var figure = Figure(panels: (0..<4).map { _ in Axes(title: "p") }, columns: columns, title: "t")
            figure.apply(size)
            #expect(figure.width == size.layoutWidth && figure.columns == min(columns, size.maxColumns))
            let header = figure.svg.split(separator: "\n")[1]
            let n = SVGWriter.number
            if let points = size.points {
                #expect(points / size.layoutWidth == 0.7, "1 unit = 0.7 pt (252/360 and 504/720 round to the same double)")
                #expect(header.contains("width=\"\(n(points))pt\" height=\"\(n(figure.height * points / size.layoutWidth))pt\" viewBox=\"0 0 \(n(size.layoutWidth)) \(n(figure.height))\""))
            } else {
                #expect(header.contains("width=\"\(n(figure.width))\" height=\"\(n(figure.height))\" viewBox"))
            }
        }
        #expect(FigureSize.single.points! / 72 >= 3.25 && FigureSize.single.points! / 72 <= 3.5)
        #expect(FigureSize.double.points! / 72 >= 6.75 && FigureSize.double.points! / 72 <= 7)
    }

    /// At paper sizes every text prints at ≥ 7 pt (font sizes in units × points per unit), the
    /// long titles and labels of a single column included (they are wrapped or shrunk to fit).
    @Test(arguments: [FigureSize.single, .double])
    func paperTextIsAtLeastSevenPoints(_ size: FigureSize) {
        var figure = Self.escapeLike(columns: 2)
        figure.title = "At escape, against the spike strength λ (d = 1000, exact map), a title longer than a column and than the text width of a two-column paper"
        figure.panels[0].y.label = "max |b/a| / |b/a|₀ to escape, a long label"
        figure.panels[1].title = "overall alignment with the bulk, long"
        figure.apply(size)
        let svg = figure.svg
        let sizes = svg.components(separatedBy: "font-size=\"").dropFirst().compactMap { Double($0.prefix { $0 != "\"" }) }
        // size × points / layoutWidth ≥ 7, multiplied out: exact for the 10-unit minimum (2520 = 2520).
        #expect(!sizes.isEmpty && sizes.allSatisfy { $0 * size.points! >= 7 * size.layoutWidth })
        #expect(figure.titleLines.count >= 2 && figure.titleLines.allSatisfy { TextMetrics.width($0, size: figure.titleFont) <= figure.width - 20 })
    }

    /// Tick labels on a narrow axis keep clear of each other; a wide one keeps the default ticks.
    @Test func narrowAxesGetFewerTickLabels() {
        func clear(_ ticks: [Tick], _ limits: ClosedRange<Double>, _ pixels: Double, log: Bool) -> Bool {
            let t = { (v: Double) in log ? log10(v) : v }
            let placed = ticks.filter { !$0.label.isEmpty }.map { ((t($0.value) - t(limits.lowerBound)) / (t(limits.upperBound) - t(limits.lowerBound)) * pixels, Double($0.label.count) * 0.64 * 11) }
            return zip(placed, placed.dropFirst()).allSatisfy { $1.0 - $0.0 >= ($0.1 + $1.1) / 2 + 6 }
        }
        let steps = 0.0...3000, lambdas = 0.22...73.0
        for pixels in [89.0, 154] {
            let linear = PanelLayout.legibleTicks(.linear, steps, pixels: pixels, horizontal: true)
            let log = PanelLayout.legibleTicks(.log, lambdas, pixels: pixels, horizontal: true)
            #expect(clear(linear, steps, pixels, log: false) && linear.filter { !$0.label.isEmpty }.count >= 2)
            #expect(clear(log, lambdas, pixels, log: true) && log.filter { !$0.label.isEmpty }.count >= 2)
        }
        #expect(PanelLayout.legibleTicks(.linear, steps, pixels: 314, horizontal: true) == Ticks.linear(steps))
        #expect(PanelLayout.legibleTicks(.log, lambdas, pixels: 314, horizontal: true) == Ticks.log(lambdas))
    }

    /// Within a narrow log range too the labels share one form: powers as soon as one needs it.
    @Test func narrowLogRangesUseOneForm() {
        func labels(_ r: ClosedRange<Double>) -> [String] { Ticks.log(r).filter(\.isMajor).map(\.label) }
        #expect(labels(2e4...5e5) == ["2×10⁴", "5×10⁴", "10⁵", "2×10⁵", "5×10⁵"])
        #expect(labels(5...300) == ["5", "10", "20", "50", "100", "200"])
        #expect(labels(2e-4...3e-3) == ["2×10⁻⁴", "5×10⁻⁴", "10⁻³", "2×10⁻³"])
    }
}
