import Foundation
import Testing
@testable import Plot
import SpecgdSupport
@testable import Experiments
@testable import PlotRecipes
@testable import Reports
import Model
import Theory

/// The paper figures' geometry as a reader sees it (issue 21 §4): every marker whole inside its
/// frame, a trajectory's x axis ending at its data, SpecGD's period-2 chatter drawn as a band
/// with both edges, the amplification figure telling the claim from the relaxation, the per-seed
/// theory band on the trajectories, and captions typeset as the axis labels. Pinned as layout
/// properties of the `--quick` figures, not as bytes.
@Suite struct FigureGeometryTests {
    static var quick: Result<ExperimentOutput, Error> { FigureSetLayoutTests.quick }

    /// A marker's radius plus half its 1.1 stroke (`SVGWriter.marker`).
    static func reach(_ marker: MarkerSeries) -> Double { marker.size + 0.55 }

    @Test(arguments: FigureSize.allCases)
    func everyMarkerInsideTheLimitsIsDrawnWholeInsideTheFrame(_ size: FigureSize) throws {
        var checked = 0
        for (recipe, figure) in try FigureSetLayoutTests.figures(size) {
            for (k, panel) in figure.layout().enumerated() {
                for marker in panel.axes.markers {
                    for (x, y) in zip(marker.x, marker.y) where panel.x.canPlace(x) && panel.y.canPlace(y)
                        && panel.x.limits.contains(x) && panel.y.limits.contains(y) {
                        let p = try #require(panel.point(x, y)), r = Self.reach(marker)
                        #expect(p.x - r >= panel.plotX && p.x + r <= panel.plotX + panel.plotWidth
                                && p.y - r >= panel.plotY + panel.labelBand && p.y + r <= panel.plotY + panel.plotHeight,
                                "\(recipe.name) panel \(k): marker at (\(x), \(y)) crosses the frame")
                        checked += 1
                    }
                }
            }
        }
        // Markers on the old edges exist (alignment 1.0, muon-at-scale's ratio 1): not vacuous.
        #expect(checked > 100)
    }

    /// The trajectory panels end at the last recorded step (plus a marker's reach), not at the
    /// next round number; every simulated mean (a marker) is inside the y limits.
    @Test func trajectoryAxesEndAtTheData() throws {
        let output = try Self.quick.get()
        let recipe = try #require(output.figures.first { $0.name == "trajectories" })
        let last = try #require(output.tables["trajectories-gd.csv"]?.column("step")?.max())
        let figure = try recipe.figure(tables: output.tables)
        for (k, panel) in figure.layout().enumerated() {
            let upper = panel.x.limits.upperBound
            // The widening that keeps the last marker whole: (reach + clearance)/(width − 2·that) of the range.
            let m = (panel.axes.markers.map(\.size).max() ?? 0) + PanelLayout.markerClearance
            #expect(upper >= last && upper <= last + last * m / (panel.plotWidth - 2 * m) + 1e-9, "panel \(k): x ends at \(upper), data at \(last)")
            for marker in panel.axes.markers {
                for y in marker.y where y > 0 && y.isFinite { #expect(panel.y.limits.contains(y), "panel \(k): marker at \(y) off the axis") }
            }
        }
        // The quick set ends at 2600, the old axis at 3000.
        #expect(last == Double(FigureSetRequest.quick.trajectorySteps))
    }

    /// Muon's simulated bulk c settles about eight decades down: its markers stay on the panel,
    /// whether the seven-decade cut applies (it does on one BLAS kernel, where the map's c dives
    /// further; the chaotic post-escape map differs between kernels) or the data set the limits.
    @Test func muonsSimulatedBulkStaysOnTheAxis() throws {
        var request = FigureSetRequest.quick
        request.optimizer = Optimizer(method: .specgd, polar: .ns5, momentum: 0.95, nesterov: true)
        let (recipe, tables) = try FigureSet(request).trajectories()
        let index = try #require(recipe.panels.firstIndex { $0.title == "bulk c" })
        let panel = try recipe.figure(tables: tables).layout()[index]
        var markers = 0
        for marker in panel.axes.markers {
            for y in marker.y where y > 0 && y.isFinite { #expect(panel.y.limits.contains(y), "c marker at \(y) off the axis"); markers += 1 }
        }
        #expect(markers > 0)
        if let limits = recipe.panels[index].yLimits {
            let cSim = try #require(tables["trajectories-optimizer.csv"]?.column("c_sim")).filter { $0 > 0 }
            // The cut is in force and the lowest simulated mean is below where it would have cut.
            #expect(cSim.min()! >= limits[0] && limits[0] < limits[1] / 1.5 * 1e-7)
        }
    }

    /// The η and η² labels of the overlay sit where no marker is (the collision check of
    /// FigureSetLayoutTests covers every label; this one makes sure they are drawn at all).
    @Test func chatterLevelLabelsAreDrawnClearOfTheMarkers() throws {
        let output = try Self.quick.get()
        let recipe = try #require(output.figures.first { $0.name == "trajectories" })
        let figure = try recipe.figure(tables: output.tables)
        var labelled = 0
        for panel in figure.layout() {
            for reference in panel.axes.referenceLines where reference.orientation == .horizontal && reference.label != nil {
                let box = try #require(panel.referenceLabelBox(reference))
                for marker in panel.axes.markers {
                    for (x, y) in zip(marker.x, marker.y) {
                        guard let p = panel.point(x, y) else { continue }
                        let r = Self.reach(marker)
                        #expect(!(p.x + r > box.x && p.x - r < box.x + box.width && p.y + r > box.y && p.y - r < box.y + box.height),
                                "\(reference.label!) meets the marker at (\(x), \(y))")
                    }
                }
                labelled += 1
            }
        }
        #expect(labelled == 2)
    }

    /// Issue 20 §1: the figure set's trajectories carry the band of the per-seed theory runs
    /// (SeedTheoryBand's columns, the map from each seed's own W₀) and draw it with its mean.
    @Test func trajectoriesDrawThePerSeedTheoryBand() throws {
        let output = try Self.quick.get()
        let recipe = try #require(output.figures.first { $0.name == "trajectories" })
        for file in ["trajectories-gd.csv", "trajectories-specgd.csv"] {
            let table = try #require(output.tables[file])
            for s in ["a", "b", "c", "b_over_a"] {
                let mean = try #require(table.column("\(s)_seed_theory")), lo = table.column("\(s)_seed_theory_q10")!, hi = table.column("\(s)_seed_theory_q90")!
                #expect(zip(lo, hi).allSatisfy { $0 <= $1 } && zip(zip(lo, hi), mean).allSatisfy { $0.0 <= $1 + 1e-300 && $1 <= $0.1 + 1e-300 || $1.isNaN })
            }
        }
        let aPanel = try #require(recipe.panels.first { $0.title == "signal a" })
        #expect(aPanel.series.contains { $0.kind == .band && $0.y == "a_seed_theory_q10" })
        #expect(aPanel.series.contains { $0.kind == .line && $0.y == "a_seed_theory" && $0.style == .dashed })
        // Band and mean share one legend entry per method.
        let labels = Set(aPanel.series.filter { $0.y.hasPrefix("a_seed_theory") }.compactMap(\.label))
        #expect(labels.count == 2)
    }

    /// SpecGD's bulk: recorded at an odd period, so the rows alternate between the 2-cycle's
    /// values; drawn by its envelope, which post-escape is the cycle's full width (η for c,
    /// docs/model.md §5, exact to the map's round-off) instead of a zigzag.
    @Test func bulkChatterIsDrawnAsItsBand() throws {
        let output = try Self.quick.get()
        let table = try #require(output.tables["bulk.csv"])
        let steps = table.column("step")!
        #expect(Int(steps[1] - steps[0]) % 2 == 1)
        let lo = table.column("specgd_c_min")!, hi = table.column("specgd_c_max")!
        let eta = FigureSetRequest.quick.learningRate
        // The last rows: both values of the cycle in every window, η apart (ε-level round-off on c ≈ 10⁻³).
        for i in (lo.count - 20)..<(lo.count - 1) { #expect(abs(hi[i] - lo[i] - eta) <= 1e-12, "row \(i)") }
        let recipe = try #require(output.figures.first { $0.name == "bulk" })
        for panel in recipe.panels {
            let spec = panel.series.filter { $0.y.hasPrefix("specgd_") }
            // No line through the raw column: min and max as thin lines, the band between.
            #expect(!spec.contains { $0.kind == .line && !$0.y.hasSuffix("_min") && !$0.y.hasSuffix("_max") })
            #expect(spec.filter { $0.kind == .line }.allSatisfy { $0.width == 1 })
            #expect(spec.contains { $0.kind == .band })
        }
    }

    /// Issue 21: the single-column trajectories figure's legend is a factored key (method colours,
    /// then what a line, a marker and a band mean), not one row per series: fewer lines than the
    /// table of labels it replaces, at most one per group, every item inside the margins.
    @Test(arguments: FigureSize.allCases)
    func trajectoriesLegendIsAFactoredKey(_ size: FigureSize) throws {
        let output = try Self.quick.get()
        var recipe = try #require(output.figures.first { $0.name == "trajectories" })
        recipe.size = size
        let groups = try #require(recipe.legendGroups)
        let figure = try recipe.figure(tables: output.tables)
        let perLabel = SharedLegend.rows(SharedLegend.entries(figure.panels), width: figure.width).count
        #expect(figure.legendLineCount >= 1 && figure.legendLineCount <= groups.count, "\(size): \(figure.legendLineCount) lines")
        if size == .single { #expect(figure.legendLineCount < perLabel, "single: \(figure.legendLineCount) lines, one per label \(perLabel)") }
        let placed = SharedLegend.placements(groups: try #require(figure.legendGroups).map { $0.map(\.entry) }, width: figure.width, top: 0)
        #expect(placed.count == groups.joined().count)
        for item in placed {
            #expect(item.x >= 20 - 1e-9 && item.x + SharedLegend.groupItemWidth(item.entry) <= figure.width - 20 + 1e-9, "\(size): \(item.entry.label)")
        }
        // Every method's colour and every series style of the panels is in the key.
        let keyLabels = groups.joined().map(\.label)
        #expect(["GD", "SpecGD", "theory from αI", ChatterEnvelope.legendLabel, OverlayCaptions.bandLabel].allSatisfy(keyLabels.contains))
        let colors = Set(groups.joined().compactMap(\.line))
        #expect(Set(recipe.panels.flatMap(\.series).filter { $0.kind == .line }.map(\.color)).isSubset(of: colors))
    }

    /// The period-2 rule: a smooth curve sampled past its extrema never has `minimumTurns` turns
    /// in a row; rows alternating at every step do, from their first to their last row; fewer
    /// turns in a row, and round-off wiggles of a constant, do not count.
    @Test func alternationIsFoundFromTheRows() {
        let smooth = (0..<200).map { sin(Double($0) / 7) + 0.3 * cos(Double($0) / 3) }
        #expect(!ChatterEnvelope.alternatingRows(smooth).contains(true))
        let k = ChatterEnvelope.minimumTurns
        // Steps of +1 (ten), then `turns` steps of ∓0.2 alternating (each a turn), then ten
        // more steps the way the last one went: exactly `turns` turns in a row, at rows 10 …
        func zigzag(turns: Int) -> [Double] {
            let alternating = (1...turns).map { $0 % 2 == 1 ? -0.2 : 0.2 }
            let moves = [Double](repeating: 1, count: 10) + alternating + [Double](repeating: alternating.last! < 0 ? -1 : 1, count: 10)
            return moves.reduce(into: [0.0]) { $0.append($0.last! + $1) }
        }
        #expect(!ChatterEnvelope.alternatingRows(zigzag(turns: k - 1)).contains(true))
        let rows = ChatterEnvelope.alternatingRows(zigzag(turns: k))
        #expect(rows.filter { $0 }.count == k + 2 && rows[9] && rows[10 + k])
        let flat = (0..<50).map { 1.0 + ($0 % 2 == 0 ? 0 : Double.ulpOfOne) }
        #expect(!ChatterEnvelope.alternatingRows(flat).contains(true))
    }

    /// Issue 21: SpecGD's post-escape chatter (period 2, the rows recorded at an odd period
    /// alternate) on b, b/a and the loss is drawn as its band with the midpoint line, found from
    /// the rows: no drawn line alternates, the band holds both values of every row's window, and
    /// GD's smooth curves stay plain lines of their columns.
    @Test func chatterOfTheTrajectoriesIsDrawnAsABand() throws {
        let output = try Self.quick.get()
        let recipe = try #require(output.figures.first { $0.name == "trajectories" })
        #expect(FigureSetRequest.quick.trajectoryEvery % 2 == 1 && FigureSetRequest().trajectoryEvery % 2 == 1
                && FigureSetRequest.full.trajectoryEvery % 2 == 1)
        let spec = try #require(output.tables["trajectories-specgd.csv"]), gd = try #require(output.tables["trajectories-gd.csv"])
        for (title, stat) in [("spike b", "b"), ("spike / signal", "b_over_a"), ("population loss", "loss")] {
            let raw = try #require(spec.column("\(stat)_theory"))
            // The data do alternate (what was drawn as a zigzag) …
            #expect(ChatterEnvelope.alternatingRows(raw).filter { $0 }.count > raw.count / 4, "\(stat)")
            let panel = try #require(recipe.panels.first { $0.title == title })
            let lines = panel.series.filter { $0.kind == .line && $0.csv == "trajectories-specgd.csv" }
            #expect(!lines.contains { $0.y == "\(stat)_theory" || $0.y == "\(stat)_seed_theory" }, "\(stat): a line through the alternating rows")
            // … the drawn lines do not, and the band around each holds the cycle's two values.
            for line in lines {
                let drawn = try #require(spec.column(line.y))
                #expect(!ChatterEnvelope.alternatingRows(drawn).contains(true), "\(line.y) alternates")
            }
            let band = try #require(panel.series.first { $0.kind == .band && $0.y == "\(stat)_theory_cycle_lower" })
            let lo = try #require(spec.column(band.y)), hi = try #require(spec.column(band.upper!)), mid = try #require(spec.column("\(stat)_theory_cycle_line"))
            for i in raw.indices where !lo[i].isNaN {
                let window = raw[max(0, i - 1)...min(raw.count - 1, i + 1)]
                #expect(lo[i] <= raw[i] && raw[i] <= hi[i] && hi[i] - lo[i] <= window.max()! - window.min()! && mid[i] == (lo[i] + hi[i]) / 2)
            }
            // GD: its own columns, as lines.
            #expect(!gd.columns.contains { $0.contains("_cycle") })
            #expect(panel.series.contains { $0.kind == .line && $0.csv == "trajectories-gd.csv" && $0.y == "\(stat)_theory" })
        }
    }

    /// The amplification figure: GD and SpecGD on panels of their own; SpecGD's carries the
    /// claim (growth 1 from αI, labelled) and shades the relaxation from it up to the closed form.
    @Test func amplificationFigureSeparatesTheClaimFromTheRelaxation() throws {
        let recipe = EscapeFigure.recipe(lambdaC: 2, simulation: true)
        #expect(recipe.panels.count == 3)
        let (gd, spec) = (recipe.panels[0], recipe.panels[1])
        #expect(gd.series.allSatisfy { !$0.y.hasPrefix("specgd_") } && spec.series.allSatisfy { !$0.y.hasPrefix("gd_") })
        #expect(spec.references.contains { !$0.vertical && $0.value == 1 && ($0.label ?? "").contains("claim") })
        let band = try #require(spec.series.first { $0.kind == .band })
        #expect(band.y == "specgd_map_growth" && band.upper == "specgd_sim_relaxation_growth")
        #expect(recipe.description.contains("not growth of the spike"))
        // Without simulations there is no relaxation to show.
        #expect(!EscapeFigure.recipe(lambdaC: 2, simulation: false).panels[1].series.contains { $0.kind == .band })
    }

    /// Captions typeset math as the axis labels do: one reading (MarkupText.runs) for the SVG,
    /// the report's HTML and the notebook's Markdown.
    @Test func captionsTypesetMathAsTheLabels() throws {
        let text = "σ_i ∝ i^(−1), λ_c, ρ^k, c_{max} and spike_alignment <b>"
        #expect(MarkupText.html(text) == "σ<sub>i</sub> ∝ i<sup>−1</sup>, λ<sub>c</sub>, ρ<sup>k</sup>, c<sub>max</sub> and spike_alignment &lt;b&gt;")
        #expect(SVGWriter.markup("λ_c") == "λ<tspan baseline-shift=\"sub\" font-size=\"75%\">c</tspan>")
        #expect(MarkdownText.math("λ_c, a_b") == "λ<sub>c</sub>, a<sub>b</sub>")
        #expect(MarkdownText.math("spike_alignment") == "spike\\_alignment")
        // The report's caption of the escape-vs-λ figure.
        let output = try Self.quick.get()
        let dir = NSTemporaryDirectory() + "specgd-captions-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try output.write(to: dir, command: ["specgd", "figures"])
        let html = try HTMLReport.html(directory: dir)
        #expect(html.contains("λ<sub>c</sub>"))
    }
}
