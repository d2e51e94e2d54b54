import Foundation
import Plot
import SpecgdSupport

/// `specgd report DIR`: one self-contained HTML page for any output folder and its sub-folders
/// (demo, compare, check-escape, figures, sweep, a `specgd run` folder): every SVG figure
/// embedded, the escape checks' PASS / FAIL / not-checkable table with its numbers, compare's
/// deviation report, each record's configuration and provenance (version, commit, machine,
/// BLAS kernel), and links to every file. It reads only what the folder holds and refers to
/// nothing outside it: no script, no font, no stylesheet from the network.
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
    public static func html(directory: String) throws -> String {
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
        let checks = folders.compactMap { $0.record(named: "escape-check.json") }
        if !checks.isEmpty {
            let counts = checks.map { EscapeTable.counts($0) }
            let failed = counts.map(\.failed).reduce(0, +), held = counts.map(\.held).reduce(0, +)
            let open = counts.map(\.notCheckable).reduce(0, +), diverged = counts.map(\.diverged).reduce(0, +)
            let verdict = failed > 0 ? "<span class=\"fail\">\(failed) FAILED</span>"
                : diverged > 0 ? "<span class=\"fail\">\(diverged) diverged</span>" : "<span class=\"pass\">all checkable predictions held</span>"
            page.add("<p class=\"verdict\">Escape-stage predictions: \(verdict) (\(held) held, \(failed) failed, \(open) not checkable\(diverged > 0 ? ", \(diverged) diverged" : "")).</p>")
        }
        let shown = folders.filter { !$0.files.isEmpty }
        if shown.count > 1 {
            page.add("<nav><h2>Contents</h2><ul>" + shown.map { "<li><a href=\"#\($0.anchor)\">\(escape($0.title))</a> — \(escape($0.kinds.joined(separator: ", ")))</li>" }.joined() + "</ul></nav>")
        }
        var figureNumber = 0
        for folder in shown { folder.section(into: &page, figureNumber: &figureNumber) }
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
    static func svgImage(_ svg: Data, alt: String) -> String {
        "<img class=\"svg\" alt=\"\(escape(alt))\" src=\"data:image/svg+xml;base64,\(svg.base64EncodedString())\">"
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
    figure img.svg { max-width: 100%; height: auto; display: block; border: 1px solid #eee; }
    figcaption { color: #444; font-size: 0.9em; margin-top: 0.3em; }
    details { margin: 0.4em 0; }
    summary { cursor: pointer; }
    ul.files { columns: 2; }
    """
}

/// One folder of the report: its files and the records among them.
struct Folder {
    /// Path relative to the report's folder ("" for the folder itself).
    var relative: String
    var title: String
    var files: [String]
    /// The JSON records (files with a `kind`), by file name.
    var records: [(name: String, value: JSONValue)]
    var root: String

    var anchor: String {
        "folder-" + (relative.isEmpty ? "top" : relative.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined())
    }

    var kinds: [String] {
        var seen = [String]()
        for (_, record) in records { if let kind = record["kind"]?.string, !seen.contains(kind) { seen.append(kind) } }
        return seen.isEmpty ? ["files"] : seen
    }

    func record(named name: String) -> JSONValue? { records.first { $0.name == name }?.value }

    func path(_ file: String) -> String { relative.isEmpty ? file : relative + "/" + file }

    /// The folder and its sub-folders (hidden ones, symbolic links and the report itself left
    /// out: a link could lead out of the folder, or back into it forever), breadth first.
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
            var records = [(name: String, value: JSONValue)]()
            for file in files where file.hasSuffix(".json") && !file.hasSuffix(".recipe.json") {
                let path = (absolute as NSString).appendingPathComponent(file)
                guard let data = manager.contents(atPath: path),
                      let value = try? JSONDecoder().decode(JSONValue.self, from: data), value["kind"] != nil else { continue }
                records.append((file, value))
            }
            let name = URL(fileURLWithPath: root).standardizedFileURL.lastPathComponent
            out.append(Folder(relative: relative, title: relative.isEmpty ? name : relative, files: files, records: records, root: root))
            queue += folders
        }
        return out
    }

    func section(into page: inout Page, figureNumber: inout Int) {
        page.add("<section id=\"\(anchor)\">")
        page.add("<h2>\(HTMLReport.escape(title)) <small class=\"meta\">(\(HTMLReport.escape(kinds.joined(separator: ", "))))</small></h2>")
        var commands = [String]()
        for (_, record) in records { if let c = record["command"]?.string, !commands.contains(c) { commands.append(c) } }
        if !commands.isEmpty {
            page.add("<p>Made by:</p><pre>" + commands.map(HTMLReport.escape).joined(separator: "\n") + "</pre>")
        }
        if let run = records.first(where: { $0.value["kind"]?.string == "run" })?.value { RunSteps.add(run, to: &page) }
        if let check = record(named: "escape-check.json") { EscapeTable.add(check, to: &page) }
        for (name, record) in records where record["kind"]?.string == "compare" { DeviationTable.add(record, file: path(name), to: &page) }
        figures(into: &page, figureNumber: &figureNumber)
        provenance(into: &page)
        page.add("<h3>Files</h3><ul class=\"files\">")
        for file in files {
            let size = (try? FileManager.default.attributesOfItem(atPath: (root as NSString).appendingPathComponent(path(file)))[.size] as? Int) ?? nil
            let bytes = size.map { $0 >= 1_000_000 ? String(format: " (%.1f MB)", Double($0) / 1e6) : String(format: " (%.1f kB)", Double($0) / 1e3) } ?? ""
            page.add("<li><a href=\"\(HTMLReport.href(path(file)))\">\(HTMLReport.escape(file))</a>\(bytes)</li>")
        }
        page.add("</ul>\n</section>")
    }

    /// Every SVG as an image, recipe figures first in the order they were written (their recipes'
    /// names sorted as the files are), with the title from the recipe and links to PNG / PDF.
    func figures(into page: inout Page, figureNumber: inout Int) {
        let svgs = files.filter { $0.hasSuffix(".svg") }
        guard !svgs.isEmpty else { return }
        page.add("<h3>Figures</h3>")
        for svg in svgs {
            let stem = String(svg.dropLast(4))
            let absolute = (root as NSString).appendingPathComponent(path(svg))
            guard let data = FileManager.default.contents(atPath: absolute) else { continue }
            figureNumber += 1
            var caption = "<a href=\"\(HTMLReport.href(path(svg)))\">\(HTMLReport.escape(svg))</a>"
            if files.contains(stem + ".recipe.json"),
               let recipe = try? FigureRecipe.read((root as NSString).appendingPathComponent(path(stem + ".recipe.json"))) {
                caption = "<b>\(HTMLReport.escape(recipe.title))</b> — \(HTMLReport.escape(recipe.description)) " + caption
            }
            for format in ["png", "pdf"] where files.contains("\(stem).\(format)") {
                caption += " · <a href=\"\(HTMLReport.href(path("\(stem).\(format)")))\">\(format.uppercased())</a>"
            }
            page.add("<figure class=\"figure\" data-name=\"\(HTMLReport.escape(path(svg)))\">")
            page.add(HTMLReport.svgImage(data, alt: path(svg)))
            page.add("<figcaption>Figure \(figureNumber). \(caption)</figcaption>\n</figure>")
        }
    }

    /// Version, commit and machine of each record (one table row per record), then each
    /// record's configuration and summary, folded.
    func provenance(into page: inout Page) {
        guard !records.isEmpty else { return }
        page.add("<h3>Configuration and provenance</h3>")
        page.add("<table><tr><th>record</th><th>kind</th><th>specgd</th><th>commit</th><th>written</th><th>status</th><th>processor</th><th>BLAS kernel</th><th>threads</th></tr>")
        for (name, record) in records {
            let machine = record["machine"]
            let build = machine?["build"]
            let commit = build?["commit"]?.string.map { String($0.prefix(12)) } ?? "—"
            let dirty = build?["dirty"]?.bool == true ? " (dirty)" : ""
            let processor = [machine?["processor"]?["model"]?.string, machine?["processor"]?["vectorLevel"]?.string].compactMap { $0 }.joined(separator: ", ")
            let blas = machine?["blas"]
            let kernel = [blas?["kernel"]?.string, blas?["kernelChosenBy"]?.string.map { "chosen by \($0)" }].compactMap { $0 }.joined(separator: ", ")
            let cells = [name, record["kind"]?.string ?? "", record["version"]?.string ?? "", commit + dirty,
                         record["createdAt"]?.string ?? "", record["status"]?.string ?? "—", processor, kernel,
                         blas?["threads"]?.display ?? ""]
            page.add("<tr>" + cells.map { "<td>\(HTMLReport.escape($0))</td>" }.joined() + "</tr>")
        }
        page.add("</table>")
        var machines = [String]()
        for (_, record) in records {
            if let machine = record["machine"] {
                let html = machine.html
                if !machines.contains(html) { machines.append(html) }
            }
        }
        for (i, html) in machines.enumerated() {
            page.add("<details\(i == 0 ? " open" : "")><summary>Machine\(machines.count > 1 ? " \(i + 1)" : "") (processor, memory, operating system, BLAS, GSL, build)</summary>\(html)</details>")
        }
        for (name, record) in records {
            var body = ""
            if let configuration = record["configuration"] { body += "<p>configuration</p>" + configuration.html }
            if let summary = record["summary"], record["kind"]?.string != "check-escape" { body += "<p>summary</p>" + summary.html }
            page.add("<details><summary><code>\(HTMLReport.escape(path(name)))</code>: configuration and summary</summary>\(body)</details>")
        }
    }
}

/// The PASS / FAIL / not-checkable table of `escape-check.json`, with every number.
enum EscapeTable {
    static func counts(_ record: JSONValue) -> (held: Int, failed: Int, notCheckable: Int, diverged: Int) {
        let s = record["summary"]
        return (Int(s?["held"]?.double ?? 0), Int(s?["failed"]?.double ?? 0), Int(s?["notCheckable"]?.double ?? 0),
                Int(s?["diverged"]?.double ?? 0))
    }

    static func add(_ record: JSONValue, to page: inout Page) {
        let summary = record["summary"]
        let (held, failed, open, diverged) = counts(record)
        page.add("<h3>Escape-stage predictions (docs/model.md §5)</h3>")
        var line = "\(held) held, \(failed) failed, \(open) not checkable" + (diverged > 0 ? ", \(diverged) diverged" : "")
        if let lc = summary?["lambdaCritical"]?.double { line += "; λ<sub>c</sub> = \(HTMLReport.number(lc))" }
        if let q0 = summary?["q0"]?.double { line += " (q₀ = \(HTMLReport.number(q0)))" }
        page.add("<p>\(line).</p>")
        page.add("<table class=\"checks\"><tr><th>method</th><th>λ</th><th>source</th><th>quantity</th><th>kind</th><th>predicted</th><th>measured</th><th>relative error</th><th>tolerance</th><th>window steps</th><th>result</th></tr>")
        for row in summary?["rows"]?.array ?? [] {
            let status = row["status"]?.string ?? ""
            let verdict = switch status {
            case "pass": "<span class=\"pass\">PASS</span>"
            case "fail": "<span class=\"fail\">FAIL</span>"
            case "diverged": "<span class=\"fail\">DIVERGED</span>"
            default: "<span class=\"open\">not checkable</span>"
            }
            let reason = row["reason"]?.string.map { " — " + HTMLReport.escape($0) } ?? ""
            func n(_ key: String) -> String { row[key]?.double.map(HTMLReport.number) ?? "—" }
            let text = [row["method"]?.string ?? "", n("lambda"), row["source"]?.string ?? "", row["quantity"]?.string ?? "",
                        row["kind"]?.string ?? ""].map { "<td>\(HTMLReport.escape($0))</td>" }.joined()
            let numbers = ["predicted", "measured", "relativeError", "tolerance", "windowSteps"].map { "<td class=\"n\">\(n($0))</td>" }.joined()
            page.add("<tr class=\"\(status == "fail" || status == "diverged" ? "fail" : "")\">\(text)\(numbers)<td>\(verdict)\(reason)</td></tr>")
        }
        page.add("</table>")
    }
}

/// compare's deviation report: per method, per statistic, the absolute and scaled deviations
/// of the simulation from the theory map and where they peak.
enum DeviationTable {
    static func add(_ record: JSONValue, file: String, to page: inout Page) {
        let summary = record["summary"]
        page.add("<h3>Deviation report: theory map vs simulation (<code>\(HTMLReport.escape(file))</code>)</h3>")
        if let passed = summary?["passed"]?.bool {
            let tolerance = summary?["tolerance"]
            let bound = tolerance?["relative"]?.double.map { " (tolerance \(HTMLReport.number($0)), floor \(tolerance?["floor"]?.double.map(HTMLReport.number) ?? "—"))" } ?? ""
            page.add("<p>\(passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>")\(bound)</p>")
        } else {
            page.add("<p>No tolerance given: deviations reported, not judged. Scaled deviation = |sim − theory| / max(|theory|, floor).</p>")
        }
        for method in summary?["methods"]?.array ?? [] {
            let name = method["method"]?.string ?? "?"
            var heading = "<p><b>\(HTMLReport.escape(name))</b>: \(HTMLReport.escape(method["commonSteps"]?.display ?? "?")) recorded steps compared"
            if let status = method["simulationStatus"]?["status"]?.string, status != "completed" { heading += "; simulation \(HTMLReport.escape(status))" }
            page.add(heading + "</p>")
            page.add("<table><tr><th>statistic</th><th>max |Δ|</th><th>at step</th><th>mean |Δ|</th><th>max scaled</th><th>at step</th><th>mean scaled</th></tr>")
            for d in method["deviations"]?.array ?? [] {
                func n(_ key: String) -> String { d[key]?.double.map(HTMLReport.number) ?? "—" }
                page.add("<tr><td>\(HTMLReport.escape(d["statistic"]?.string ?? ""))</td>"
                         + ["maxAbsolute", "maxAbsoluteStep", "meanAbsolute", "maxRelative", "maxRelativeStep", "meanRelative"]
                            .map { "<td class=\"n\">\(n($0))</td>" }.joined() + "</tr>")
            }
            page.add("</table>")
        }
    }
}

/// A `specgd run` folder's steps: name, command, status and the files each wrote.
enum RunSteps {
    static func add(_ record: JSONValue, to page: inout Page) {
        // The configuration holds each step's command, the summary its status and outputs.
        let planned = record["configuration"]?["steps"]?.array ?? []
        let done = record["summary"]?["steps"]?.array ?? []
        guard !planned.isEmpty || !done.isEmpty else { return }
        page.add("<h3>Experiment steps</h3><table><tr><th>#</th><th>name</th><th>command</th><th>status</th><th>outputs</th></tr>")
        for step in planned.isEmpty ? done : planned {
            let number = step["number"]
            let result = done.first { $0["number"] == number } ?? step
            let outputs = (result["outputs"]?.array ?? []).compactMap(\.string)
                .map { "<a href=\"\(HTMLReport.href($0))\">\(HTMLReport.escape($0))</a>" }.joined(separator: "<br>")
            page.add("<tr><td class=\"n\">\(HTMLReport.escape(number?.display ?? ""))</td><td>\(HTMLReport.escape(step["name"]?.string ?? ""))</td>"
                     + "<td><code>\(HTMLReport.escape(step["command"]?.string ?? ""))</code></td><td>\(HTMLReport.escape(result["status"]?.string ?? "not run"))</td><td>\(outputs)</td></tr>")
        }
        page.add("</table>")
    }
}

/// Any JSON value, as the records hold them (NaN and infinities are the strings specgd writes).
indirect enum JSONValue: Decodable, Equatable {
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

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var string: String? { if case .string(let s) = self { s } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    /// A number, or one of the strings "NaN", "Infinity", "-Infinity".
    var double: Double? {
        switch self {
        case .number(let v): return v
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
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
