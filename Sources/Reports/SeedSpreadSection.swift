import Comparison
import Experiments
import Theory

/// "The seeds' spread" of a compare or check-escape section, after its checks: per method (and
/// λ for check-escape) the spread over seeds that the law of W₀ predicts against the measured
/// seeds (escape step, b/a at escape, peak amplification: q10/q50/q90), the spread check in
/// words, and a small per-seed table (escape step of the simulation, of the map from the seed's
/// own start and from αI, with their relative errors), folded when there are many seeds. The
/// numbers and words are `SeedSpread`'s and `SeedComparison`'s (the wording `compare` and
/// `check-escape` print); everything from the record is escaped. Records from before per-seed
/// theory (no `seeds`, `spread` or note) have no such section.
enum SeedSpreadSection {
    /// One method (and λ) of a record.
    struct Entry {
        var label: String
        var seeds: [SeedComparison]?
        var spread: SeedSpread?
        /// Why there are no per-seed runs (or a remark on them).
        var note: String?
    }

    /// More seeds than this fold the per-seed table.
    static let unfoldedSeeds = 5

    /// compare's methods (`CompareMethodReport.seeds`, `spread`, `seedTheoryNote`); its CSVs
    /// `seeds-<method>.csv` and `spread-<method>.csv` when the folder holds them.
    static func add(_ summary: CompareSummary, folder: Folder, to page: inout Page) {
        let entries = summary.methods.filter { $0.seeds != nil || $0.spread != nil || $0.seedTheoryNote != nil }
            .map { Entry(label: $0.method, seeds: $0.seeds, spread: $0.spread, note: $0.seedTheoryNote) }
        let files = summary.methods.flatMap { ["seeds-\($0.method).csv", "spread-\($0.method).csv"] }
        add(entries, files: files.filter(folder.files.contains).map(folder.path), to: &page)
    }

    /// check-escape's λ and methods (`CheckEscapeSummary.seedTheory`); seeds.csv and spread.csv.
    static func add(_ summary: CheckEscapeSummary, folder: Folder, to page: inout Page) {
        let entries = (summary.seedTheory ?? []).map { e in
            Entry(label: (e.lambda.isNaN ? "" : "λ = \(HTMLReport.number(e.lambda)), ") + e.method, seeds: e.seeds, spread: e.spread, note: e.note)
        }
        let files = [CheckEscapeExperiment.seedsFile, CheckEscapeExperiment.spreadFile]
        add(entries, files: files.filter(folder.files.contains).map(folder.path), to: &page)
    }

    static func add(_ entries: [Entry], files: [String], to page: inout Page) {
        guard !entries.isEmpty else { return }
        let e = HTMLReport.escape
        page.add("<h3>The seeds' spread</h3>")
        let links = files.map { "<a href=\"\(HTMLReport.href($0))\">\(e($0))</a>" }.joined(separator: ", ")
        page.add("<p>Every dense seed's simulation against the exact map from its own projected W₀ and the map from αI, "
                 + "and the spread over seeds the law of W₀ predicts against the measured seeds (docs/model.md §5)"
                 + (links.isEmpty ? "." : "; every number in \(links).") + "</p>")
        for entry in entries {
            guard let seeds = entry.seeds else {
                page.add("<p><b>\(e(entry.label))</b>: per-seed theory not run (\(e(entry.note ?? "no seeds"))).</p>")
                continue
            }
            page.add("<p><b>\(e(entry.label))</b>: \(seeds.count) seed\(seeds.count == 1 ? "" : "s")"
                     + (entry.note.map { "; \(e($0))" } ?? "") + "</p>")
            page.add("<div class=\"seeds\">")
            if let spread = entry.spread { page.add(table(spread, seeds: seeds.count)) }
            if !seeds.isEmpty {
                let table = perSeed(seeds)
                page.add(seeds.count > unfoldedSeeds
                         ? "<details class=\"per-seed\"><summary>Per seed (\(seeds.count)): escape step of the simulation, from its own start, from αI</summary>\(table)</details>"
                         : table)
            }
            page.add("</div>")
            if let spread = entry.spread, let words = spread.checkWords {
                let verdict = switch spread.escapeCheck.notCheckable == nil ? spread.escapeCheck.passed : nil {
                case true?: "<span class=\"pass\">yes</span>"
                case false?: "<span class=\"fail\">NO</span>"
                case nil: "<span class=\"open\">not checkable</span>"
                }
                page.add("<p class=\"spread-check\">Spread check of the escape step: \(verdict) — \(e(words)).</p>")
            }
        }
    }

    /// quantity | predicted q10/q50/q90 (law of W₀, N draws) | measured q10/q50/q90 (n seeds).
    static func table(_ spread: SeedSpread, seeds: Int) -> String {
        let e = HTMLReport.escape, p = spread.prediction
        let draws = "law of W₀, \(p.draws) draws" + (p.escaped < p.draws ? ", \(p.escaped) escaped" : "")
        var html = "<table class=\"spread\"><tr><th>quantity</th><th>predicted q10/q50/q90<br><small>\(e(draws))</small></th>"
            + "<th>measured q10/q50/q90<br><small>\(seeds) seed\(seeds == 1 ? "" : "s")</small></th></tr>"
        for quantity in SeedSpread.Quantity.allCases {
            let (predicted, measured) = spread.quantiles(quantity)
            html += "<tr><td>\(e(quantity.name))</td><td class=\"n\">\(e(SeedSpread.quantiles(predicted)))</td>"
                + "<td class=\"n\">\(e(SeedSpread.quantiles(measured)))</td></tr>"
        }
        return html + "</table>"
    }

    /// seed | escape step sim | from its start (rel. err.) | from αI (rel. err.).
    static func perSeed(_ seeds: [SeedComparison]) -> String {
        let e = HTMLReport.escape
        return "<table class=\"per-seed\"><tr><th>seed</th><th>escape step sim</th><th>from its start (rel. err.)</th><th>from αI (rel. err.)</th></tr>"
            + seeds.map { s in
                "<tr><td class=\"n\">\(s.seed)</td><td class=\"n\">\(s.escapeStepSimulation.map(String.init) ?? "none")</td>"
                    + "<td class=\"n\">\(e(SeedComparison.escape(s.escapeStepTheory, relativeError: s.escapeRelativeError)))</td>"
                    + "<td class=\"n\">\(e(SeedComparison.escape(s.escapeStepIdentity, relativeError: s.escapeRelativeErrorIdentity)))</td></tr>"
            }.joined() + "</table>"
    }
}
