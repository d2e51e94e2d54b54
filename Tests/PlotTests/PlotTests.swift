import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Plot
import TestSupport

@Suite struct TickTests {
    @Test func linearTicksForKnownRanges() {
        #expect(Ticks.linear(0...1).map(\.value) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Ticks.linear(0...1).map(\.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(Ticks.linear(0...12000).map(\.value) == [0, 2000, 4000, 6000, 8000, 10000, 12000])
        #expect(Ticks.linear(-3...7).map(\.value) == [-2, 0, 2, 4, 6])
        #expect(Ticks.linear(-3...7).map(\.label) == ["−2", "0", "2", "4", "6"])
        #expect(Ticks.linear(0.1...0.35).map(\.value) == [0.1, 0.15, 0.2, 0.25, 0.3, 0.35])
        #expect(Ticks.linear(0...1e-4).map(\.label) == ["0", "2×10⁻⁵", "4×10⁻⁵", "6×10⁻⁵", "8×10⁻⁵", "10⁻⁴"])
    }

    @Test func niceLimitsWidenToTicksAndAvoidZeroRange() {
        #expect(Ticks.niceLinearLimits(0.03, 0.97) == 0...1)
        #expect(Ticks.niceLinearLimits(1, 11_800) == 0...12000)
        let constant = Ticks.niceLinearLimits(5, 5)
        #expect(constant.lowerBound < 5 && constant.upperBound > 5)
        #expect(Ticks.niceLinearLimits(0, 0) == -1...1)
        #expect(Ticks.niceLogLimits(3e-4, 0.7) == 1e-4...1)
        #expect(Ticks.niceLogLimits(10, 10) == 1...100)
        #expect(Ticks.niceLogLimits(2, 8) == 1...10)
    }

    @Test func logTicksAreDecadesWithMinorTicks() {
        let ticks = Ticks.log(1e-3...1)
        #expect(ticks.filter(\.isMajor).map(\.value) == [1e-3, 1e-2, 1e-1, 1])
        #expect(ticks.filter(\.isMajor).map(\.label) == ["10⁻³", "10⁻²", "10⁻¹", "10⁰"])
        let minor = ticks.filter { !$0.isMajor }.map(\.value)
        #expect(minor.count == 3 * 8)
        #expect(minor.prefix(8) == [2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3, 9e-3])
        // Twelve decades: every second decade is labelled, the others become minor ticks.
        let wide = Ticks.log(1e-12...1)
        #expect(wide.filter(\.isMajor).map(\.value) == [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1])
        #expect(wide.count == 13)
        #expect(Ticks.log(1...1000).filter(\.isMajor).map(\.label) == ["10⁰", "10¹", "10²", "10³"])
        // Less than two decades: 1-2-5 labels so the axis can still be read.
        let short = Ticks.log(0.17...8.9)
        #expect(short.filter(\.isMajor).map(\.value) == [0.2, 0.5, 1, 2, 5])
        #expect(short.filter(\.isMajor).map(\.label) == ["0.2", "0.5", "1", "2", "5"])
        #expect(short.count == 8 + 8)  // 0.2 … 0.9 and 1 … 8
        // A range holding one 1-2-5 multiple (0.3…0.7: only 0.5) is read off linear ticks.
        // Labels are plain decimals of their own values, short enough for the margin.
        for range in [0.3...0.7, 9.5e-4...1.9e-3, 2.2e-4...4.4e-4] {
            let labelled = Ticks.log(range).filter { !$0.label.isEmpty }
            #expect(labelled.count >= 2, "\(range)")
            #expect(labelled.allSatisfy { range.contains($0.value) && $0.label.count <= 7 }, "\(range): \(labelled.map(\.label))")
            if range.lowerBound >= 1e-3 {
                #expect(labelled.allSatisfy { Double($0.label) == $0.value }, "\(range): \(labelled.map(\.label))")
            }
        }
        // Decades only, with one decade inside: linear ticks too, never a single label.
        #expect(Ticks.log(7e-4...8e-3, labelledMantissas: [1]).filter { !$0.label.isEmpty }.count >= 2)
    }

    @Test func labelsUseTrueMinusAndSuperscripts() {
        #expect(Ticks.powerLabel(-12) == "10⁻¹²")
        #expect(Ticks.scientificLabel(-2.5e6) == "−2.5×10⁶")
        #expect(Ticks.decimalLabel(-0.0001, decimals: 2) == "0.00")
    }

    /// A log axis writes its decades in one form: plain 1 and 10 only when no decade needs a power.
    @Test func logDecadesShareOneForm() {
        func labels(_ r: ClosedRange<Double>) -> [String] { Ticks.log(r).filter(\.isMajor).map(\.label).filter { !$0.isEmpty } }
        #expect(labels(1...1000) == ["10⁰", "10¹", "10²", "10³"])
        #expect(labels(1e-3...1) == ["10⁻³", "10⁻²", "10⁻¹", "10⁰"])
        #expect(labels(1...10) == ["1", "2", "5", "10"])
    }

    /// λ_c, ‖W‖²_F and ρ^{k} render as sub- and superscripts; an underscore inside a word stays.
    @Test func textMarkupShiftsScripts() {
        let sub = { (x: String) in "<tspan baseline-shift=\"sub\" font-size=\"75%\">\(x)</tspan>" }
        let sup = { (x: String) in "<tspan baseline-shift=\"super\" font-size=\"75%\">\(x)</tspan>" }
        #expect(SVGWriter.markup("λ_c = 2") == "λ" + sub("c") + " = 2")
        #expect(SVGWriter.markup("a² / ‖W‖²_F") == "a² / ‖W‖²" + sub("F"))
        #expect(SVGWriter.markup("ρ^{k} & b_{max}") == "ρ" + sup("k") + " &amp; b" + sub("max"))
        #expect(SVGWriter.markup("spike_alignment a_signed q_10") == "spike_alignment a_signed q_10")
        #expect(SVGWriter.markup("x_") == "x_" && SVGWriter.markup("<_>") == "&lt;_&gt;")
        // A plain-text exponent in parentheses, as titles write it; not after a space or unclosed.
        #expect(SVGWriter.markup("σ_i ∝ i^(−1)") == "σ" + sub("i") + " ∝ i" + sup("−1"))
        #expect(SVGWriter.markup("x ^(y)") == "x ^(y)" && SVGWriter.markup("i^(−1") == "i^(−1" && SVGWriter.markup("i^()") == "i^()")
    }

    /// Titles wrap between words, never beside a relation or inside an expression's brackets,
    /// at every width; the words come back unchanged.
    @Test func titlesWrapAtWordAndExpressionBoundaries() {
        let title = "Muon at scale: Newton–Schulz polar factors against d (exact map, α = 1/d, η = 0.3/√d), σ_i ∝ i^(−1) and ρ(λ, η̃, q) ≥ 1"
        let whole = ["α = 1/d,", "η = 0.3/√d),", "σ_i ∝ i^(−1)", "ρ(λ, η̃, q) ≥ 1"]
        var wrapped = Set<Int>()
        for width in stride(from: 60.0, through: 1300, by: 10) {
            let lines = TextMetrics.wrap(title, size: 15, width: width)
            wrapped.insert(lines.count)
            #expect(lines.joined(separator: " ") == title)
            for expression in whole {
                #expect(lines.contains { $0.contains(expression) }, "\(expression) split at width \(width): \(lines)")
            }
            for line in lines {
                let words = line.split(separator: " ").map(String.init)
                #expect(!TextMetrics.operators.contains(words.first ?? "") && !TextMetrics.operators.contains(words.last ?? ""), "\(lines)")
            }
        }
        // It does wrap: from one line to many, and the prose parenthesis is not one piece.
        #expect(wrapped.contains(1) && wrapped.contains { $0 >= 6 })
        #expect(TextMetrics.unbreakable("d (exact map, α = 1/d)") == ["d", "(exact", "map,", "α = 1/d)"])
        #expect(TextMetrics.unbreakable("16 (exact map), d") == ["16", "(exact map),", "d"])
    }
}

/// Error model for a data → pixel mapping p = start + (t(v) − t(lo)) / (t(hi) − t(lo)) · (end − start),
/// t = log10 or the identity. These tests check the arithmetic, so the model is rounding, not the
/// half-pixel a reader could see: each log10 is within 1 ulp of its result (≤ ε |t|) plus the
/// literal's own rounding (relative ε/2 → ε/(2 ln 10) < ε/4 absolute); the difference, quotient,
/// product and sum add one rounding each. In pixels: |end − start|/|t(hi) − t(lo)| times twice the
/// t-errors of the three values, plus 3 ε of the largest pixel coordinate involved.
private func pixelBound(_ t: [Double], pixels: Double, largest: Double) -> Double {
    let span = abs(t[2] - t[0])
    let tError = t.reduce(0) { $0 + eps * abs($1) + eps / 4 }
    return 2 * tError * pixels / span + 3 * eps * largest
}

/// Heatmap edge 10^((t_i + t_{i+1})/2) on a log axis: the log10s (1 ulp of ≤ t_max each), the
/// midpoint (two roundings of ≤ t_max), pow (1 ulp) and the expected pow(10, ·) literal (1 ulp):
/// relative ≤ (2 + ln 10 · (3 t_max + 1)) ε.
private func edgeBound(maximumExponent tMax: Double) -> Double { (2 + log(10) * (3 * tMax + 1)) * eps }

@Suite struct MappingTests {
    @Test func dataToPixelLinearAndLog() throws {
        let linear = AxisScale(kind: .linear, limits: 0...10, start: 100, end: 300)
        #expect(linear.pixel(0) == 100)
        #expect(linear.pixel(2.5) == 150)
        #expect(linear.pixel(10) == 300)
        #expect(linear.pixel(.nan) == nil)
        let log = AxisScale(kind: .log, limits: 1e-3...1e1, start: 400, end: 0)
        for (value, expected) in [(1e-3, 400.0), (1e-1, 200), (1e1, 0)] {
            let bound = pixelBound([-3, log10(value), 1], pixels: 400, largest: 400)
            #expect(abs(try #require(log.pixel(value)) - expected) <= bound, "\(value)")
        }
        #expect(log.pixel(0) == nil && log.pixel(-1) == nil)
    }

    @Test func panelLayoutPlacesDataInsideThePlotArea() throws {
        var axes = Axes(x: Axis(limits: 0...4), y: Axis(scale: .log, limits: 1...100))
        axes.add(LineSeries(x: [0, 4], y: [1, 100]))
        let figure = Figure(axes, width: 500, height: 400)
        let panel = try #require(figure.layout().first)
        let bottomLeft = try #require(panel.point(0, 1)), topRight = try #require(panel.point(4, 100))
        #expect(bottomLeft.x == panel.plotX && bottomLeft.y == panel.plotY + panel.plotHeight)
        #expect(topRight.x == panel.plotX + panel.plotWidth && topRight.y == panel.plotY)
        let middle = try #require(panel.point(2, 10))
        // Linear x over [0, 4] (t exact) and log y over [1, 100] (t = 0, 1, 2); the expected centre
        // rounds once more (the sum; /2 is exact). Figure coordinates are ≤ 500 px.
        let xBound = pixelBound([0, 2, 4], pixels: panel.plotWidth, largest: 500) + eps * 500
        let yBound = pixelBound([0, 1, 2], pixels: panel.plotHeight, largest: 500) + eps * 500
        #expect(abs(middle.x - (panel.plotX + panel.plotWidth / 2)) <= xBound)
        #expect(abs(middle.y - (panel.plotY + panel.plotHeight / 2)) <= yBound)
    }

    @Test func heatmapCellEdgesAreGeometricOnLogAxes() {
        let edges = CellEdges.edges([1, 10, 100], scale: .log)
        let expected = [pow(10, -0.5), pow(10, 0.5), pow(10, 1.5), pow(10, 2.5)]
        for (e, x) in zip(edges, expected) { #expect(abs(e / x - 1) <= edgeBound(maximumExponent: 2.5)) }
        #expect(CellEdges.edges([0, 1, 3], scale: .linear) == [-0.5, 0.5, 2, 4])
    }

    @Test func linesBreakAtNonFinitePoints() throws {
        var axes = Axes()
        axes.add(LineSeries(x: [0, 1, 2, 3, 4, 5], y: [1, 2, .nan, 3, 4, .infinity]))
        let figure = Figure(axes)
        let panel = try #require(figure.layout().first)
        let segments = PanelRenderer(layout: panel, id: 0).segments(x: axes.lines[0].x, y: axes.lines[0].y)
        #expect(segments.map(\.count) == [2, 2])
        #expect(panel.y.limits == 1...4)
    }
}

@Suite struct SVGOutputTests {
    static let figures: [(String, Figure)] = [
        ("trajectories", SampleFigures.trajectories()),
        ("heatmap", SampleFigures.heatmap()),
        ("degenerate", SampleFigures.degenerate()),
    ]

    @Test(arguments: 0..<3) func svgIsWellFormedXML(_ index: Int) throws {
        let (name, figure) = Self.figures[index]
        let svg = figure.svg
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(name): \(String(describing: parser.parserError))")
        #expect(!svg.contains("nan") && !svg.contains("inf"), "\(name) leaked a non-finite coordinate")
        #expect(svg == figure.svg, "rendering must be deterministic")
    }

    @Test func textIsEscapedAndFontsAreReadable() throws {
        var axes = Axes(title: "a < b & c > \"d\"")
        axes.add(LineSeries(x: [0, 1], y: [0, 1], label: "<tag>"))
        let svg = Figure(axes).svg
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.contains("a &lt; b &amp; c &gt; &quot;d&quot;"))
        let sizes = svg.components(separatedBy: "font-size=\"").dropFirst().compactMap { Double($0.prefix { $0 != "\"" }) }
        #expect(!sizes.isEmpty && sizes.allSatisfy { $0 >= 11 })
        #expect(svg.contains("sans-serif"))
    }

    @Test func heatmapDrawsEveryCellAndAColorbar() throws {
        let svg = SampleFigures.heatmap().svg
        // 24 × 16 cells + 64 colorbar slices + the background, legend box and its sample.
        let cells = svg.components(separatedBy: "<rect").count - 1
        #expect(cells >= 24 * 16 + 64)
        #expect(svg.contains(Colormap.viridis.color(at: 0).hex) || svg.contains(Colormap.viridis.color(at: 1).hex))
    }

    @Test func heatmapCellsWithoutAValueAreGrey() throws {
        var axes = Axes(x: Axis(scale: .log), y: Axis(scale: .linear))
        axes.heatmap = Heatmap(x: [1, 10], y: [0], values: [[.nan, 2]], colorScale: .log, valueRange: 1...10)
        let figure = Figure(axes)
        let svg = figure.svg
        #expect(svg.contains("fill=\"\(Color.lightGray.hex)\""))
        // 2 on a log colour scale over [1, 10] sits at log10(2) of the way up viridis.
        #expect(svg.contains("fill=\"\(Colormap.viridis.color(at: log10(2)).hex)\""))
        let panel = try #require(figure.layout().first)
        // The tight x limits are the outer cell edges of x = [1, 10] (edgeBound, t_max = 1.5).
        #expect(abs(panel.x.limits.lowerBound / pow(10, -0.5) - 1) <= edgeBound(maximumExponent: 1.5)
                && abs(panel.x.limits.upperBound / pow(10, 1.5) - 1) <= edgeBound(maximumExponent: 1.5))
    }

    @Test func sharedLegendListsEachLabelOnceAboveThePanels() throws {
        var figure = SampleFigures.trajectories()
        figure.sharedLegend = true
        let svg = figure.svg
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(svg.components(separatedBy: ">a (signal)</text>").count == 2)
        #expect(!svg.contains("fill-opacity=\"0.88\""), "panels draw no legend box of their own")
        let panels = figure.layout()
        #expect(panels.allSatisfy { $0.plotY > 30 + SharedLegend.rowHeight })
    }

    @Test func writesAtomically() throws {
        let directory = NSTemporaryDirectory() + "specgd-plot-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keep = ProcessInfo.processInfo.environment["SPECGD_PLOT_GALLERY"]
        for (name, figure) in Self.figures {
            let path = (keep ?? directory) + "/\(name).svg"
            try figure.write(to: path)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == figure.svg)
        }
    }

    @Test(.enabled(if: ExternalTools.rsvgConvert != nil, "rsvg-convert not found"))
    func rendersToPNG() throws {
        let converter = try #require(ExternalTools.rsvgConvert)
        let directory = NSTemporaryDirectory() + "specgd-plot-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keep = ProcessInfo.processInfo.environment["SPECGD_PLOT_GALLERY"]
        for (name, figure) in Self.figures {
            let path = (keep ?? directory) + "/\(name).svg"
            try figure.write(to: path)
            let png = (keep ?? directory) + "/\(name).png"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: converter)
            process.arguments = ["-o", png, path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "rsvg-convert failed on \(name): \(message)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
    }
}

@Suite struct ColorTests {
    @Test func paletteAndColormap() {
        #expect(Palette.color(0).hex == "#0072b2")
        #expect(Palette.color(8) == Palette.color(0))
        #expect(Colormap.viridis.color(at: 0).hex == "#440154")
        #expect(Colormap.viridis.color(at: 1).hex == "#fde725")
        #expect(Colormap.viridis.color(at: .nan) == .lightGray)
        // Viridis is monotone in lightness: a crude luma check over the stops.
        let luma = (0...16).map { i -> Double in
            let c = Colormap.viridis.color(at: Double(i) / 16)
            return 0.2126 * Double(c.red) + 0.7152 * Double(c.green) + 0.0722 * Double(c.blue)
        }
        #expect(zip(luma, luma.dropFirst()).allSatisfy { $0 < $1 })
    }
}
