import Foundation
import Comparison
import Plot
import PlotRecipes
import Model
import Simulation
import SpecgdSupport
import Theory


// The escape-vs-λ and escape-vs-d figures: escape metrics of the exact map over a parameter.
extension FigureSet {
    /// The step budget of an escape-metric run: 8000 for GD (its escape slows with λ and d),
    /// 1500 = 3× ⌈(a_esc − α)/η⌉ for exact SpecGD, whose escape step is λ- and d-free, and GD's
    /// 8000 for every other optimizer, whose escape exact SpecGD's does not bound (a
    /// Newton–Schulz rule below its plateau moves a coordinate by less than η). A run that does
    /// not escape within it is a missing point.
    static func escapeBudget(_ optimizer: Optimizer) -> Int {
        optimizer.method != .gd && optimizer.isExactSpecGD ? 1500 : 8000
    }

    /// The escape columns of each side, in order.
    static let escapeStatistics = ["escape_step", "alignment_at_escape", "spike_alignment_at_escape", "amplification", "peak_amplification"]

    /// Escape metrics of the exact map for a list of configurations (one row each). A run that
    /// diverges (a steep power law at large d: σ₁ grows like d^β) is a missing point (NaN), as
    /// one that does not escape; `diverged` lists it for the description.
    func escapeRows(_ parameter: String, values: [Double], diverged: inout [String],
                    configure: (Double) -> (lambda: Double, dim: Int)) throws -> Table {
        var table = Table(columns: [parameter] + sides.flatMap { side in Self.escapeStatistics.map { "\(side.key)_\($0)" } })
        for value in values {
            var row = [value]
            let (lambda, dim) = configure(value)
            for side in sides {
                let steps = Self.escapeBudget(side.optimizer)
                let run = try runTheoryKeepingRows(theoryConfiguration(side.optimizer, lambda: lambda, dimension: dim, steps: steps, every: steps),
                                                   cancellation: cancellation)
                if run.outcome.status == .diverged {
                    diverged.append("\(side.label) at \(parameter) = \(Table.format(value))")
                    row += Array(repeating: .nan, count: Self.escapeStatistics.count)
                    continue
                }
                let e = try run.requireCompleted().summary.escape
                row += [e.escapeStep.map(Double.init) ?? .nan, e.alignmentAtEscape ?? .nan, e.signalSpikeAlignmentAtEscape ?? .nan,
                        e.amplification ?? .nan, e.peakAmplification]
            }
            table.append(row)
        }
        return table
    }

    /// The claim first: signal–spike alignment a²/(a²+b²) and the peak spike growth max |b/a|/|b/a|₀
    /// at escape (docs/model.md §5), then the escape step, then the overall alignment a²/‖W‖²_F,
    /// which also counts the bulk (SpecGD's bulk saturates early, so its overall alignment at
    /// escape is lower while its spike is not amplified).
    func escapePanels(csv: String, table: Table, x: String, xLabel: String, references: [ReferenceRecipe]) -> [PanelRecipe] {
        func series(_ column: String) -> [SeriesRecipe] {
            sides.flatMap { side -> [SeriesRecipe] in
                [.line(csv, x: x, y: "\(side.key)_\(column)", label: side.label, color: side.color),
                 .markers(csv, x: x, y: "\(side.key)_\(column)", label: side.label, color: side.color,
                          shape: side.shape, filled: true)]
            }
        }
        // Below λ_c every peak is 1 (up to SpecGD's ≈ 1): a log axis over less than a decade
        // would show a single label, so that panel is linear.
        let peak = sides.flatMap { table.column("\($0.key)_peak_amplification") ?? [] }.filter(\.isFinite).max() ?? 1
        let unit = ReferenceRecipe(vertical: false, value: 1, label: nil, color: .gray, style: .dotted)
        return [
            PanelRecipe(title: "signal–spike alignment", xLabel: xLabel, yLabel: "a² / (a² + b²) at escape", xScale: .log,
                        yScale: .linear, series: series("spike_alignment_at_escape"), references: references),
            PanelRecipe(title: "peak spike growth", xLabel: xLabel, yLabel: "max |b/a| / |b/a|₀ to escape", xScale: .log,
                        yScale: peak > 10 ? .log : .linear, series: series("peak_amplification"), references: references + [unit],
                        legend: false),
            PanelRecipe(title: "escape time", xLabel: xLabel, yLabel: "escape step (a ≥ \(Table.format(options.escapeThreshold)))",
                        xScale: .log, yScale: .log, series: series("escape_step"), references: references, legend: false),
            PanelRecipe(title: "overall alignment", xLabel: xLabel, yLabel: "a² / ‖W‖²_F at escape", xScale: .log,
                        yScale: .linear, series: series("alignment_at_escape"), references: references, legend: false),
        ]
    }

    /// " Missing points: runs that diverged (…)." when some did (empty otherwise).
    static func divergedNote(_ diverged: [String]) -> String {
        diverged.isEmpty ? "" : " Missing points: runs that diverged (\(diverged.joined(separator: ", ")))."
    }

    /// For another optimizer than exact SpecGD: its map and budgets, in words.
    var escapeRunsNote: String {
        "\(compared) runs \(comparedMap) for \(Self.escapeBudget(options.optimizer)) steps, GD \(Self.escapeBudget(Optimizer(method: .gd))); a missing point is a run that did not escape within them."
    }

    func escapeVersusLambda() throws -> (FigureRecipe, [String: Table]) {
        let d = options.theoryDimension
        var diverged = [String]()
        let table = try escapeRows("lambda", values: options.lambdas, diverged: &diverged) { ($0, d) }
        let q0 = Double(d - 2) * options.alpha * options.alpha
        let lc = EscapeAnalytics.lambdaCritical(lr: options.learningRate, q: q0)
        let reference = ReferenceRecipe(vertical: true, value: lc, label: String(format: "λ_c = %.3g", lc), color: .black, style: .dotted)
        let metrics = "Signal–spike alignment a²/(a²+b²) at the escape step (first a ≥ \(Table.format(options.escapeThreshold))), the peak spike growth max |b/a|/|b/a|₀ up to escape, the escape step and the overall alignment a²/‖W‖²_F at escape, against λ for GD and \(compared) on the exact map (d = \(d), W₀ = \(Table.format(options.alpha))·I, η = \(Table.format(options.learningRate)))."
        let description = isPaperSet
            ? metrics + " Above λ_c GD's spike grows ahead of the signal and GD escapes misaligned; SpecGD's spike is never amplified (peak 1), its signal–spike alignment stays ≈ 1 and its escape time is λ-free. Its overall alignment is lower because its bulk c saturates early (see bulk), not because of the spike."
            : metrics + " λ_c (dotted) is GD's threshold (docs/model.md §5): above it GD's spike grows ahead of the signal. " + escapeRunsNote
        let recipe = FigureRecipe(
            name: "escape-vs-lambda", title: title(options.experiment.resolvedSpikes.count > 1
                ? "At escape, against the leading spike's strength λ₁ (\(options.experiment.covarianceWords.dropFirst().map(\.text).joined(separator: ", ")), d = \(d), exact map)"
                : "At escape, against the spike strength λ (d = \(d), exact map)"),
            description: description + Self.divergedNote(diverged), columns: 2, sharedLegend: true,
            panels: escapePanels(csv: "escape-vs-lambda.csv", table: table, x: "lambda", xLabel: "spike strength λ", references: [reference]))
        return (recipe, ["escape-vs-lambda.csv": table])
    }

    func escapeVersusDimension() throws -> (FigureRecipe, [String: Table]) {
        var diverged = [String]()
        let table = try escapeRows("dim", values: options.dimensions.map(Double.init), diverged: &diverged) { (options.experiment.leadingSpike, Int($0)) }
        let description = isPaperSet
            ? "The same escape metrics against d at \(modelLabel): signal–spike alignment and peak spike growth first, then the escape step and the overall alignment. The bulk mass q = (d − 2)c² grows with d, which slows GD and lets SpecGD's bulk saturate early."
            : "The same escape metrics against d at \(modelLabel) for GD and \(compared): signal–spike alignment and peak spike growth first, then the escape step and the overall alignment. The bulk mass q = (d − 2)c² grows with d, which slows GD. " + escapeRunsNote
        let recipe = FigureRecipe(
            name: "escape-vs-dim", title: title("At escape, against the dimension d (\(modelLabel), exact map)"),
            description: description + Self.divergedNote(diverged), columns: 2, sharedLegend: true,
            panels: escapePanels(csv: "escape-vs-dim.csv", table: table, x: "dim", xLabel: "dimension d", references: []))
        return (recipe, ["escape-vs-dim.csv": table])
    }
}
