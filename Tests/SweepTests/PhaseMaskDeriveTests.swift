import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Sweep
@testable import Plot
import SpecgdSupport
import Model
import Theory
import TestSupport

/// Masked cells, words in the figure, two-sweep comparison, derived options and the
/// trajectory metrics.
@Suite struct PhaseMaskDeriveTests {
    /// lr = 1e-5 never escapes in 400 steps; lr = 0.1 escapes; lr = 50 diverges (GD's map blows up).
    static func sweep(method: Method = .gd, metrics: [Metric] = [.alignmentAtEscape, .peakAmplification, .finalAlignment, .escapeStep]) throws -> String {
        let configuration = try Fixture.configuration(grid: ["lambda=0,4,8", "lr=1e-5,0.1,50"], metrics: metrics,
                                                      steps: 400, method: method)
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        return directory
    }

    @Test func cellsWithoutAValueAreMaskedByReason() throws {
        let directory = try Self.sweep()
        for metric in ["alignment_at_escape", "peak_amplification", "escape_step"] {
            let diagram = try PhaseDiagram.load(directory, metric: metric, x: nil, y: nil)
            #expect(diagram.status[0].allSatisfy { $0 == .noEscape }, "\(metric): lr = 1e-5 does not escape")
            #expect(diagram.status[1].allSatisfy { $0 == .ok } && diagram.values[1].allSatisfy(\.isFinite))
            #expect(diagram.status[2].allSatisfy { $0 == .diverged })
            #expect(diagram.values[0].allSatisfy(\.isNaN) && diagram.values[2].allSatisfy(\.isNaN))
            let lines = diagram.csv.split(separator: "\n")
            #expect(lines[0] == "lambda,lr,\(metric),status")
            #expect(lines[1] == "0,0.00001,nan,no_escape" || lines[1] == "0,1e-05,nan,no_escape")
            #expect(lines[7].hasSuffix(",nan,diverged"))
            let svg = PhaseDiagramFigure.figure(diagram).svg
            #expect(XMLParser(data: Data(svg.utf8)).parse())
            #expect(svg.contains(">no escape within 400 steps</text>") && svg.contains(">diverged</text>"))
            // 3 + 3 hatched cells, each filled with its pattern, plus one legend swatch each.
            #expect(svg.components(separatedBy: "fill=\"url(#hatch-diagonal-").count - 1 == 3 + 1)
            #expect(svg.components(separatedBy: "fill=\"url(#hatch-crossed-").count - 1 == 3 + 1)
            #expect(svg.components(separatedBy: "<pattern ").count - 1 == 2)
        }
        // A metric measured whether or not the run escapes keeps its value: only divergence masks it.
        let final = try PhaseDiagram.load(directory, metric: "final_alignment", x: nil, y: nil)
        #expect(final.status[0].allSatisfy { $0 == .ok } && final.values[0].allSatisfy(\.isFinite))
        #expect(!PhaseDiagramFigure.figure(final).svg.contains("no escape"))
    }

    @Test func titlesAndLabelsAreInWordsAndTheBoundaryIsGDs() throws {
        let gd = try PhaseDiagram.load(try Self.sweep(), metric: "alignment_at_escape", x: nil, y: nil)
        let gdSVG = PhaseDiagramFigure.figure(gd).svg
        #expect(gdSVG.contains(">Alignment a²/‖W‖² at escape</text>"))
        #expect(gdSVG.contains(">GD · exact map · d = 200 · α = 0.001 · 400 steps</text>"))
        #expect(gdSVG.contains(">learning rate η̃</text>"))
        #expect(!gdSVG.contains("alignment_at_escape"))
        #expect(!gd.boundary.isEmpty && gdSVG.contains(">GD's critical λ = 2/(1 − q), where ρ = 1</text>"))

        let spec = try PhaseDiagram.load(try Self.sweep(method: .specgd), metric: "alignment_at_escape", x: nil, y: nil)
        let specSVG = PhaseDiagramFigure.figure(spec).svg
        #expect(spec.boundary.isEmpty && !specSVG.contains("critical λ"))
        #expect(specSVG.contains(">learning rate η</text>") && specSVG.contains(">SpecGD · exact map"))
    }

    @Test func twoSweepsCompareOnOneScaleWithTheirRatio() throws {
        let gd = try PhaseDiagram.load(try Self.sweep(), metric: "escape_step", x: nil, y: nil)
        let spec = try PhaseDiagram.load(try Self.sweep(method: .specgd), metric: "escape_step", x: nil, y: nil)
        let comparison = try PhaseComparison(gd, spec)
        #expect(comparison.kind == .ratio && comparison.combinedLabel == "SpecGD / GD")
        for j in 0..<3 {
            for i in 0..<3 {
                let both = gd.status[j][i] == .ok && spec.status[j][i] == .ok
                #expect(both ? comparison.combined[j][i] == spec.values[j][i] / gd.values[j][i] : comparison.combined[j][i].isNaN)
                #expect(comparison.combinedStatus[j][i] == (gd.status[j][i] == .diverged || spec.status[j][i] == .diverged
                    ? .diverged : both ? .ok : .noEscape))
            }
        }
        let figure = PhaseDiagramFigure.figure(comparison, logColor: true)
        #expect(figure.panels.count == 3)
        // The two diagrams share one colour range; the ratio's is symmetric about 1.
        let ranges = figure.layout().map { try! #require($0.color).limits }
        #expect(ranges[0] == ranges[1])
        // 10^∓r: pow within 1 ulp, then log10 within eps/ln 10 + half an ulp of r, each end.
        let reach = log10(ranges[2].upperBound)
        #expect(abs(log10(ranges[2].lowerBound) + reach) <= 2 * (eps / log(10) + eps * reach + eps))
        #expect(comparison.csv.hasPrefix("lambda,lr,escape_step_1,escape_step_2,ratio,status\n"))
        // One colour bar for the two diagrams (the second's, titled once) and the ratio's own:
        // two bars, each a 64-slice strip, and panel 1 keeps its bar's space empty.
        let svg = figure.svg
        #expect(figure.panels.map { $0.heatmap?.drawsColorbar } == [false, true, true])
        let strips = svg.components(separatedBy: "<g shape-rendering=\"crispEdges\">").count - 1
        #expect(strips == 3 + 2, "3 heatmaps and 2 colour bars, found \(strips) strips")
        #expect(svg.components(separatedBy: ">escape step</text>").count - 1 == 1)
        let areas = figure.layout()
        #expect(areas[0].plotWidth == areas[1].plotWidth && areas[1].plotWidth == areas[2].plotWidth)

        // Alignments compare by their difference; different grids are refused.
        let gdA = try PhaseDiagram.load(try Self.sweep(), metric: "alignment_at_escape", x: nil, y: nil)
        let specA = try PhaseDiagram.load(try Self.sweep(method: .specgd), metric: "alignment_at_escape", x: nil, y: nil)
        let difference = try PhaseComparison(gdA, specA)
        #expect(difference.kind == .difference && difference.combinedLabel == "SpecGD − GD")
        var compared = 0
        for j in 0..<3 { for i in 0..<3 where gdA.status[j][i] == .ok && specA.status[j][i] == .ok {
            #expect(difference.combined[j][i] == specA.values[j][i] - gdA.values[j][i])
            compared += 1
        } }
        #expect(compared > 0)
        var other = specA
        other.x.values[0] = 1
        #expect(throws: InputError.self) { try PhaseComparison(gdA, other) }
        #expect(throws: InputError.self) { try PhaseComparison(gdA, spec) }
    }

    @Test func colourBarAlwaysHasThreeLabelledTicks() throws {
        let narrow = Ticks.colorbar(4.27...4.78, scale: .log).filter { $0.isMajor && !$0.label.isEmpty }
        #expect(narrow.map(\.label) == ["4.3", "4.4", "4.5", "4.6", "4.7"])
        // Every range from a 0.1 % span to 12 decades, at many offsets, on both scales.
        for lo in stride(from: -6.0, through: 6.0, by: 0.37) {
            for span in [0.0004, 0.01, 0.05, 0.2, 0.4, 0.8, 1.3, 2.7, 5.1, 12.0] {
                let limits = pow(10, lo)...pow(10, lo + span)
                for scale in ScaleKind.allCases {
                    let labelled = Ticks.colorbar(limits, scale: scale).filter { $0.isMajor && !$0.label.isEmpty }
                    #expect(labelled.count >= Ticks.minimumColorbarLabels, "\(limits) \(scale)")
                    // Inside the bar, to the ticks' own 1e-9-of-a-step slack (a span is ≥ 3 steps).
                    let slack = 1e-9 * (limits.upperBound - limits.lowerBound)
                    #expect(labelled.allSatisfy { $0.value >= limits.lowerBound - slack && $0.value <= limits.upperBound + slack },
                            "\(limits) \(scale): \(labelled.map(\.value))")
                }
            }
        }
    }

    @Test func derivedOptionsFollowTheAxes() throws {
        func value(_ text: String, dim: Int = 100) throws -> Double {
            try DerivedParameter(parameter: .alpha, expression: text, mode: .theory)
                .value(at: ModelPoint(method: .gd, lambda: 3, dimension: dim, alpha: 0, learningRate: 0.5, steps: 10, escapeThreshold: 0.5))
        }
        // Precedence and associativity, each against the same operations written in Swift.
        #expect(try value("1 + 2*3") == 7 && value("(1+2)*3") == 9 && value("-2^2") == -4 && value("2^3^2") == 512)
        #expect(try value("2*-3") == -6 && value("10 - 4 - 3") == 3 && value("8/4/2") == 1)
        #expect(try value("0.1/sqrt(dim)", dim: 1000) == 0.1 / Double(1000).squareRoot())
        #expect(try value("exp(log(lambda)) * lr + 1e-3") == exp(log(3)) * 0.5 + 1e-3)
        #expect(try value("escape_threshold*2") == 1)
        for bad in ["1/dimm", "1 +", "(1/dim", "sqrt dim", "1/dim)", "2**3", "", "eval(1)", "1e400"] {
            #expect(throws: InputError.self, "\(bad)") { try value(bad) }
        }
        #expect(throws: InputError.self) { try DerivedParameter.parse("alpha", mode: .theory) }
        #expect(throws: InputError.self) { try DerivedParameter.parse("width=dim", mode: .theory) }

        let grid = try Grid.parse(["dim=100,1000,10000", "lambda=0,8"], mode: .theory)
        let base = ModelPoint(method: .gd, lambda: 0, dimension: 100, alpha: 1e-3, learningRate: 1e-2, steps: 50, escapeThreshold: 0.5)
        let derived = [try DerivedParameter.parse("alpha=1/dim", mode: .theory), try DerivedParameter.parse("lr=0.1/sqrt(dim)", mode: .theory)]
        let configuration = try SweepConfiguration(mode: .theory, metrics: [.finalLoss], grid: grid, base: base, derived: derived)
        #expect(configuration.columns == ["cell", "cell_id", "dim", "lambda", "alpha", "lr", "final_loss", "seed", "status", "diverged_step"])
        let directory = try Fixture.directory()
        _ = try Fixture.run(configuration, in: directory)
        let table = try CellsTable(SweepRecord.cellsPath(directory))
        let dims = try table.numbers("dim")
        #expect(try table.numbers("alpha") == dims.map { 1 / $0 })
        #expect(try table.numbers("lr") == dims.map { 0.1 / $0.squareRoot() })
        // Each cell ran with its derived values: its loss is the one of that explicit point.
        let losses = try table.numbers("final_loss")
        for cell in 0..<configuration.grid.count {
            let point = configuration.point(at: cell)
            #expect(point.alpha == 1 / Double(point.dimension))
            #expect(try TheoryEvaluator().evaluate(point, metrics: [.finalLoss]) == [losses[cell]])
        }
        // sweep.json keeps them; a resume with other derived options is refused, the same resumes.
        #expect(try SweepRecord.read(from: directory) == configuration)
        #expect(try Fixture.run(configuration, in: directory, resume: true).evaluated == 0)
        let changed = try SweepConfiguration(mode: .theory, metrics: [.finalLoss], grid: grid, base: base, derived: Array(derived.prefix(1)))
        #expect(throws: InputError.self) { try Fixture.run(changed, in: directory, resume: true) }
        #expect(throws: InputError.self) {
            try SweepConfiguration(mode: .theory, metrics: [.finalLoss], grid: grid, base: base,
                                   derived: [try DerivedParameter.parse("dim=3", mode: .theory)])
        }
        // A derived value outside the option's domain stops the sweep before it starts.
        let negative = try SweepConfiguration(mode: .theory, metrics: [.finalLoss], grid: grid, base: base,
                                              derived: [try DerivedParameter.parse("lr=-1/dim", mode: .theory)])
        let fresh = try Fixture.directory()
        #expect(throws: InputError.self) { try Fixture.run(negative, in: fresh) }
        #expect(!FileManager.default.fileExists(atPath: SweepRecord.path(fresh)))
    }

    /// Nesting is bounded (the parser, the evaluation and the tree's release recurse): 200
    /// levels parse, one more is refused in one line naming --derive, however it nests.
    @Test func derivedExpressionsNestAtMost200Levels() throws {
        func parse(_ expression: String) throws -> DerivedParameter {
            try DerivedParameter.parse("alpha=" + expression, mode: .theory)
        }
        func nested(_ open: String, _ inner: String, _ close: String, _ count: Int) -> String {
            String(repeating: open, count: count) + inner + String(repeating: close, count: count)
        }
        let point = ModelPoint(method: .gd, lambda: 3, dimension: 100, alpha: 0, learningRate: 0.5, steps: 10, escapeThreshold: 0.5)
        #expect(try parse(nested("(", "1/dim", ")", 199)).value(at: point) == 0.01)
        #expect(try parse(nested("-", "2", "", 199)).value(at: point) == -2)
        #expect(try parse("1" + String(repeating: "+1", count: 199)).value(at: point) == 200)
        for deep in [nested("(", "1", ")", 200), nested("(", "1", ")", 20_000), nested("-", "1", "", 40_000),
                     nested("+", "1", "", 201), nested("sqrt(", "1", ")", 300), "1" + String(repeating: "+1", count: 30_000),
                     "2" + String(repeating: "^2", count: 300), "1" + String(repeating: "*dim", count: 300)] {
            #expect(performing: { try parse(deep) }, throws: { error in
                let line = (error as? InputError)?.message ?? ""
                return line.hasPrefix("--derive 'alpha=") && line.contains("nests more than 200 levels") && line.count < 300
            })
        }
    }

    @Test func trajectoryMetricsAreTheMapsLastStateAndLargestSpike() throws {
        let metrics: [Metric] = [.finalSignal, .finalSpike, .maxSpike, .finalBulk]
        for method in [Method.gd, .specgd] {
            for (lambda, steps) in [(0.5, 300), (8.0, 3000)] {
                let point = ModelPoint(method: method, lambda: lambda, dimension: 50, alpha: 1e-2, learningRate: 5e-3, steps: steps, escapeThreshold: 0.5)
                let values = try TheoryEvaluator().evaluate(point, metrics: metrics)
                let model = try GroupedModel.spiked(lambda: lambda, dimension: 50)
                let map = try DiscreteMap(model: model, method: method, learningRate: 5e-3)
                // Every step recorded: the same map, the same operations, so exact.
                var states = [[Double]]()
                _ = try map.iterate(from: model.identityStart(alpha: 1e-2), steps: steps, every: 1) { _, s in states.append(s) }
                let last = states.last!, spike = model.spikeIndex!, signal = model.signalIndex
                #expect(values[0] == abs(last[signal]) && values[1] == abs(last[spike]))
                #expect(values[2] == states.map { abs($0[spike]) }.max()!)
                #expect(values[3] == abs(model.observables(last).c))
            }
        }
    }
}
