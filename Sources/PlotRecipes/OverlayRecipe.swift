import Plot
import SpecgdSupport

/// The theory-vs-simulation overlay of `specgd compare`: one panel per statistic, theory as
/// a line, the simulation's seed mean as hollow markers and its q10–q90 band shaded, one
/// colour per method.
package enum OverlayRecipe {
    /// One method's side-by-side table (the `table` of a `ComparisonResult`), stored as `csv`.
    package struct Method: Sendable {
        package var label: String
        package var csv: String
        package var table: Table
        package var color: Color
        /// The legend label of the bands the table carries as `<stat>_band_lower` and
        /// `<stat>_band_upper` columns (e.g. exact SpecGD's post-escape 2-cycle band of c).
        package var bandLabel: String?
        /// The band's colour: not the method's, so it is not read as the seed band.
        package var bandColor: Color
        /// The colour of the per-seed theory band (`<stat>_seed_theory_q10` … `_q90` columns, with
        /// `<stat>_seed_theory` their mean): theory from each seed's own start, next to the seed band.
        package var seedTheoryColor: Color

        package init(label: String, csv: String, table: Table, color: Color, bandLabel: String? = nil, bandColor: Color = .gray,
                    seedTheoryColor: Color = .bluishGreen) {
            self.label = label
            self.csv = csv
            self.table = table
            self.color = color
            self.bandLabel = bandLabel
            self.bandColor = bandColor
            self.seedTheoryColor = seedTheoryColor
        }
    }

    /// Panel order and axis labels; statistics missing from the tables are left out.
    static let panels: [(statistic: String, title: String, label: String, logCandidate: Bool)] = [
        ("a", "signal a", "a (signal overlap)", true),
        ("b", "spike b", "b (spike overlap)", true),
        ("b_over_a", "spike / signal", "b / a", true),
        ("c", "bulk c", "c (bulk coefficient)", true),
        ("loss", "population loss", "loss L", true),
        ("alignment", "alignment", "a² / ‖W‖²_F", false),
    ]

    /// `references` adds horizontal or vertical lines to the panel of a statistic (key: "c", "loss", …).
    package static func recipe(methods: [Method], name: String = "overlay", title: String,
                              references extra: [String: [ReferenceRecipe]] = [:]) -> FigureRecipe {
        var recipes = [PanelRecipe]()
        for panel in panels {
            let present = methods.filter { $0.table.index(of: "\(panel.statistic)_theory") != nil }
            guard !present.isEmpty else { continue }
            // Log scale where the statistic lives on one (coefficients, loss) and is positive.
            let positive = present.allSatisfy { m in
                (m.table.column("\(panel.statistic)_theory") ?? []).allSatisfy { $0 > 0 || !$0.isFinite }
            }
            var series = [SeriesRecipe]()
            for m in present {
                let s = panel.statistic
                // One seed (or seeds that agree) has q10 = q90: no band, and the legend says so.
                let lower = m.table.column("\(s)_sim_q10") ?? [], upper = m.table.column("\(s)_sim_q90") ?? []
                let spread = zip(lower, upper).contains { $0 != $1 }
                let simLabel = spread ? "\(m.label) sim. (mean, q10–q90)" : "\(m.label) sim."
                if spread {
                    series.append(.band(m.csv, x: "step", lower: "\(s)_sim_q10", upper: "\(s)_sim_q90",
                                        label: simLabel, color: m.color))
                }
                if let bandLabel = m.bandLabel, m.table.index(of: "\(s)_band_upper") != nil {
                    series.append(.band(m.csv, x: "step", lower: "\(s)_band_lower", upper: "\(s)_band_upper",
                                        label: bandLabel, color: m.bandColor))
                }
                let seedTheory = m.table.index(of: "\(s)_seed_theory_q90") != nil
                if seedTheory {
                    // The map from each seed's own projected W₀ (docs/model.md §3): band and mean, dashed,
                    // one legend entry (as the simulation's mean and band).
                    let lowerT = m.table.column("\(s)_seed_theory_q10") ?? [], upperT = m.table.column("\(s)_seed_theory_q90") ?? []
                    let seedSpread = zip(lowerT, upperT).contains(where: { $0 != $1 })
                    let seedLabel = seedSpread ? "\(m.label) theory from each seed's W₀ (mean, q10–q90)" : "\(m.label) theory from the seed's W₀"
                    if seedSpread {
                        series.append(.band(m.csv, x: "step", lower: "\(s)_seed_theory_q10", upper: "\(s)_seed_theory_q90",
                                            label: seedLabel, color: m.seedTheoryColor))
                    }
                    series.append(.line(m.csv, x: "step", y: "\(s)_seed_theory", label: seedLabel,
                                        color: m.seedTheoryColor, style: .dashed))
                }
                series.append(.line(m.csv, x: "step", y: "\(s)_theory", label: seedTheory ? "\(m.label) theory from αI" : "\(m.label) theory", color: m.color))
                series.append(.markers(m.csv, x: "step", y: "\(s)_sim", label: simLabel,
                                       color: m.color, shape: m.color == methods.first?.color ? .circle : .square, maxMarkers: 30))
            }
            // b/a = 1 is where the spike and the signal are equally large.
            let references = (panel.statistic == "b_over_a" ? [ReferenceRecipe(vertical: false, value: 1, label: nil, color: .gray, style: .dotted)] : [])
                + (extra[panel.statistic] ?? [])
            var recipe = PanelRecipe(title: panel.title, xLabel: "step k", yLabel: panel.label, xScale: .linear,
                                     yScale: panel.logCandidate && positive ? .log : .linear, series: series,
                                     references: references,
                                     // A panel with a band of its own labels it (the shared legend gathers it).
                                     legend: recipes.isEmpty || present.contains { $0.bandLabel != nil && $0.table.index(of: "\(panel.statistic)_band_upper") != nil })
            if recipe.yScale == .log {
                // A value passing through zero (b where the map chatters, a simulated ratio at
                // round-off) would stretch a log axis over 15 decades and squash the rest:
                // show at most seven decades below the maximum. Lower points fall outside the
                // frame; the deviation report still counts them.
                let values = present.flatMap { m in
                    ["\(panel.statistic)_theory", "\(panel.statistic)_sim"].flatMap { m.table.column($0) ?? [] }
                }
                let simulated = present.flatMap { m in m.table.column("\(panel.statistic)_sim") ?? [] }
                recipe.yLimits = sevenDecades(values, keeping: simulated)
            }
            recipe.xLimits = stepRange(present.map(\.table))
            recipes.append(recipe)
        }
        let names = methods.map(\.label).joined(separator: " and ")
        return FigureRecipe(
            name: name, title: title,
            description: "Theory (exact summary map from αI, solid lines; from each seed's own projected W₀, dashed with its 10–90 % band where the tables carry it) against dense simulation (markers: mean over seeds; shaded: 10–90 % seed quantiles) for \(names). Under GD the spike b/a grows before the signal escapes when λ exceeds λ_c; under SpecGD every coefficient moves by ±η per step, so b/a does not grow.",
            columns: 3, sharedLegend: true, panels: recipes)
    }

    /// Log-axis limits showing at most seven decades below the largest positive value (nil when
    /// the values span fewer): see the overlay's panels.
    /// Values in `keeping` (the simulated means, drawn as markers) stay on the panel down to
    /// hi·1e-15, the round-off of a double at the panel's largest value: a marker is a measured
    /// mean and never vanishes below the axis (Muon's bulk c settles 8 decades down).
    static func sevenDecades(_ values: [Double], keeping: [Double] = []) -> [Double]? {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let lo = positive.min(), let hi = positive.max(), lo < hi * 1e-7 else { return nil }
        let kept = keeping.filter { $0.isFinite && $0 >= hi * 1e-15 }.min().map { $0 / 1.5 } ?? .infinity
        return [min(hi * 1e-7, kept), hi * 1.5]
    }

    /// The steps the tables record, first to last: a trajectory's x axis ends where its data do
    /// (nil without steps).
    static func stepRange(_ tables: [Table]) -> [Double]? {
        let steps = tables.flatMap { $0.column("step") ?? [] }.filter(\.isFinite)
        guard let first = steps.min(), let last = steps.max(), last > first else { return nil }
        return [first, last]
    }

    /// The trajectories of separate runs read from their CSVs (theory and simulate tables: the
    /// statistics as columns `a`, `b`, …, a simulation's seed band as `<stat>_q10`/`<stat>_q90`):
    /// the overlay's panels, one colour per run (what `report` draws for a theory folder).
    package static func runs(_ runs: [(label: String, csv: String, table: Table)], name: String, title: String) -> FigureRecipe {
        var recipes = [PanelRecipe]()
        for panel in panels {
            let present = runs.enumerated().filter { $0.element.table.index(of: panel.statistic) != nil }
            guard !present.isEmpty else { continue }
            let positive = present.allSatisfy { ($0.element.table.column(panel.statistic) ?? []).allSatisfy { $0 > 0 || !$0.isFinite } }
            var series = [SeriesRecipe]()
            for (i, run) in present {
                let color = Palette.color(i)
                let s = panel.statistic
                if run.table.index(of: "\(s)_q10") != nil, run.table.index(of: "\(s)_q90") != nil {
                    series.append(.band(run.csv, x: "step", lower: "\(s)_q10", upper: "\(s)_q90", label: "\(run.label) (q10–q90)", color: color))
                }
                series.append(.line(run.csv, x: "step", y: s, label: run.label, color: color))
            }
            var recipe = PanelRecipe(title: panel.title, xLabel: "step k", yLabel: panel.label, xScale: .linear,
                                     yScale: panel.logCandidate && positive ? .log : .linear, series: series,
                                     references: [], legend: recipes.isEmpty)
            if recipe.yScale == .log { recipe.yLimits = sevenDecades(present.flatMap { $0.element.table.column(panel.statistic) ?? [] }) }
            recipe.xLimits = stepRange(present.map(\.element.table))
            recipes.append(recipe)
        }
        return FigureRecipe(name: name, title: title,
                            description: "The recorded trajectories of " + runs.map(\.label).joined(separator: ", ") + ", one colour per run.",
                            columns: 3, sharedLegend: true, panels: recipes)
    }
}
