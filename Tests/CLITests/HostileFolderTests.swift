import Foundation
import Testing

/// What `report` and `export-notebook` read from a folder is untrusted: a folder holding an SVG
/// with `onload` and `<script>`, names with markup, a recorded command with a code fence and
/// markup, recipe titles with quotes and line breaks, a file named `javascript:…` and a
/// symbolic link out of the folder gives a page and a notebook with no live markup from it.
/// Every payload calls `console.error('pwned-N')`, so the browser check can also see that none ran.
@Suite struct HostileFolderTests {
    static let script = "<script>console.error('pwned-1')</script>"
    static let image = "<img src=x onerror=console.error('pwned-2')>"

    /// A compare folder (the real command's output) with the payloads added; returns its path.
    static func hostileFolder() throws -> String {
        let root = try SpecgdProcess.temporaryDirectory()
        let folder = root + "/hostile"
        let made = try SpecgdProcess.run(["compare", "--methods", "gd,specgd", "--dim", "8", "--steps", "20", "--lr", "0.01",
                                          "--output-dir", folder])
        #expect(made.status == 0, "\(made.stderr)")
        func edit(_ file: String, _ change: (inout [String: Any]) -> Void) throws {
            let path = folder + "/" + file
            var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
            change(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        }
        try edit("overlay.recipe.json") {
            $0["title"] = "Title \(script) with \"quotes\"\nand a line break"
            $0["description"] = "Text \(image) [link](javascript:console.error('pwned-3')) ``` and\n\n# a heading"
        }
        try edit("report.json") { $0["command"] = "specgd compare\n```\n\(script)\n```\n\(image)" }
        let svg = #"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="console.error('pwned-4')">"#
            + #"<script>console.error('pwned-5')</script><rect width="40" height="20" fill="red"/></svg>"#
        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        try write("\(image).svg", svg)
        try write("q\"uote\nline.csv", "x,y\n1,2\n")
        try write("javascript:console.error('pwned-6')", "a file\n")
        try FileManager.default.createDirectory(atPath: folder + "/<b onmouseover=console.error('pwned-7')>", withIntermediateDirectories: false)
        try write("<b onmouseover=console.error('pwned-7')>/inner.svg", svg)
        // A link out of the folder: never followed, never embedded.
        try (svg.replacingOccurrences(of: "red", with: "blue")).write(toFile: root + "/outside.svg", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/outside.svg", withDestinationPath: root + "/outside.svg")
        return folder
    }

    /// Tags of `html` (attribute values, quoted and escaped, left out) that are not allowed:
    /// scripts, inline SVG, frames, event handlers, `javascript:` links, images that are not an
    /// SVG data URI.
    static func liveMarkup(_ html: String) -> [String] {
        var bad = [String]()
        for match in html.matches(of: /<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/) {
            let name = match.output.1.lowercased()
            let attributes = String(match.output.2)
            let unquoted = attributes.replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
            if ["script", "svg", "iframe", "object", "embed", "foreignobject"].contains(name)
                || unquoted.range(of: #"\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) != nil
                || attributes.lowercased().contains("javascript:")
                || (name == "img" && !attributes.contains("src=\"data:image/svg+xml;base64,")) {
                bad.append(String(match.output.0))
            }
        }
        return bad
    }

    @Test func reportShowsHostileContentAsText() throws {
        let folder = try Self.hostileFolder()
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let result = try SpecgdProcess.run(["report", folder])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(Self.liveMarkup(html).isEmpty, "\(Self.liveMarkup(html))")
        // The names and strings are there, as text.
        #expect(html.contains("&lt;script&gt;console.error('pwned-1')&lt;/script&gt;"))
        #expect(html.contains("&lt;img src=x onerror=console.error('pwned-2')&gt;.svg"))
        // Every figure is an image of its file's bytes (the hostile SVG included: as an image it runs nothing).
        let sources = html.matches(of: /src="data:image\/svg\+xml;base64,([^"]+)"/).map { String($0.output.1) }
        let svgs = try FileManager.default.subpathsOfDirectory(atPath: folder).filter {
            $0.hasSuffix(".svg") && (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0)) == nil
        }
        #expect(sources.count == svgs.count && svgs.count == 3, "\(svgs)")
        let decoded = Set(sources.compactMap { Data(base64Encoded: $0) })
        for svg in svgs { #expect(decoded.contains(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + svg))), "\(svg)") }
        // The link out of the folder is not followed: its figure is not on the page.
        #expect(!decoded.contains { String(decoding: $0, as: UTF8.self).contains("blue") })
        // A name that looks like a scheme stays a relative link.
        #expect(html.contains("href=\"javascript%3Aconsole.error('pwned-6')\""))

        // In a browser (SPECGD_TEST_BROWSER=1): nothing ran.
        guard ExternalTools.browserRequested else { return }
        let loaded = try ReportTests.chromium(folder + "/report.html", ["--dump-dom"])
        #expect(loaded.status == 0, "\(loaded.stderr.suffix(2000))")
        #expect(!ReportTests.consoleLines(loaded.stderr).contains { $0.contains("pwned") }, "\(ReportTests.consoleLines(loaded.stderr))")
    }

    @Test func notebookShowsHostileContentAsText() throws {
        let folder = try Self.hostileFolder()
        let root = (folder as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: root) }
        let notebook = root + "/hostile.ipynb"
        let result = try SpecgdProcess.run(["export-notebook", folder, "--output", notebook])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: notebook))) as! [String: Any]
        let cells = (object["cells"] as! [[String: Any]]).map { ($0["cell_type"] as! String, ($0["source"] as! [String]).joined()) }
        let markdown = cells.filter { $0.0 == "markdown" }.map(\.1).joined(separator: "\n\n")
        let code = cells.filter { $0.0 == "code" }.map(\.1)
        // Prose is escaped; the title is one line; commands stay inside a fence no line of theirs closes.
        #expect(markdown.contains("## Title &lt;script&gt;console.error('pwned-1')&lt;/script&gt; with \"quotes\" and a line break"), "\(markdown)")
        #expect(markdown.contains("````\nspecgd compare\n```\n\(Self.script)\n```\n\(Self.image)\n````"), "\(markdown)")
        // Names reach code only as string literals; an SVG without a recipe is shown as an image.
        #expect(code.contains { $0.contains(#"show_svg("<img src=x onerror=console.error('pwned-2')>.svg")"#) }, "\(code)")
        #expect(code.contains { $0.contains(#"show_svg("<b onmouseover=console.error('pwned-7')>/inner.svg")"#) }, "\(code)")
        #expect(!code.joined().contains("SVG(filename"))

        guard let python = ExternalTools.python else { return }
        // Every code cell is valid Python; nbconvert's Markdown renderer (Jupyter's) turns every
        // markdown cell into HTML without live markup.
        let check = """
        import ast, json, sys
        from nbconvert.filters.markdown import markdown2html
        nb = json.load(open(sys.argv[1]))
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                ast.parse(source)
            else:
                print(markdown2html(source))
        """
        let rendered = try ExternalTools.run(python, ["-c", check, notebook])
        #expect(rendered.status == 0, "\(rendered.stderr.suffix(2000))")
        #expect(Self.liveMarkup(rendered.stdout).isEmpty, "\(Self.liveMarkup(rendered.stdout))\n\(rendered.stdout)")
        #expect(rendered.stdout.contains("pwned-1"))
    }
}
