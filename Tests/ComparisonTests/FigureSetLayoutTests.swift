import Model
import Foundation
import Testing
@testable import Plot
import SpecgdSupport
@testable import Experiments
@testable import PlotRecipes

/// The figure set as drawn: one width for all, the escape figures leading with the claim, λ_c
/// labels clear of the data, one form of tick label per axis, the loss figure's legend honest
/// about curves that coincide. Computed from the renderer's layout of the real `--quick` figures.
@Suite struct FigureSetLayoutTests {
    static let quick = Result { try FigureSet.run(.quick) }

    static func figures(_ size: FigureSize) throws -> [(FigureRecipe, Figure)] {
        let output = try quick.get()
        return try output.figures.map { recipe in
            var recipe = recipe
            recipe.size = size
            return (recipe, try recipe.figure(tables: output.tables))
        }
    }

    @Test(arguments: FigureSize.allCases)
    func everyFigureHasTheSizesWidth(_ size: FigureSize) throws {
        let figures = try Self.figures(size)
        #expect(figures.map(\.0.name) == FigureSet.names)
        #expect(figures.allSatisfy { $0.1.width == size.layoutWidth && $0.1.widthInPoints == size.points })
    }

    /// The request's size reaches every recipe (screen is the default and stays unwritten).
    @Test func theRequestedSizeIsRecordedInEveryRecipe() throws {
        #expect(try Self.quick.get().figures.allSatisfy { $0.size == nil })
        var request = FigureSetRequest.quick
        request.size = .double
        request.muonScale.dimensions = [1000]
        #expect(try FigureSet.run(request).figures.allSatisfy { $0.size == .double })
    }

    @Test func escapeFiguresLeadWithSignalSpikeAlignmentAndPeakGrowth() throws {
        for name in ["escape-vs-lambda", "escape-vs-dim"] {
            let recipe = try #require(try Self.quick.get().figures.first { $0.name == name })
            let columns = recipe.panels.map { Set($0.series.map { $0.y.split(separator: "_", maxSplits: 1).last.map(String.init) ?? "" }) }
            #expect(columns.prefix(3) == [["spike_alignment_at_escape"], ["peak_amplification"], ["escape_step"]], "\(name)")
        }
    }

    @Test(arguments: FigureSize.allCases)
    func referenceLabelsMeetNoData(_ size: FigureSize) throws {
        for (recipe, figure) in try Self.figures(size) {
            #expect(LabelCollisionsInSet.collisions(figure) == [], "\(recipe.name) at \(size)")
        }
        // The λ_c line is there to be labelled (the test would pass vacuously without it).
        let lambda = try #require(try Self.figures(size).first { $0.0.name == "escape-vs-lambda" }?.1)
        #expect(lambda.layout().allSatisfy { panel in panel.axes.referenceLines.contains { panel.referenceLabelBox($0) != nil } })
    }

    /// On every axis of every figure the labels are all plain numbers or all powers of ten.
    @Test(arguments: FigureSize.allCases)
    func tickLabelsHaveOneFormPerAxis(_ size: FigureSize) throws {
        let superscripts = Set("⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
        func isPower(_ label: String) -> Bool { label.contains { superscripts.contains($0) } }
        for (recipe, figure) in try Self.figures(size) {
            for (k, panel) in figure.layout().enumerated() {
                for (axis, scale) in [("x", panel.x), ("y", panel.y)] {
                    let labels = scale.ticks.map(\.label).filter { !$0.isEmpty }
                    #expect(labels.allSatisfy(isPower) || !labels.contains(where: isPower), "\(recipe.name) panel \(k) \(axis): \(labels)")
                    // And at least two, to read a value off.
                    #expect(labels.count >= 2, "\(recipe.name) panel \(k) \(axis): \(labels)")
                }
            }
        }
    }

    /// SpecGD's three loss curves coincide: one legend entry says so, with a spread the data
    /// bear out (recomputed here from the CSV), and GD keeps one entry per λ.
    @Test func lossLegendSaysWhichCurvesCoincide() throws {
        let output = try Self.quick.get()
        let recipe = try #require(output.figures.first { $0.name == "loss" })
        let table = try #require(output.tables["loss.csv"])
        let labels = recipe.panels[0].series.compactMap(\.label)
        #expect(labels.filter { $0.hasPrefix("GD") }.count == 3)
        let spec = labels.filter { $0.hasPrefix("SpecGD") }
        #expect(spec.count == 1 && spec[0].contains("coincide within"))
        let curves = table.columns.filter { $0.hasPrefix("specgd_") }.map { table.column($0)! }
        #expect(curves.count == 3)
        var spread = 0.0
        for r in curves[0].indices { spread = max(spread, curves.map { $0[r] }.max()! / curves.map { $0[r] }.min()! - 1) }
        let stated = try #require(Double(spec[0].split(separator: "within ").last!.split(separator: " ").first!))
        // The label rounds up to two significant digits: spread ≤ stated < spread + one unit of the second digit.
        let unit = pow(10, floor(log10(spread * 100)) - 1)
        #expect(spread * 100 <= stated && stated < spread * 100 + unit + 1e-12)
        #expect(spread < FigureSet.coincidenceTolerance)
        #expect(FigureSet.percentUpperBound(0.006346) == "0.64 %" && FigureSet.percentUpperBound(0.12) == "12 %")
    }
}

/// Label boxes against markers and curves (the same geometry as PlotTests' LabelCollisions,
/// which lives in another test target).
enum LabelCollisionsInSet {
    static func collisions(_ figure: Figure) -> [String] {
        var found = [String]()
        for (index, panel) in figure.layout().enumerated() {
            for reference in panel.axes.referenceLines {
                guard let b = panel.referenceLabelBox(reference) else { continue }
                let (x0, y0, x1, y1) = (b.x, b.y, b.x + b.width, b.y + b.height)
                func meets(_ p: (x: Double, y: Double), _ r: Double) -> Bool { p.x + r > x0 && p.x - r < x1 && p.y + r > y0 && p.y - r < y1 }
                for marker in panel.axes.markers {
                    for (x, y) in zip(marker.x, marker.y) {
                        if let p = panel.point(x, y), meets(p, marker.size + 0.55) { found.append("panel \(index): marker at \(x), \(y)") }
                    }
                }
                for line in panel.axes.lines {
                    // Each segment's bounding box grown by half the line width: conservative,
                    // it can only report more overlaps than a reader would see.
                    let points = zip(line.x, line.y).compactMap { panel.point($0, $1) }
                    for (p, q) in zip(points, points.dropFirst()) {
                        let r = line.width / 2
                        if min(p.x, q.x) - r < x1 && max(p.x, q.x) + r > x0 && min(p.y, q.y) - r < y1 && max(p.y, q.y) + r > y0 {
                            found.append("panel \(index): curve near \(p)")
                        }
                    }
                }
                if reference.orientation == .vertical, let px = panel.x.pixel(reference.value), x0 <= px, x1 >= px { found.append("panel \(index): crosses its line") }
                if reference.orientation == .horizontal, let py = panel.y.pixel(reference.value), y0 <= py, y1 >= py { found.append("panel \(index): crosses its line") }
            }
        }
        return found
    }
}
