import Foundation
import Testing

/// `specgd report DIR`: the page holds every figure (an image of the SVG), the escape checks with their
/// numbers, compare's deviations, the provenance and a link to every file, loads nothing from
/// the network, and (with SPECGD_TEST_BROWSER=1) renders in headless Chromium without console
/// errors, every figure with a nonzero size and a first figure that is not blank.
@Suite struct ReportTests {
    /// A private copy of the shared folders (report.html is written into it), with its report.
    static func reportedCopy() throws -> (root: String, html: String) {
        let folders = try OutputFolders.get()
        let root = try SpecgdProcess.temporaryDirectory() + "/demo"
        try FileManager.default.copyItem(atPath: folders.root, toPath: root)
        let result = try SpecgdProcess.run(["report", root])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "report: \(root)/report.html\n")
        return (root, try String(contentsOfFile: root + "/report.html", encoding: .utf8))
    }

    /// Every file under `root` (relative paths), the report itself excluded.
    static func files(_ root: String) throws -> [String] {
        let all = try FileManager.default.subpathsOfDirectory(atPath: root).sorted()
        return all.filter { path in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory)
            return !isDirectory.boolValue && path != "report.html"
        }
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The page without its embedded images' data (base64 can spell anything made of letters).
    static func withoutData(_ html: String) -> String {
        html.replacingOccurrences(of: #"src="data:image/svg\+xml;base64,[^"]*""#, with: "src=\"data:\"", options: .regularExpression)
    }

    @Test func pageHoldsFiguresChecksDeviationsProvenanceAndLinks() throws {
        let (root, html) = try Self.reportedCopy()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let files = try Self.files(root)
        // Every SVG once, as an image of its bytes.
        #expect(Self.count("<img class=\"svg\"", in: html) == files.filter { $0.hasSuffix(".svg") }.count)
        #expect(files.filter { $0.hasSuffix(".svg") }.count >= 4)  // compare, check-escape, figures, sweep: one at least each
        // One verdict per escape-check row, with its numbers.
        let check = try Self.json(root + "/check-escape/escape-check.json")
        let rows = (check["summary"] as! [String: Any])["rows"] as! [[String: Any]]
        // (In a table cell: the seeds' spread check says "not checkable" in words too.)
        let verdicts = ["<td><span class=\"pass\">PASS<", "<td><span class=\"fail\">FAIL<", "<td><span class=\"open\">not checkable<"].map { Self.count($0, in: html) }
        #expect(verdicts.reduce(0, +) == rows.count && rows.count > 0)
        for row in rows {
            if let measured = row["measured"] as? Double, measured != measured.rounded() {
                #expect(html.contains("<td class=\"n\">\(String(format: "%.4g", measured))</td>"), "measured \(measured)")
            }
        }
        // The deviation table: every statistic of every method.
        let compare = try Self.json(root + "/compare/report.json")
        let methods = (compare["summary"] as! [String: Any])["methods"] as! [[String: Any]]
        #expect(Self.count("<h3>Deviation report", in: html) == 1)
        for method in methods {
            for deviation in method["deviations"] as! [[String: Any]] {
                #expect(html.contains("<td>\(deviation["statistic"] as! String)</td>"))
            }
        }
        // Provenance: version, commit and BLAS kernel of the records' machine block.
        let machine = compare["machine"] as! [String: Any]
        let blas = machine["blas"] as! [String: Any]
        #expect(html.contains(blas["kernel"] as! String) && html.contains(blas["configuration"] as! String))
        if let commit = (machine["build"] as? [String: Any])?["commit"] as? String { #expect(html.contains(String(commit.prefix(12)))) }
        #expect(html.contains("<td>\(compare["version"] as! String)</td>"))
        // A link to every file, relative to the page.
        for file in files { #expect(html.contains("href=\"\(file)\""), "no link to \(file)") }
        // Self-contained: no script, stylesheet, font or image fetched, no inline SVG; the only
        // sources are the figures' data URIs, and no URL at all.
        let text = Self.withoutData(html)
        for needle in ["<script", "<link", "@import", "@font-face", "<svg", "http"] { #expect(!text.contains(needle), "\(needle)") }
        #expect(Self.count("src=", in: text) == Self.count("src=\"data:\"", in: text))
        let ids = text.matches(of: /id="([^"]+)"/).map { String($0.output.1) }
        #expect(Set(ids).count == ids.count, "duplicate ids")
    }

    /// The story's order: the figure set's own order (trajectories first), each section's figure
    /// before its checks, the runs' statuses near the top and one folded provenance block at the end.
    @Test func pageTellsTheStoryInOrder() throws {
        let (root, html) = try Self.reportedCopy()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        // The figures folder first (its headline figure is the page's first), in the set's order.
        let names = html.matches(of: /<figure class="figure" data-name="([^"]+)"/).map { String($0.output.1) }
        let figures = names.filter { $0.hasPrefix("figures/") }.map { String($0.dropFirst("figures/".count).dropLast(4)) }
        #expect(names.first == "figures/trajectories.svg", "\(names)")
        #expect(figures == ["trajectories", "escape-vs-lambda", "escape-vs-dim", "loss", "bulk", "power-law", "muon-at-scale"], "\(figures)")
        // Figure first, then the checks, within check-escape's and compare's sections.
        for (figure, check) in [("check-escape/amplification.svg", "<h3>Escape-stage predictions"), ("compare/overlay.svg", "<h3>Deviation report")] {
            let f = try #require(html.range(of: "data-name=\"\(figure)\"")), c = try #require(html.range(of: check))
            #expect(f.lowerBound < c.lowerBound, "\(figure)")
        }
        // Statuses in words (check-escape's is its verdict), never a dash.
        #expect(html.contains("check-escape</a>: <span class=\"pass\">completed (") && html.contains("figures</a>: <span class=\"pass\">written</span> ("))
        // One provenance block, folded, after the last section; the machine appears once.
        #expect(Self.count("id=\"provenance\"", in: html) == 1 && Self.count("<table class=\"machine\">", in: html) == 1)
        #expect(!html.contains("<details open"))
        let provenance = try #require(html.range(of: "id=\"provenance\"")), last = try #require(html.range(of: "<section id=\"folder-", options: .backwards))
        #expect(last.lowerBound < provenance.lowerBound)
    }

    /// The seeds' spread after compare's and check-escape's checks: per method (and λ) the
    /// predicted and measured q10/q50/q90 of the records, the spread check in words and the
    /// per-seed table (escape step of the simulation, from its own start, from αI).
    @Test func seedsSpreadFollowsTheChecks() throws {
        let (root, html) = try Self.reportedCopy()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        func f(_ x: Any?) -> String { (x as? Double).map { String(format: "%.4g", $0) } ?? "–" }
        func quantiles(_ q: Any?) -> String { let q = q as? [String: Any]; return "\(f(q?["q10"]))/\(f(q?["q50"]))/\(f(q?["q90"]))" }
        func section(_ folder: String) throws -> String {
            let start = try #require(html.range(of: "<section id=\"folder-\(folder)\">"))
            let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
            return String(html[start.upperBound..<end.lowerBound])
        }
        let compare = try section("compare"), check = try section("check-escape")
        // Once per record, after its checks (and so after its figure).
        for (text, checks) in [(compare, "<h3>Deviation report"), (check, "<h3>Escape-stage predictions")] {
            #expect(Self.count("<h3>The seeds' spread</h3>", in: text) == 1)
            let c = try #require(text.range(of: checks)), s = try #require(text.range(of: "<h3>The seeds' spread</h3>"))
            #expect(c.lowerBound < s.lowerBound)
        }
        #expect(compare.contains("href=\"compare/seeds-gd.csv\"") && check.contains("href=\"check-escape/spread.csv\""))
        // Every method (and λ) with its numbers, as the records hold them.
        let methods = (try Self.json(root + "/compare/report.json")["summary"] as! [String: Any])["methods"] as! [[String: Any]]
        let entries = (try Self.json(root + "/check-escape/escape-check.json")["summary"] as! [String: Any])["seedTheory"] as! [[String: Any]]
        for (text, blocks) in [(compare, methods), (check, entries)] {
            #expect(Self.count("<table class=\"spread\">", in: text) == blocks.count && Self.count("<table class=\"per-seed\">", in: text) == blocks.count)
            #expect(Self.count("<p class=\"spread-check\">Spread check of the escape step: ", in: text) == blocks.count)
            for block in blocks {
                let seeds = block["seeds"] as! [[String: Any]], spread = block["spread"] as! [String: Any]
                let prediction = spread["prediction"] as! [String: Any]
                #expect(seeds.count == 2)
                #expect(text.contains("<small>law of W₀, \(prediction["draws"] as! Int) draws"))
                #expect(text.contains("<tr><td>escape step</td><td class=\"n\">\(quantiles(prediction["escapeStep"]))</td><td class=\"n\">\(quantiles(spread["measuredEscapeStep"]))</td></tr>"))
                #expect(text.contains("<td>b/a at escape</td><td class=\"n\">\(quantiles(prediction["ratioAtEscape"]))</td>"))
                for seed in seeds {
                    let sim = (seed["escapeStepSimulation"] as? Int).map(String.init) ?? "none"
                    let own = (seed["escapeStepTheory"] as? Int).map(String.init) ?? "none"
                    #expect(text.contains("<tr><td class=\"n\">\(seed["seed"] as! Int)</td><td class=\"n\">\(sim)</td><td class=\"n\">\(own) ("))
                }
            }
            // Two seeds: the median check is not made, the reason says why.
            #expect(text.contains("median inside predicted q10–q90 ± 1: not checkable (at 2 seeds a law that holds fails it"))
        }
        #expect(check.contains("<b>λ = 8, specgd</b>: 2 seeds"))
    }

    /// Records from before per-seed theory (no `seeds`, `spread`, note) render without the
    /// section; what the section shows from a record is escaped.
    @Test func seedsSpreadAbsentForOldRecordsAndEscaped() throws {
        let folders = try OutputFolders.get()
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["compare", "check-escape"] { try FileManager.default.copyItem(atPath: folders.root + "/" + name, toPath: dir + "/" + name) }
        func edit(_ file: String, _ change: (inout [String: Any]) -> Void) throws {
            let path = dir + "/" + file
            var object = try Self.json(path)
            change(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        }
        func methods(_ change: @escaping (inout [[String: Any]]) -> Void) -> (inout [String: Any]) -> Void {
            { record in
                var summary = record["summary"] as! [String: Any], methods = summary["methods"] as! [[String: Any]]
                change(&methods)
                summary["methods"] = methods
                record["summary"] = summary
            }
        }
        try edit("compare/report.json", methods { for i in $0.indices { for key in ["seeds", "spread", "seedTheoryNote"] { $0[i][key] = nil } } })
        try edit("check-escape/escape-check.json") { var s = $0["summary"] as! [String: Any]; s["seedTheory"] = nil; $0["summary"] = s }
        let old = try SpecgdProcess.run(["report", dir])
        #expect(old.status == 0, "\(old.stderr)")
        let oldHTML = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(oldHTML.contains("<h3>Deviation report") && oldHTML.contains("<h3>Escape-stage predictions"))
        #expect(!oldHTML.contains("The seeds' spread") && !oldHTML.contains("class=\"per-seed\""))

        // Hostile text where the section shows record text: a note, a reason, a method.
        try FileManager.default.removeItem(atPath: dir + "/compare")
        try FileManager.default.copyItem(atPath: folders.compare, toPath: dir + "/compare")
        try edit("compare/report.json", methods {
            $0[0]["method"] = HostileFolderTests.image
            var spread = $0[0]["spread"] as! [String: Any], check = spread["escapeCheck"] as! [String: Any]
            check["notCheckable"] = HostileFolderTests.image
            spread["escapeCheck"] = check
            $0[0]["spread"] = spread
            $0[1]["seeds"] = nil
            $0[1]["seedTheoryNote"] = HostileFolderTests.script
        })
        let hostile = try SpecgdProcess.run(["report", dir])
        #expect(hostile.status == 0, "\(hostile.stderr)")
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(HostileFolderTests.liveMarkup(html).isEmpty, "\(HostileFolderTests.liveMarkup(html))")
        let image = "&lt;img src=x onerror=console.error('pwned-2')&gt;"
        #expect(html.contains("<b>\(image)</b>: 2 seeds"))
        #expect(html.contains("<span class=\"open\">not checkable</span> — not checkable (\(image))"))
        #expect(html.contains("per-seed theory not run (&lt;script&gt;console.error('pwned-1')&lt;/script&gt;)"))
    }

    /// A folder of theory runs: their trajectories drawn from the CSVs, their statuses shown.
    @Test func theoryFolderHasItsTrajectoriesDrawn() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for method in ["gd", "specgd"] {
            let run = try SpecgdProcess.run(["theory", "--method", method, "--dim", "100", "--steps", "2000", "--every", "50", "--output", "\(dir)/theory-\(method).csv"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let result = try SpecgdProcess.run(["report", dir])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(Self.count("<img class=\"drawn\"", in: html) == 1)
        #expect(html.contains("theory-gd (GD)") && html.contains("theory-specgd (SpecGD)"))
        #expect(html.contains("<span class=\"pass\">completed</span> (2 records)"))
        // The drawn figure is an SVG of both runs' curves.
        let data = try #require(html.firstMatch(of: /<img class="drawn" alt="[^"]*" src="data:image\/svg\+xml;base64,([^"]+)"/))
        let svg = String(decoding: try #require(Data(base64Encoded: String(data.output.1))), as: UTF8.self)
        #expect(svg.contains("<svg") && Self.count("<polyline", in: svg) + Self.count("<path", in: svg) >= 8)
    }

    /// A record that does not decode as its kind stops the report with one line naming the file;
    /// a JSON file without a kind is just a file.
    @Test func corruptedRecordIsOneLineNamingTheFile() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"note": "a user's own file"}"#.write(toFile: dir + "/notes.json", atomically: true, encoding: .utf8)
        let plain = try SpecgdProcess.run(["report", dir])
        #expect(plain.status == 0, "\(plain.stderr)")
        for (text, expected) in [(try ReplayTests.envelope(kind: "check-escape", configuration: ["lambdas": "eight"]), "configuration"),
                                 (#"{"kind": "compare", "summary": {"#, "not a readable run record"),
                                 (#"{"kind": "check-escape", "summary": {}}"#, "missing field")] {
            try text.write(toFile: dir + "/escape-check.json", atomically: true, encoding: .utf8)
            let result = try SpecgdProcess.run(["report", dir])
            #expect(result.status == 1, "\(text)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("\(dir)/escape-check.json")
                    && result.stderr.contains(expected), "\(result.stderr)")
        }
    }

    @Test func badFoldersAreOneLine() throws {
        let dir = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try SpecgdProcess.run(["report", dir + "/missing"])
        #expect(missing.status == 1 && missing.stderr == "Error: \(dir)/missing is not a directory\n", "\(missing.stderr)")
        let empty = try SpecgdProcess.run(["report", dir])
        #expect(empty.status == 1 && empty.stderr.contains("holds no specgd output"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/report.html"))
    }

    // MARK: - In a real browser

    /// Headless Chromium on `page` (a file URL), with its own profile; `extra` are more flags.
    static func chromium(_ page: String, _ extra: [String], height: Int = 3000) throws -> (status: Int32, stdout: String, stderr: String) {
        let browser = try #require(ExternalTools.chromium, "SPECGD_TEST_BROWSER=1 but chromium is not on PATH: run scripts/setup --browser")
        let profile = try SpecgdProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return try ExternalTools.run(browser, ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
                                               "--user-data-dir=\(profile)", "--window-size=1400,\(height)",
                                               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
                                              + extra + ["file://" + page])
    }

    /// What the page wrote to the console (Chromium logs each message as a CONSOLE line).
    static func consoleLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
    }

    @Test(.enabled(if: ExternalTools.browserRequested, "set SPECGD_TEST_BROWSER=1 (scripts/setup --browser installs chromium)"))
    func pageRendersInHeadlessChromium() throws {
        let (root, html) = try Self.reportedCopy()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        let page = root + "/report.html"

        // The console check can fail: a page that logs an error is caught.
        let broken = root + "/broken.html"
        try html.replacingOccurrences(of: "</body>", with: "<script>console.error('broken on purpose')</script></body>")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(Self.consoleLines(try Self.chromium(broken, ["--dump-dom"]).stderr).contains { $0.contains("broken on purpose") })

        // The report itself: nothing on the console.
        let loaded = try Self.chromium(page, ["--dump-dom"])
        #expect(loaded.status == 0 && loaded.stdout.contains("specgd report"), "\(loaded.stderr.suffix(2000))")
        #expect(Self.consoleLines(loaded.stderr).isEmpty, "\(Self.consoleLines(loaded.stderr))")

        // Rendered sizes: a copy of the page with a probe that writes each figure's box into the
        // DOM once the images are decoded.
        let probe = root + "/probe.html"
        let script = """
        <script>
        window.addEventListener("load", () => {
          const boxes = [...document.querySelectorAll("figure.figure img")].map(s => {
            const r = s.getBoundingClientRect();
            return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height, s.naturalWidth];
          });
          const out = document.createElement("pre"); out.id = "probe";
          out.textContent = "PROBE" + JSON.stringify(boxes) + "PROBE";
          document.body.appendChild(out);
        });
        </script></body>
        """
        try html.replacingOccurrences(of: "</body>", with: script).write(toFile: probe, atomically: true, encoding: .utf8)
        let probed = try Self.chromium(probe, ["--dump-dom"])
        let parts = probed.stdout.components(separatedBy: "PROBE")
        try #require(parts.count >= 3, "the probe wrote nothing: \(probed.stderr.suffix(1000))")
        let boxes = try JSONSerialization.jsonObject(with: Data(parts[parts.count - 2].utf8)) as! [[Double]]
        #expect(boxes.count == Self.count("<img class=\"svg\"", in: html) + Self.count("<img class=\"drawn\"", in: html))
        for (i, box) in boxes.enumerated() {
            #expect(box[2] > 10 && box[3] > 10 && box[4] > 0, "figure \(i + 1) renders as \(box[2])×\(box[3]) (natural width \(box[4]))")
        }

        // A screenshot of the page down to the first figure (the window's height does not change
        // the layout): that figure's box, a known region, must not be blank.
        let first = try #require(boxes.first).prefix(4)
        let screenshot = root + "/screenshot.png"
        let shot = try Self.chromium(page, ["--screenshot=\(screenshot)"], height: Int(first[1] + first[3]) + 40)
        #expect(FileManager.default.fileExists(atPath: screenshot), "\(shot.stderr.suffix(1000))")
        if let keep = ProcessInfo.processInfo.environment["SPECGD_REPORT_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
        }
        let python = try #require(ExternalTools.python ?? ExternalTools.onPath("python3"), "no python to read the screenshot")
        let region = try ExternalTools.run(python, ["-c", Self.pngRegionScript, screenshot] + first.map { String(Int($0)) })
        #expect(region.status == 0, "\(region.stderr)")
        let numbers = region.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(numbers.count == 3, "\(region.stdout)")
        let (nonWhite, total, colours) = (numbers[0], numbers[1], numbers[2])
        // A drawn figure: axes, text and curves cover a few per cent of its box in many colours.
        #expect(total > 10_000 && Double(nonWhite) > 0.02 * Double(total) && colours > 20,
                "first figure region: \(nonWhite) of \(total) pixels not white, \(colours) colours")
    }

    /// Reads a PNG with the standard library (zlib + the five row filters) and prints, for the
    /// region x y width height: pixels that are not white, pixels in all, distinct colours.
    static let pngRegionScript = """
    import struct, sys, zlib
    data = open(sys.argv[1], "rb").read()
    assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    x0, y0, w, h = (int(v) for v in sys.argv[2:6])
    pixels = [tuple(rows[y][x * bpp:x * bpp + 3]) for y in range(y0, min(y0 + h, height)) for x in range(x0, min(x0 + w, width))]
    print(sum(p != (255, 255, 255) for p in pixels), len(pixels), len(set(pixels)))
    """
}
