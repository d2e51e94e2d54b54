import Comparison
import Experiments
import Foundation
import Model
import Plot
import PlotRecipes
import Simulation
import SpecgdSupport
import Sweep
import Theory

/// `specgd report DIR`: one self-contained HTML page for any output folder and its sub-folders
/// (demo, compare, check-escape, figures, sweep, theory runs, a `specgd run` folder), told as a
/// story: the verdicts and the runs' statuses first, then one section per folder, the folder
/// with the headline figure first (`ReportOrder`). Each section shows its figures first (the
/// figure set in its own order; a theory or simulate folder's trajectories drawn from its
/// CSVs), then its checks (escape predictions, compare's deviations, a run's steps; after
/// compare's and check-escape's, the seeds' spread: `SeedSpreadSection`), the
/// commands that made it and its files. One provenance block closes the page, folded: what
/// every record shares (version, commit, machine, BLAS) once, and per record only what differs.
/// It reads only what the folder holds and refers to nothing outside it.
///
/// Every record is decoded through its writer's own Codable types (`RunRecord<C, S>.read`); a
/// record that does not decode stops the report with one line naming the file.
///
/// Everything read from the folder is untrusted (a folder can come from anyone): every name and
/// string is escaped, each SVG is an `<img>` of a `data:` URI (an SVG shown as an image runs no
/// script and loads nothing), links are relative paths that cannot become a scheme
/// (`javascript:`), and symbolic links are neither followed nor read.
public enum HTMLReport {
    public static let fileName = "report.html"

    /// Writes `DIR/report.html` atomically; returns its path.
    @discardableResult
    public static func write(directory: String) throws -> String {
        let page = try html(directory: directory)
        let path = (directory as NSString).appendingPathComponent(fileName)
        try AtomicFile.write(page, to: path)
        return path
    }

    /// The page for `directory`.
    static func html(directory: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("\(directory) is not a directory")
        }
        let folders = try Folder.walk(directory)
        guard folders.contains(where: { !$0.files.isEmpty }) else {
            throw InputError("\(directory) holds no specgd output (no file to report on)")
        }
        let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
        var page = Page()
        page.open(title: "specgd report: \(name)")
        page.add("<h1>specgd report: <code>\(escape(name))</code></h1>")
        page.add("<p class=\"meta\">Written by specgd \(escape(SpecgdVersion.string)) from the folder <code>\(escape(directory))</code>. "
                 + "Every figure is embedded; every file is linked relative to this page, so keep it in the folder.</p>")
        let checks = folders.flatMap { $0.records.compactMap(\.checkEscape) }
        if !checks.isEmpty {
            let failed = checks.map(\.failed).reduce(0, +), held = checks.map(\.held).reduce(0, +)
            let open = checks.map(\.notCheckable).reduce(0, +), diverged = checks.map(\.diverged).reduce(0, +)
            let verdict = failed > 0 ? "<span class=\"fail\">\(failed) FAILED</span>"
                : diverged > 0 ? "<span class=\"fail\">\(diverged) diverged</span>" : "<span class=\"pass\">all checkable predictions held</span>"
            page.add("<p class=\"verdict\">Escape-stage predictions: \(verdict) (\(held) held, \(failed) failed, \(open) not checkable\(diverged > 0 ? ", \(diverged) diverged" : "")).</p>")
        }
        let shown = folders.filter { !$0.files.isEmpty }.sorted { ReportOrder.folderRank($0) < ReportOrder.folderRank($1) }
        let runs = shown.flatMap { folder in folder.records.map { (folder, $0) } }
        if !runs.isEmpty {
            page.add("<p>How each run ended:</p><ul class=\"statuses\">")
            for folder in shown where !folder.records.isEmpty {
                // One status for a folder whose records agree (a figure set's sidecars), else each record's.
                var groups = [(status: String, names: [String])]()
                for record in folder.records {
                    if let i = groups.firstIndex(where: { $0.status == record.status }) { groups[i].names.append(record.name) }
                    else { groups.append((record.status, [record.name])) }
                }
                let items = groups.map { group in
                    StatusBadge.badge(group.status) + (groups.count == 1 && group.names.count > 1 ? " (\(group.names.count) records)"
                        : " (" + group.names.map { "<code>\(escape($0))</code>" }.joined(separator: ", ") + ")")
                }
                page.add("<li><a href=\"#\(folder.anchor)\">\(escape(folder.title))</a>: " + items.joined(separator: "; ") + "</li>")
            }
            page.add("</ul>")
        }
        if shown.count > 1 {
            page.add("<nav><h2>Contents</h2><ul>" + shown.map {
                "<li><a href=\"#\($0.anchor)\">\(escape($0.title))</a> — \(escape($0.kinds.joined(separator: ", ")))</li>"
            }.joined() + "<li><a href=\"#provenance\">Provenance</a></li></ul></nav>")
        }
        var figureNumber = 0
        for folder in shown { try folder.section(into: &page, figureNumber: &figureNumber) }
        Provenance.add(runs.map { ($0.0.path($0.1.name), $0.1) }, to: &page)
        page.close()
        return page.text
    }

    /// `text` with the HTML specials escaped (the same five as in SVG).
    static func escape(_ text: String) -> String { MarkupText.escape(text) }

    /// A relative link target, ready for a quoted attribute: each path component
    /// percent-encoded, ':' included (so no name reads as a scheme such as `javascript:`).
    static func href(_ path: String) -> String {
        escape(path.split(separator: "/").map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#:"))) ?? ""
        }.joined(separator: "/"))
    }

    /// A number as a reader wants it: integers whole, others to 4 significant digits.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "∞" : "−∞" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.4g", v)
    }

    /// An SVG file as an image: `<img>` of a base64 `data:` URI. A browser shows an SVG image as
    /// drawn but runs none of its scripts or event handlers and loads nothing it refers to, and
    /// each image is its own document (ids cannot clash between figures).
    static func svgImage(_ svg: Data, alt: String, drawn: Bool = false) -> String {
        "<img class=\"\(drawn ? "drawn" : "svg")\" alt=\"\(escape(alt))\" src=\"data:image/svg+xml;base64,\(svg.base64EncodedString())\">"
    }
}

/// The story's order, from one home each: folders by the kind of their headline figure (the
/// figure set first, then compare's overlay, theory runs, check-escape, sweeps, the rest), and
/// within a folder the figure set's own order (`FigureSet.names`), then compare's overlay, then
/// the others by name.
enum ReportOrder {
    static let kinds: [RecordKind] = [.figures, .compare, .theory, .simulate, .checkEscape, .plotPhase, .sweep, .run]

    static func folderRank(_ folder: Folder) -> (Int, String) {
        let ranks = folder.records.compactMap { record in RecordKind(rawValue: record.header.kind).flatMap { kinds.firstIndex(of: $0) } }
        return (ranks.min() ?? kinds.count, folder.relative)
    }

    static func figureRank(_ stem: String) -> (Int, String) {
        let order = FigureSet.names + [CompareExperiment.figureName]
        return (order.firstIndex(of: stem) ?? order.count, stem)
    }
}

/// The page being written.
struct Page {
    private(set) var text = ""

    mutating func add(_ html: String) { text += html + "\n" }

    mutating func open(title: String) {
        add("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")
        add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        add("<title>\(HTMLReport.escape(title))</title>")
        add("<style>\n\(Self.style)\n</style>\n</head>\n<body>")
    }

    mutating func close() { add("</body>\n</html>") }

    static let style = """
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1320px; padding: 0 1em; color: #222; line-height: 1.4; }
    h1 { font-size: 1.6em; margin-bottom: 0.2em; }
    h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
    h3 { font-size: 1.05em; margin-top: 1.4em; }
    code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.88em; }
    pre { background: #f6f6f6; padding: 0.5em 0.8em; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
    .meta { color: #555; }
    .verdict { font-size: 1.1em; }
    table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
    th, td { border: 1px solid #ddd; padding: 0.2em 0.55em; text-align: left; vertical-align: top; }
    th { background: #f0f0f0; }
    td.n { text-align: right; font-variant-numeric: tabular-nums; }
    .pass { color: #007a4d; font-weight: bold; }
    .fail { color: #b00020; font-weight: bold; }
    .open { color: #8a6d00; font-weight: bold; }
    tr.fail td { background: #fdecee; }
    figure { margin: 1em 0; }
    figure img { max-width: 100%; height: auto; display: block; border: 1px solid #eee; }
    figcaption { color: #444; font-size: 0.9em; margin-top: 0.3em; }
    details { margin: 0.4em 0; }
    summary { cursor: pointer; }
    ul.files { columns: 2; }
    div.seeds { display: flex; flex-wrap: wrap; gap: 0 1.5em; align-items: flex-start; }
    div.seeds > table, div.seeds > details { margin-top: 0; }
    table.spread td.n, table.per-seed td.n { white-space: nowrap; }
    th small { font-weight: normal; color: #555; }
    p.spread-check { margin-top: 0.2em; }
    """
}

/// A record's status in words: a run's completed / interrupted / diverged, a check's verdict
/// counts, a figure set's rows, a sweep's cells, a `specgd run`'s steps.
enum StatusBadge {
    static func badge(_ status: String) -> String {
        let style = status.hasPrefix("completed") || status.hasPrefix("written") ? "pass"
            : status.hasPrefix("interrupted") || status.hasPrefix("running") || status.hasPrefix("not") ? "open" : "fail"
        return "<span class=\"\(style)\">\(HTMLReport.escape(status))</span>"
    }
}

/// One record of the folder, decoded through its writer's types.
struct ReportRecord {
    /// The file name in its folder.
    var name: String
    /// The envelope: kind, version, machine, status.
    var header: RecordHeader
    /// The configuration as written, for display (re-encoded from the typed value).
    var configuration: JSONValue
    var content: Content

    enum Content {
        case checkEscape(CheckEscapeSummary)
        case compare(CompareSummary)
        case run(RunFile.Configuration, RunFile.Summary)
        /// A theory or simulate table's trajectories, drawn from `csv`.
        case trajectory(csv: String, label: String)
        case figures(FigureSet.DataRecord)
        case sweep(SweepRecord.Summary)
        case plotPhase(PhaseRecord)
        /// A kind this version does not know: shown by its envelope only.
        case other
    }

    var checkEscape: CheckEscapeSummary? { if case .checkEscape(let s) = content { s } else { nil } }

    /// The status the page shows for it.
    var status: String {
        if let status = header.status {
            return status.rawValue + (status == .completed ? "" : " at step \(header.lastStep.map(String.init) ?? "?")")
        }
        switch content {
        case .checkEscape(let s):
            // check-escape records a status only when interrupted: otherwise every run finished.
            return "completed (\(s.held) held, \(s.failed) failed, \(s.notCheckable) not checkable\(s.diverged > 0 ? ", \(s.diverged) diverged" : ""))"
        case .run(_, let summary): return summary.status.rawValue + " (\(summary.completed) of \(summary.steps.count) steps)"
        case .sweep(let s): return "written (\(s.cellsInThisRun) of \(s.totalCells) cells)"
        case .figures, .plotPhase: return "written"
        case .compare, .trajectory, .other: return "completed"
        }
    }

    /// The record in `data` (file `path`): its envelope, then its kind's own types.
    static func read(_ data: Data, name: String, path: String, files: [String]) throws -> ReportRecord {
        let header = try RecordHeader.read(data, file: path)
        func typed<C: Codable & Sendable, S: Decodable & Sendable>(_: C.Type, _: S.Type) throws -> (JSONValue, S) {
            let record = try RunRecord<C, S>.read(data, file: path)
            return (try JSONValue(encoding: record.configuration), record.summary)
        }
        let stem = String(name.dropLast(5))
        switch header.recordKind {
        case .checkEscape:
            let (c, s) = try typed(CheckEscapeConfiguration.self, CheckEscapeSummary.self)
            return ReportRecord(name: name, header: header, configuration: c, content: .checkEscape(s))
        case .compare:
            let (c, s) = try typed(CompareConfiguration.self, CompareSummary.self)
            return ReportRecord(name: name, header: header, configuration: c, content: .compare(s))
        case .run:
            let record = try RunRecord<RunFile.Configuration, RunFile.Summary>.read(data, file: path)
            return ReportRecord(name: name, header: header, configuration: try JSONValue(encoding: record.configuration),
                                content: .run(record.configuration, record.summary))
        case .theory:
            let record = try RunRecord<TheoryConfiguration, TheorySummary>.read(data, file: path)
            return ReportRecord(name: name, header: header, configuration: try JSONValue(encoding: record.configuration),
                                content: files.contains(stem + ".csv") ? .trajectory(csv: stem + ".csv", label: "\(stem) (\(record.summary.method.displayName))") : .other)
        case .simulate:
            let record = try RunRecord<SimulationConfiguration, SimulationSummary>.read(data, file: path)
            return ReportRecord(name: name, header: header, configuration: try JSONValue(encoding: record.configuration),
                                content: files.contains(stem + ".csv") ? .trajectory(csv: stem + ".csv", label: "\(stem) (\(record.configuration.method.displayName))") : .other)
        case .figures:
            let record = try RunRecord<FigureSet.DataRecord, [String: Int]>.read(data, file: path)
            return ReportRecord(name: name, header: header, configuration: try JSONValue(encoding: record.configuration), content: .figures(record.configuration))
        case .sweep:
            let (c, s) = try typed(SweepConfiguration.self, SweepRecord.Summary.self)
            return ReportRecord(name: name, header: header, configuration: c, content: .sweep(s))
        case .plotPhase:
            let record = try RunRecord<PhaseRecord, PhaseSummary>.read(data, file: path)
            return ReportRecord(name: name, header: header, configuration: try JSONValue(encoding: record.configuration), content: .plotPhase(record.configuration))
        case nil:
            let record = try RunRecord<JSONValue, JSONValue>.read(data, file: path)
            return ReportRecord(name: name, header: header, configuration: record.configuration, content: .other)
        }
    }
}

/// One folder of the report: its files and the records among them.
struct Folder {
    /// Path relative to the report's folder ("" for the folder itself).
    var relative: String
    var title: String
    var files: [String]
    /// The JSON records (files with a `kind`), by file name.
    var records: [ReportRecord]
    var root: String

    var anchor: String {
        "folder-" + (relative.isEmpty ? "top" : relative.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined())
    }

    var kinds: [String] {
        var seen = [String]()
        for record in records where !seen.contains(record.header.kind) { seen.append(record.header.kind) }
        return seen.isEmpty ? ["files"] : seen
    }

    func path(_ file: String) -> String { relative.isEmpty ? file : relative + "/" + file }

    /// The folder and its sub-folders (hidden ones, symbolic links and the report itself left
    /// out: a link could lead out of the folder, or back into it forever), breadth first. A JSON
    /// file is a record when it is an object with a `kind`; it must then decode as that kind's
    /// record (else one line naming it). Other JSON files (recipes, a user's notes) are files.
    static func walk(_ root: String) throws -> [Folder] {
        var out = [Folder]()
        var queue = [""]
        let manager = FileManager.default
        while !queue.isEmpty {
            let relative = queue.removeFirst()
            let absolute = relative.isEmpty ? root : (root as NSString).appendingPathComponent(relative)
            var files = [String](), folders = [String]()
            for entry in try manager.contentsOfDirectory(atPath: absolute).sorted() where !entry.hasPrefix(".") {
                let type = try? manager.attributesOfItem(atPath: (absolute as NSString).appendingPathComponent(entry))[.type] as? FileAttributeType
                if type == .typeDirectory { folders.append(relative.isEmpty ? entry : relative + "/" + entry) }
                else if type == .typeRegular, entry != HTMLReport.fileName { files.append(entry) }
            }
            var records = [ReportRecord]()
            for file in files where file.hasSuffix(".json") && !file.hasSuffix(".recipe.json") {
                let path = (absolute as NSString).appendingPathComponent(file)
                guard let data = manager.contents(atPath: path), isRecord(data) else { continue }
                records.append(try ReportRecord.read(data, name: file, path: path, files: files))
            }
            let name = URL(fileURLWithPath: root).standardizedFileURL.lastPathComponent
            out.append(Folder(relative: relative, title: relative.isEmpty ? name : relative, files: files, records: records, root: root))
            queue += folders
        }
        return out
    }

    /// A record announces itself: a JSON object with a `kind` (every record the toolkit writes
    /// has one). Only that one key is looked at here; the record is decoded by its type. A file
    /// that is not JSON at all counts as a record, so a truncated one is reported, not skipped.
    static func isRecord(_ data: Data) -> Bool {
        struct Kind: Decodable { var kind: String? }
        do { return try JSONDecoder().decode(Kind.self, from: data).kind != nil } catch DecodingError.dataCorrupted {
            return true
        } catch {
            return false
        }
    }

    func section(into page: inout Page, figureNumber: inout Int) throws {
        page.add("<section id=\"\(anchor)\">")
        page.add("<h2>\(HTMLReport.escape(title)) <small class=\"meta\">(\(HTMLReport.escape(kinds.joined(separator: ", "))))</small></h2>")
        try figures(into: &page, figureNumber: &figureNumber)
        for record in records {
            switch record.content {
            case .run(let configuration, let summary): RunSteps.add(configuration, summary, to: &page)
            case .checkEscape(let summary):
                EscapeTable.add(summary, to: &page)
                SeedSpreadSection.add(summary, folder: self, to: &page)
            case .compare(let summary):
                DeviationTable.add(summary, file: path(record.name), to: &page)
                SeedSpreadSection.add(summary, folder: self, to: &page)
            default: break
            }
        }
        var commands = [String]()
        for record in records where !commands.contains(record.header.command) { commands.append(record.header.command) }
        if !commands.isEmpty {
            page.add("<p>Made by:</p><pre>" + commands.map(HTMLReport.escape).joined(separator: "\n") + "</pre>")
        }
        page.add("<details><summary>Files (\(files.count))</summary><ul class=\"files\">")
        for file in files {
            let size = (try? FileManager.default.attributesOfItem(atPath: (root as NSString).appendingPathComponent(path(file)))[.size] as? Int) ?? nil
            let bytes = size.map { $0 >= 1_000_000 ? String(format: " (%.1f MB)", Double($0) / 1e6) : String(format: " (%.1f kB)", Double($0) / 1e3) } ?? ""
            page.add("<li><a href=\"\(HTMLReport.href(path(file)))\">\(HTMLReport.escape(file))</a>\(bytes)</li>")
        }
        page.add("</ul></details>\n</section>")
    }

    /// Every SVG as an image in the story's order (`ReportOrder.figureRank`), with the title from
    /// its recipe and links to PNG / PDF; then the trajectories of the folder's theory and
    /// simulate runs, drawn here from their CSVs (they have no figure of their own).
    func figures(into page: inout Page, figureNumber: inout Int) throws {
        let svgs = files.filter { $0.hasSuffix(".svg") }.sorted { ReportOrder.figureRank(String($0.dropLast(4))) < ReportOrder.figureRank(String($1.dropLast(4))) }
        for svg in svgs {
            let stem = String(svg.dropLast(4))
            let absolute = (root as NSString).appendingPathComponent(path(svg))
            guard let data = FileManager.default.contents(atPath: absolute) else { continue }
            figureNumber += 1
            var caption = "<a href=\"\(HTMLReport.href(path(svg)))\">\(HTMLReport.escape(svg))</a>"
            if files.contains(stem + ".recipe.json"),
               let recipe = try? FigureRecipe.read((root as NSString).appendingPathComponent(path(stem + ".recipe.json"))) {
                caption = "<b>\(MarkupText.html(recipe.title))</b> — \(MarkupText.html(recipe.description)) " + caption
            } else if let record = records.first(where: { $0.name == stem + ".json" }), case .plotPhase(let phase) = record.content {
                caption = "<b>\(HTMLReport.escape(phase.figure.title))</b> — a phase diagram of <code>\(HTMLReport.escape(phase.metric))</code> over \(HTMLReport.escape(phase.x)) and \(HTMLReport.escape(phase.y)) (sweep <code>\(HTMLReport.escape(phase.sweep))</code>). " + caption
            }
            for format in ["png", "pdf"] where files.contains("\(stem).\(format)") {
                caption += " · <a href=\"\(HTMLReport.href(path("\(stem).\(format)")))\">\(format.uppercased())</a>"
            }
            page.add("<figure class=\"figure\" data-name=\"\(HTMLReport.escape(path(svg)))\">")
            page.add(HTMLReport.svgImage(data, alt: path(svg)))
            page.add("<figcaption>Figure \(figureNumber). \(caption)</figcaption>\n</figure>")
        }
        let runs = records.compactMap { record -> (label: String, csv: String)? in
            if case .trajectory(let csv, let label) = record.content { (label, csv) } else { nil }
        }
        guard !runs.isEmpty else { return }
        let directory = relative.isEmpty ? root : (root as NSString).appendingPathComponent(relative)
        var tables = [(label: String, csv: String, table: Table)]()
        for run in runs {
            do { tables.append((run.label, run.csv, try Table.readCSV((directory as NSString).appendingPathComponent(run.csv)))) } catch {
                throw InputError("\(path(run.csv)): \(error)")
            }
        }
        let recipe = OverlayRecipe.runs(tables, name: "runs", title: "Trajectories of the runs in \(title)")
        let svg = Data(try recipe.figure(tables: Dictionary(tables.map { ($0.csv, $0.table) }, uniquingKeysWith: { a, _ in a })).svg.utf8)
        figureNumber += 1
        page.add("<figure class=\"figure\" data-name=\"\(HTMLReport.escape(path("runs")))\">")
        page.add(HTMLReport.svgImage(svg, alt: "trajectories of " + runs.map(\.csv).joined(separator: ", "), drawn: true))
        page.add("<figcaption>Figure \(figureNumber). <b>\(MarkupText.html(recipe.title))</b> — \(MarkupText.html(recipe.description)) Drawn by the report from "
                 + runs.map { "<a href=\"\(HTMLReport.href(path($0.csv)))\">\(HTMLReport.escape($0.csv))</a>" }.joined(separator: ", ") + ".</figcaption>\n</figure>")
    }
}

/// The page's one provenance block, folded, at the end: what every record shares (version,
/// commit, machine, BLAS) once; per record its kind, time and status and only the provenance
/// that differs from the shared; each record's configuration folded inside.
enum Provenance {
    /// The provenance fields of a record's envelope, in display order.
    static func fields(_ header: RecordHeader) -> [(String, String)] {
        let m = header.machine
        return [
            ("specgd", header.version),
            ("commit", m.build.map { String($0.commit.prefix(12)) + ($0.dirty ? " (dirty)" : "") } ?? "—"),
            ("processor", "\(m.processor.model), \(m.processor.vectorLevel), \(m.processor.logicalCores) logical cores"),
            ("memory", String(format: "%.1f GB", Double(m.memoryBytes) / 1e9)),
            ("operating system", m.operatingSystem),
            ("GSL", m.gsl),
            ("BLAS", m.blas.configuration),
            ("BLAS kernel", "\(m.blas.kernel), chosen by \(m.blas.kernelChosenBy.rawValue)"),
            ("BLAS threads", String(m.blas.threads)),
        ]
    }

    static func add(_ records: [(path: String, record: ReportRecord)], to page: inout Page) {
        guard !records.isEmpty else { return }
        let all = records.map { fields($0.record.header) }
        // Shared: the value most records hold (ties: the one met first).
        let shared = all[0].indices.map { i -> (String, String) in
            let values = all.map { $0[i].1 }
            var best = values[0], bestCount = 0
            for v in values where values.filter({ $0 == v }).count > bestCount { best = v; bestCount = values.filter { $0 == v }.count }
            return (all[0][i].0, best)
        }
        page.add("<section id=\"provenance\">\n<h2>Provenance</h2>")
        page.add("<details><summary>\(records.count) record\(records.count == 1 ? "" : "s"): specgd \(HTMLReport.escape(shared[0].1)), "
                 + "\(HTMLReport.escape(shared[2].1)); the machine, then what differs per record</summary>")
        page.add("<table class=\"machine\">" + shared.map { "<tr><th>\(HTMLReport.escape($0.0))</th><td>\(HTMLReport.escape($0.1))</td></tr>" }.joined() + "</table>")
        page.add("<table class=\"records\"><tr><th>record</th><th>kind</th><th>written</th><th>status</th><th>differs from the above</th></tr>")
        for ((path, record), values) in zip(records, all) {
            let differences = zip(shared, values).filter { $0.1 != $1.1 }.map { "\($1.0): \($1.1)" }
            let cells = [path, record.header.kind, record.header.createdAt, record.status, differences.isEmpty ? "—" : differences.joined(separator: "; ")]
            page.add("<tr>" + cells.map { "<td>\(HTMLReport.escape($0))</td>" }.joined() + "</tr>")
        }
        page.add("</table>")
        for (path, record) in records {
            page.add("<details><summary><code>\(HTMLReport.escape(path))</code>: configuration</summary>\(record.configuration.html)</details>")
        }
        page.add("</details>\n</section>")
    }
}

/// The PASS / FAIL / not-checkable table of `escape-check.json`, with every number.
enum EscapeTable {
    static func add(_ summary: CheckEscapeSummary, to page: inout Page) {
        page.add("<h3>Escape-stage predictions (docs/model.md §5)</h3>")
        var line = "\(summary.held) held, \(summary.failed) failed, \(summary.notCheckable) not checkable" + (summary.diverged > 0 ? ", \(summary.diverged) diverged" : "")
        line += "; λ<sub>c</sub> = \(HTMLReport.number(summary.lambdaCritical)) (q₀ = \(HTMLReport.number(summary.q0)))"
        page.add("<p>\(line).</p>")
        page.add("<table class=\"checks\"><tr><th>method</th><th>λ</th><th>source</th><th>quantity</th><th>kind</th><th>predicted</th><th>measured</th><th>relative error</th><th>tolerance</th><th>window steps</th><th>result</th></tr>")
        for row in summary.rows {
            let verdict = switch row.status {
            case .pass: "<span class=\"pass\">PASS</span>"
            case .fail: "<span class=\"fail\">FAIL</span>"
            case .diverged: "<span class=\"fail\">DIVERGED</span>"
            case .notCheckable: "<span class=\"open\">not checkable</span>"
            }
            let reason = row.reason.map { " — " + HTMLReport.escape($0) } ?? ""
            let text = [row.method, HTMLReport.number(row.lambda), row.source.rawValue, row.quantity, row.kind.rawValue]
                .map { "<td>\(HTMLReport.escape($0))</td>" }.joined()
            let numbers = [row.predicted, row.measured, row.relativeError, row.tolerance].map(HTMLReport.number)
                + [row.windowSteps.map { HTMLReport.number(Double($0)) } ?? "—"]
            let failed = row.status == .fail || row.status == .diverged
            page.add("<tr class=\"\(failed ? "fail" : "")\">\(text)\(numbers.map { "<td class=\"n\">\($0)</td>" }.joined())<td>\(verdict)\(reason)</td></tr>")
        }
        page.add("</table>")
    }
}

/// compare's deviation report: per method, per statistic, the absolute and scaled deviations
/// of the simulation from the theory map and where they peak.
enum DeviationTable {
    static func add(_ summary: CompareSummary, file: String, to page: inout Page) {
        page.add("<h3>Deviation report: theory map vs simulation (<code>\(HTMLReport.escape(file))</code>)</h3>")
        if let passed = summary.passed {
            let bound = summary.tolerance.map { " (tolerance \(HTMLReport.number($0.relative)), floor \(HTMLReport.number($0.floor)))" } ?? ""
            page.add("<p>\(passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>")\(bound)</p>")
        } else {
            page.add("<p>No tolerance given: deviations reported, not judged. Scaled deviation = |sim − theory| / max(|theory|, floor).</p>")
        }
        for method in summary.methods {
            var heading = "<p><b>\(HTMLReport.escape(method.method))</b>: \(method.commonSteps) recorded steps compared"
            for (side, outcome) in [("theory", method.theoryStatus), ("simulation", method.simulationStatus)] where outcome.status != .completed {
                heading += "; \(side) \(HTMLReport.escape(outcome.status.rawValue)) at step \(outcome.lastStep)"
            }
            page.add(heading + "</p>")
            page.add("<table><tr><th>statistic</th><th>max |Δ|</th><th>at step</th><th>mean |Δ|</th><th>max scaled</th><th>at step</th><th>mean scaled</th></tr>")
            for d in method.deviations {
                let numbers = [d.maxAbsolute, Double(d.maxAbsoluteStep), d.meanAbsolute, d.maxRelative, Double(d.maxRelativeStep), d.meanRelative]
                page.add("<tr><td>\(HTMLReport.escape(d.statistic))</td>" + numbers.map { "<td class=\"n\">\(HTMLReport.number($0))</td>" }.joined() + "</tr>")
            }
            page.add("</table>")
        }
    }
}

/// A `specgd run` folder's steps: name, command, status and the files each wrote.
enum RunSteps {
    static func add(_ configuration: RunFile.Configuration, _ summary: RunFile.Summary, to page: inout Page) {
        guard !configuration.steps.isEmpty || !summary.steps.isEmpty else { return }
        page.add("<h3>Experiment steps</h3><table><tr><th>#</th><th>name</th><th>command</th><th>status</th><th>outputs</th></tr>")
        let planned = configuration.steps.isEmpty ? summary.steps.map { RunFile.Configuration.Step(number: $0.number, name: $0.name, command: "") } : configuration.steps
        for step in planned {
            let result = summary.steps.first { $0.number == step.number }
            let outputs = (result?.outputs ?? []).map { "<a href=\"\(HTMLReport.href($0))\">\(HTMLReport.escape($0))</a>" }.joined(separator: "<br>")
            page.add("<tr><td class=\"n\">\(step.number)</td><td>\(HTMLReport.escape(step.name ?? ""))</td>"
                     + "<td><code>\(HTMLReport.escape(step.command))</code></td><td>\(HTMLReport.escape(result?.status.rawValue ?? "not run"))</td><td>\(outputs)</td></tr>")
        }
        page.add("</table>")
    }
}

/// Any JSON value, for showing a configuration as nested tables (NaN and infinities are the
/// strings specgd writes). Records are decoded through their types; this is only their display.
indirect enum JSONValue: Codable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let v = try? container.decode(Bool.self) { self = .bool(v) }
        else if let v = try? container.decode(Double.self) { self = .number(v) }
        else if let v = try? container.decode(String.self) { self = .string(v) }
        else if let v = try? container.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let v): try container.encode(v)
        case .number(let v): try container.encode(v)
        case .string(let v): try container.encode(v)
        case .array(let v): try container.encode(v)
        case .object(let v): try container.encode(v)
        }
    }

    /// A typed value as the record stores it.
    init<T: Encodable>(encoding value: T) throws {
        self = try JSONOutput.decoder().decode(JSONValue.self, from: JSONOutput.encode(value))
    }

    /// A scalar as text.
    var display: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let v): return HTMLReport.number(v)
        case .string(let s): return s
        case .array(let a): return a.map(\.display).joined(separator: ", ")
        case .object: return "…"
        }
    }

    /// Nested definition tables: objects as key/value rows, lists of scalars on one line, long
    /// lists of objects folded.
    var html: String {
        switch self {
        case .object(let o):
            return "<table>" + o.keys.sorted().map { "<tr><th>\(HTMLReport.escape($0))</th><td>\(o[$0]!.html)</td></tr>" }.joined() + "</table>"
        case .array(let a) where a.contains(where: { if case .object = $0 { true } else if case .array = $0 { true } else { false } }):
            let items = a.map { "<li>\($0.html)</li>" }.joined()
            return a.count > 4 ? "<details><summary>\(a.count) items</summary><ol>\(items)</ol></details>" : "<ol>\(items)</ol>"
        default:
            let text = display
            return text.count > 400 ? "<details><summary>\(text.count) characters</summary><code>\(HTMLReport.escape(text))</code></details>"
                : HTMLReport.escape(text)
        }
    }
}
