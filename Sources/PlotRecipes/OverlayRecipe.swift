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
                let spread = varies(m, "\(s)_sim")
                let simLabel = spread ? "\(m.label) sim. (mean, q10–q90)" : "\(m.label) sim."
                if spread {
                    series.append(.band(m.csv, x: "step", lower: ChatterEnvelope.edge(m.table, "\(s)_sim_q10"),
                                        upper: ChatterEnvelope.edge(m.table, "\(s)_sim_q90"), label: simLabel, color: m.color))
                }
                if let bandLabel = m.bandLabel, m.table.index(of: "\(s)_band_upper") != nil {
                    series.append(.band(m.csv, x: "step", lower: "\(s)_band_lower", upper: "\(s)_band_upper",
                                        label: bandLabel, color: m.bandColor))
                }
                let seedTheory = m.table.index(of: "\(s)_seed_theory_q90") != nil
                if seedTheory {
                    // The map from each seed's own projected W₀ (docs/model.md §3): band and mean, dashed,
                    // one legend entry (as the simulation's mean and band).
                    let seedSpread = varies(m, "\(s)_seed_theory")
                    let seedLabel = seedSpread ? "\(m.label) theory from each seed's W₀ (mean, q10–q90)" : "\(m.label) theory from the seed's W₀"
                    if seedSpread {
                        series.append(.band(m.csv, x: "step", lower: ChatterEnvelope.edge(m.table, "\(s)_seed_theory_q10"),
                                            upper: ChatterEnvelope.edge(m.table, "\(s)_seed_theory_q90"), label: seedLabel, color: m.seedTheoryColor))
                    }
                    series += cycleOrLine(m, column: "\(s)_seed_theory", label: seedLabel, color: m.seedTheoryColor, style: .dashed)
                }
                series += cycleOrLine(m, column: "\(s)_theory", label: seedTheory ? "\(m.label) theory from αI" : "\(m.label) theory",
                                      color: m.color, style: .solid)
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
        let cycles = methods.contains { has($0, ChatterEnvelope.upperSuffix) }
        var recipe = FigureRecipe(
            name: name, title: title,
            description: "Theory (exact summary map from αI, solid lines; from each seed's own projected W₀, dashed with its 10–90 % band where the tables carry it) against dense simulation (markers: mean over seeds; shaded: 10–90 % seed quantiles) for \(names). Under GD the spike b/a grows before the signal escapes when λ exceeds λ_c; under SpecGD every coefficient moves by ±η per step, so b/a does not grow."
                + (cycles ? " " + ChatterEnvelope.description : ""),
            columns: 3, sharedLegend: true, panels: recipes)
        recipe.legendGroups = legendGroups(methods)
        return recipe
    }

    /// A theory column as a line, or, where its rows alternate (a period-2 chatter recorded at
    /// an odd period, `ChatterEnvelope`), as the cycle's band with its mean line through it: the
    /// band unlabelled (the legend's key names it once), the line labelled as the column's.
    static func cycleOrLine(_ m: Method, column: String, label: String, color: Color, style: LineStyle) -> [SeriesRecipe] {
        guard m.table.index(of: column + ChatterEnvelope.upperSuffix) != nil else {
            return [.line(m.csv, x: "step", y: column, label: label, color: color, style: style)]
        }
        return [.band(m.csv, x: "step", lower: column + ChatterEnvelope.lowerSuffix, upper: column + ChatterEnvelope.upperSuffix,
                      label: nil, color: color),
                .line(m.csv, x: "step", y: column + ChatterEnvelope.lineSuffix, label: label, color: color, style: style)]
    }

    /// Whether the band `<prefix>_q10`–`<prefix>_q90` of `m`'s table has any width: one seed (or
    /// seeds that agree) has q10 = q90, no band, and the legend says so.
    static func varies(_ m: Method, _ prefix: String) -> Bool {
        zip(m.table.column(prefix + "_q10") ?? [], m.table.column(prefix + "_q90") ?? []).contains { $0 != $1 }
    }

    /// Whether `m`'s table has a column ending in `suffix` (a cycle's, a band's).
    static func has(_ m: Method, _ suffix: String) -> Bool { m.table.columns.contains { $0.hasSuffix(suffix) } }

    /// The overlay's legend as a key: the methods' colours (line: theory, marker: simulation),
    /// then what lines, markers and shading mean, the per-seed theory's colours, the bands.
    static func legendGroups(_ methods: [Method]) -> [[LegendItemRecipe]] {
        let first = methods.first?.color
        let shape: (Method) -> MarkerShape = { $0.color == first ? .circle : .square }
        var groups = [methods.map { LegendItemRecipe(label: $0.label, line: $0.color, marker: shape($0), markerColor: $0.color) }]
        let seeded = methods.filter { has($0, "_seed_theory_q90") || has($0, "_seed_theory") }
        let spread = methods.contains { m in panels.contains { varies(m, "\($0.statistic)_sim") } }
        var key = [LegendItemRecipe(label: seeded.isEmpty ? "theory" : "theory from αI", line: .gray),
                   LegendItemRecipe(label: spread ? "sim. (mean, q10–q90)" : "sim.", marker: .circle, markerColor: .gray, band: spread ? .gray : nil)]
        if methods.contains(where: { has($0, ChatterEnvelope.upperSuffix) }) {
            key.append(LegendItemRecipe(label: ChatterEnvelope.legendLabel, line: .gray, band: .gray))
        }
        groups.append(key)
        if !seeded.isEmpty {
            let seedSpread = seeded.contains { m in panels.contains { varies(m, "\($0.statistic)_seed_theory") } }
            groups.append([LegendItemRecipe(label: seedSpread ? "theory from each seed's W₀:" : "theory from the seed's W₀:")]
                          + seeded.map { LegendItemRecipe(label: $0.label, line: $0.seedTheoryColor, style: .dashed, band: seedSpread ? $0.seedTheoryColor : nil) })
        }
        let banded = methods.compactMap { m in m.bandLabel.flatMap { label in has(m, "_band_upper") ? (label, m.bandColor) : nil } }
        if !banded.isEmpty { groups.append(banded.map { LegendItemRecipe(label: $0.0, band: $0.1) }) }
        return groups
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

/// A period-2 chatter in a recorded trajectory (exact SpecGD past escape alternates between two
/// values every step; recorded at an odd period, the rows alternate too): found from the data,
/// and drawn as the cycle's band (the least and largest value of each row and its neighbours)
/// with its mean line through it instead of a zigzag that fills the band solid.
package enum ChatterEnvelope {
    static let lowerSuffix = "_cycle_lower", upperSuffix = "_cycle_upper", lineSuffix = "_cycle_line"

    /// Consecutive direction changes that make a chatter: a sampled smooth curve turns at
    /// isolated rows (one change per extremum); three in a row are rows going up, down, up, down,
    /// two whole periods of a signal alternating at every row, which the rows cannot resolve.
    static let minimumTurns = 3

    static let legendLabel = "2-cycle (min–max)"
    static let description = "Where a theory curve alternates between two values from one recorded row to the next (a period-2 chatter: three or more turns in a row), it is drawn as the band between the least and the largest value of each row and its neighbours, with the band's midpoint as the line; the edges of a seed band that alternates follow the least and the largest value the same way."

    /// Whether each row lies in a run of alternation: rows whose differences to the next row
    /// change sign at least `minimumTurns` times in a row. A difference within 64 ulp of the
    /// values is round-off, not a move, and ends a run.
    static func alternatingRows(_ y: [Double]) -> [Bool] {
        var rows = [Bool](repeating: false, count: y.count)
        guard y.count >= minimumTurns + 2 else { return rows }
        func move(_ i: Int) -> Double {
            let d = y[i + 1] - y[i]
            return d.isFinite && abs(d) > 64 * max(y[i].ulp, y[i + 1].ulp) ? d : 0
        }
        // turn[i] (1 ≤ i ≤ n − 2): the direction changes at row i.
        var turnsInRow = 0
        for i in 1..<(y.count - 1) {
            let turn = move(i - 1) * move(i) < 0
            turnsInRow = turn ? turnsInRow + 1 : 0
            if turnsInRow >= minimumTurns {
                for r in (i - turnsInRow)...(i + 1) { rows[r] = true }
            }
        }
        return rows
    }

    /// `table` with, for each of `columns` whose rows alternate somewhere, `<column>_cycle_lower`
    /// and `_cycle_upper` (the least and largest of the row and its neighbours in the run, NaN
    /// off it) and `_cycle_line` (the column off the runs, the band's midpoint on them).
    package static func adding(to table: Table, columns: [String]) -> Table {
        var out = table
        for column in columns {
            guard let values = out.column(column) else { continue }
            let alternating = alternatingRows(values)
            guard alternating.contains(true) else { continue }
            var extended = Table(columns: out.columns + [column + lowerSuffix, column + upperSuffix, column + lineSuffix])
            for (i, row) in out.rows.enumerated() {
                guard alternating[i] else { extended.append(row + [.nan, .nan, values[i]]); continue }
                let window = (max(0, i - 1)...min(values.count - 1, i + 1)).filter { alternating[$0] }.map { values[$0] }
                let lo = window.min()!, hi = window.max()!
                extended.append(row + [lo, hi, (lo + hi) / 2])
            }
            out = extended
        }
        return out
    }

    /// `table` with, for a band whose edge columns `lower`, `upper` alternate somewhere,
    /// `<lower>_cycle_edge` and `<upper>_cycle_edge`: the edges, widened on the runs to the
    /// least (lower) and largest (upper) value of the row and its neighbours, so the band's
    /// edges run along the cycle instead of zigzagging across it.
    package static func addingBandEdges(to table: Table, lower: String, upper: String) -> Table {
        guard let lo = table.column(lower), let hi = table.column(upper) else { return table }
        let alternating = zip(alternatingRows(lo), alternatingRows(hi)).map { $0 || $1 }
        guard alternating.contains(true) else { return table }
        var out = Table(columns: table.columns + [lower + edgeSuffix, upper + edgeSuffix])
        for (i, row) in table.rows.enumerated() {
            let window = (max(0, i - 1)...min(lo.count - 1, i + 1)).filter { alternating[$0] }
            out.append(row + (alternating[i] ? [window.map { lo[$0] }.min()!, window.map { hi[$0] }.max()!] : [lo[i], hi[i]]))
        }
        return out
    }

    static let edgeSuffix = "_cycle_edge"

    /// The overlay's theory columns (`<stat>_theory`, `<stat>_seed_theory`) with their cycles,
    /// and the edges of its bands (`_sim_q10`/`_q90`, `_seed_theory_q10`/`_q90`).
    package static func addingToOverlay(_ table: Table) -> Table {
        var out = adding(to: table, columns: OverlayRecipe.panels.flatMap { ["\($0.statistic)_theory", "\($0.statistic)_seed_theory"] })
        for panel in OverlayRecipe.panels {
            for band in ["sim", "seed_theory"] {
                out = addingBandEdges(to: out, lower: "\(panel.statistic)_\(band)_q10", upper: "\(panel.statistic)_\(band)_q90")
            }
        }
        return out
    }

    /// A band's edge column: its widened edge where the table has one.
    static func edge(_ table: Table, _ column: String) -> String {
        table.index(of: column + edgeSuffix) != nil ? column + edgeSuffix : column
    }
}
